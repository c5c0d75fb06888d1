// The stored runs of the run store, newest first: id, date, networks, epochs, mean accuracy,
// status and architecture.
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "convscope/store.h"

class RunsModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    IdColumn,
    CreatedColumn,
    NetsColumn,
    EpochsColumn,
    AccuracyColumn,
    StatusColumn,
    ArchitectureColumn,
    ColumnCount
  };
  enum Role { RunIdRole = Qt::UserRole + 1 };

  explicit RunsModel(QObject* parent = nullptr);

  void setRuns(std::vector<cs::RunSummary> runs);  // one reset
  qint64 runAt(int row) const { return m_runs[row].id; }
  int rowOf(qint64 run) const;  // -1 when absent

  // "2024-05-01T12:34:56.789Z" in local time, "2024-05-01 14:34".
  static QString localTime(const std::string& iso);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  QVariant display(const cs::RunSummary& r, int column) const;

  std::vector<cs::RunSummary> m_runs;
};
