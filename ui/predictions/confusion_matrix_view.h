// A confusion matrix as a compact table of cells that stretch with the space given; the live view
// and the Ensemble view both show theirs with it. Clicking a cell, a row header (true label) or a
// column header (predicted label) asks for those images (so do Enter and Space on the cell the
// arrow keys moved to); markCell() shows which cell a list is filtered by, as the current cell,
// which only that answer moves (not another button, nor a press dragged to another cell). Row
// headers are as wide as the longest class name; column headers elide theirs. With no counts yet,
// the placeholder text says how to get them. The context menu switches the cells between counts and
// each true label's shares in percent.
#pragma once

#include <QTableView>

class ConfusionMatrixModel;
class QAction;

class ConfusionMatrixView : public QTableView {
  Q_OBJECT

 public:
  // Cells stretch with the space given; these are the preferred and the smallest sizes.
  static constexpr int kCellWidth = 38;  // room for four digits
  static constexpr int kCellHeight = 24;
  static constexpr int kMinCellWidth = 32;  // four digits of the cell font
  static constexpr int kMinCellHeight = 15;

  explicit ConfusionMatrixView(ConfusionMatrixModel* model, QWidget* parent = nullptr);

  // Marks the cell a list is filtered by (makes it current); (-1, -1) clears the mark.
  void markCell(int trueLabel, int predicted);

  void setPlaceholderText(const QString& text);
  QAction* percentAction() const { return m_percent; }  // checked: the rows' shares

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  void cellActivated(int trueLabel, int predicted);
  void trueLabelActivated(int trueLabel);
  void predictedLabelActivated(int predicted);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

 private:
  void fitRowHeader();
  void showHeaders();

  ConfusionMatrixModel* m_model;
  QAction* m_percent;
  int m_markTrue = -1, m_markPredicted = -1;
  QString m_placeholder;
};
