// The stored runs of the run store, newest first: id, date, networks, epochs, mean accuracy,
// status and architecture.
#pragma once

#include <QAbstractTableModel>
#include <map>
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

  // One reset. What noteEpoch/noteEnded said about a run stays shown until the store has it too.
  void setRuns(std::vector<cs::RunSummary> runs);
  // What the ensemble worker reports about a run it trains, shown at once (one dataChanged):
  // `epochsDone` finished epochs with this mean accuracy, or the run's end.
  void noteEpoch(qint64 run, int epochsDone, double meanAccuracy);
  void noteEnded(qint64 run, cs::RunStatus status);
  qint64 runAt(int row) const { return m_runs[row].id; }
  const cs::RunSummary& summaryAt(int row) const { return m_runs[row]; }  // notes applied
  int rowOf(qint64 run) const;                                            // -1 when absent

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  struct Note {
    int epochsDone = 0;
    double meanAccuracy = 0;
    cs::RunStatus status = cs::RunStatus::Running;
  };

  QVariant display(const cs::RunSummary& r, int column) const;
  // Applies the note to the listed run; false when the run already shows as much.
  static bool apply(const Note& note, cs::RunSummary& r);
  void applyNote(qint64 run);

  std::vector<cs::RunSummary> m_runs;
  std::map<qint64, Note> m_notes;
};
