// The ensemble's confusion matrix as a grid of cells that grow with the space given. A click on a cell reports its
// (true, predicted) pair; the page filters the misclassification table by it.
#pragma once

#include <QTableView>

class EnsembleConfusionView : public QTableView {
  Q_OBJECT

 public:
  static constexpr int kCell = 40;     // preferred cell side; cells stretch with the space
  static constexpr int kMinCell = 26;  // the smallest, still room for "48k"

  explicit EnsembleConfusionView(QWidget* parent = nullptr);

  // Marks the cell the table is filtered by; (-1, -1) clears the mark.
  void markCell(int trueLabel, int predicted);
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  void cellClicked(int trueLabel, int predicted);
};
