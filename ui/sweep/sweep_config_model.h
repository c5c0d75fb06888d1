// The configurations of one sweep as a table: index, the swept parameters (one column each), the
// networks with a final accuracy, the median, mean and standard deviation of those accuracies,
// the ensemble's vote accuracy and the status (finished, training, waiting or unfinished).
// SortRole gives numbers as numbers (a QSortFilterProxyModel sorts by it); ConfigRole the
// configuration's index.
#pragma once

#include <QAbstractTableModel>
#include <QStringList>

#include "sweep/sweep_data.h"

class SweepConfigModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  static constexpr int SortRole = Qt::UserRole;
  static constexpr int ConfigRole = Qt::UserRole + 1;
  // The columns after the parameters, in order.
  enum Stat { NetsStat, MedianStat, MeanStat, StdStat, VoteStat, StatusStat, StatCount };

  explicit SweepConfigModel(QObject* parent = nullptr);

  void setSweep(SweepDataPtr sweep);  // null: empty
  const SweepDataPtr& sweep() const { return m_sweep; }
  // While sweep `sweep` trains (shown or not): `config` is in training, `fraction` of it done.
  // The shown sweep's status column then says which configuration trains and which wait their
  // turn (configurations train in index order) instead of "unfinished". config -1: none trains.
  void setTraining(qint64 sweep, int config, double fraction);
  int trainingConfig() const { return m_trainingConfig; }  // -1: none trains
  // What the status column says of `c`.
  QString statusText(const SweepConfigResult& c) const;
  // The parameter columns: the swept parameters, or every parameter when none differs.
  const QStringList& parameterColumns() const { return m_params; }
  int statColumn(Stat stat) const { return 1 + static_cast<int>(m_params.size()) + stat; }
  const SweepConfigResult* configAt(int row) const;  // null outside

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

  // 0.98765 → "98.77%"; a negative accuracy (none) → "–".
  static QString percent(double accuracy);

 private:
  QVariant display(const SweepConfigResult& c, int column) const;
  QVariant sortKey(const SweepConfigResult& c, int column) const;

  bool training(const SweepConfigResult& c) const;  // in training or waiting for its turn
  // Unfinished in a sweep another process is training (SweepData::beingTrained()).
  bool trainedElsewhere(const SweepConfigResult& c) const;

  SweepDataPtr m_sweep;
  QStringList m_params;
  qint64 m_trainingSweep = -1;
  int m_trainingConfig = -1;
  double m_trainingFraction = 0;
};
