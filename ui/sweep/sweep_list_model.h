// The sweeps of a run store, newest first: id, creation time, finished configurations, networks
// per configuration and epochs.
#pragma once

#include <QAbstractTableModel>
#include <vector>

namespace cs {
class Store;
}

struct SweepListEntry {
  qint64 id = 0;
  QString created;
  int configs = 0, finished = 0, nets = 0, epochs = 0;
  int runs = 0;            // configurations with a run
  bool training = false;   // being trained when read (cs::SweepRecord::trained_elsewhere)
  bool resumable = false;  // cs::SweepRecord::resumable() when read
};

class SweepListModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { IdColumn, CreatedColumn, FinishedColumn, NetsColumn, EpochsColumn, ColumnCount };
  static constexpr int SweepIdRole = Qt::UserRole;

  explicit SweepListModel(QObject* parent = nullptr);

  // Every sweep of `store`, newest first. Throws cs::StoreError / cs::SweepError.
  static std::vector<SweepListEntry> read(cs::Store& store);

  void setSweeps(std::vector<SweepListEntry> sweeps);
  const std::vector<SweepListEntry>& sweeps() const { return m_sweeps; }
  qint64 sweepAt(int row) const;  // -1 outside
  int rowOf(qint64 sweep) const;  // -1 when absent

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  std::vector<SweepListEntry> m_sweeps;
};
