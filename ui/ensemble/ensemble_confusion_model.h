// The ensemble's confusion matrix: true label × top-1 label counted over all networks (it sums to
// nets × images). The diagonal is tinted green by its share of the row, the rest red by count
// relative to the most common mix-up.
#pragma once

#include <QAbstractTableModel>

#include "ensemble/ensemble_run.h"

class EnsembleConfusionModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Role { CountRole = Qt::UserRole + 1 };

  explicit EnsembleConfusionModel(QObject* parent = nullptr);

  void setRun(EnsembleRunPtr run);  // one reset; null clears
  long long count(int trueLabel, int predicted) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

  // At most four characters: 1234 → "1234", 56789 → "57k", 2500000 → "2.5M".
  static QString compact(long long n);

 private:
  double tint(int trueLabel, int predicted) const;  // 0..1

  EnsembleRunPtr m_run;
  int m_classes = 0;
  std::vector<long long> m_rowTotals;
  long long m_maxOffDiagonal = 0;
};
