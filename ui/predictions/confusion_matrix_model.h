// The confusion matrix of the latest evaluation: rows are true labels, columns predicted labels,
// each cell the number of validation images. Cells are tinted by their share of the row.
#pragma once

#include <QAbstractTableModel>
#include <vector>

class PredictionModel;

class ConfusionMatrixModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Role { CountRole = Qt::UserRole + 1, RowShareRole };

  explicit ConfusionMatrixModel(QObject* parent = nullptr);

  // Recounts from the predictions (one reset); empty without an evaluation.
  void recount(const PredictionModel& predictions);
  int count(int trueLabel, int predicted) const;
  int classes() const { return m_classes; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  int rowTotal(int trueLabel) const;
  // 0..1: the diagonal by the share of its row, the rest by count relative to the worst mix-up.
  double tint(int trueLabel, int predicted) const;

  int m_classes = 0;
  std::vector<int> m_counts;  // (classes, classes) row-major
  std::vector<int> m_rowTotals;
  int m_maxOffDiagonal = 0;
};
