// The ensemble's confusion matrix as a grid of square cells. A click on a cell reports its
// (true, predicted) pair; the page filters the misclassification table by it.
#pragma once

#include <QTableView>

class EnsembleConfusionView : public QTableView {
  Q_OBJECT

 public:
  static constexpr int kCell = 40;

  explicit EnsembleConfusionView(QWidget* parent = nullptr);

  // Marks the cell the table is filtered by; (-1, -1) clears the mark.
  void markCell(int trueLabel, int predicted);
  QSize sizeHint() const override;

 Q_SIGNALS:
  void cellClicked(int trueLabel, int predicted);
};
