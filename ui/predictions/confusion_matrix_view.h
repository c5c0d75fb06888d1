// The confusion matrix as a compact table of square cells. Clicking a cell, a row header (true
// label) or a column header (predicted label) asks the prediction grid to show those images.
#pragma once

#include <QTableView>

class ConfusionMatrixModel;

class ConfusionMatrixView : public QTableView {
  Q_OBJECT

 public:
  // Cells stretch with the space given; these are the preferred and the smallest sizes.
  static constexpr int kCellWidth = 38;  // room for four digits
  static constexpr int kCellHeight = 24;
  static constexpr int kMinCellWidth = 32;  // four digits of the cell font
  static constexpr int kMinCellHeight = 16;

  explicit ConfusionMatrixView(ConfusionMatrixModel* model, QWidget* parent = nullptr);

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  void cellActivated(int trueLabel, int predicted);
  void trueLabelActivated(int trueLabel);
  void predictedLabelActivated(int predicted);
};
