// A stored sweep as the Sweep view shows it: each configuration's parameters, its run, the final
// validation accuracy of each of its networks and their summary, and the ensemble's vote
// accuracy. Loaded from the store (one load_run per configuration that began, unless known).
#pragma once

#include <QString>
#include <QStringList>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "convscope/store.h"
#include "convscope/sweep_stats.h"

// What SweepData::load() takes from a configuration's run at its `epochsDone` recorded epochs: the
// networks' accuracies and the vote's, which need the run's full predictions read (9.5 MB for 50
// networks) and its ensemble statistics computed. A view keeps them by run id for one store file,
// so that loading the sweep again reads only the runs that recorded an epoch since (a run's
// numbers change with nothing else; a store never gives a run id again).
struct SweepRunResult {
  int epochsDone = 0;             // the run's recorded epochs
  std::vector<float> accuracy;    // each network's validation accuracy at the latest epoch
  cs::Distribution distribution;  // of `accuracy`
  double voteAccuracy = -1;       // majority of the averaged top-3 (cs::EnsembleStats); -1: none
  QString warning;                // the latest epoch's not-learning warning ("" when none)
};
struct SweepConfigResult {
  int index = 0;
  QString key;                                      // cs::SweepConfig::key()
  std::vector<std::pair<QString, QString>> params;  // (name, value), sorted by name
  qint64 run = -1;                                  // -1: not begun
  cs::RunStatus status = cs::RunStatus::Running;
  bool finished = false;
  int epochs = 0;     // planned by the sweep
  int stoppedAt = 0;  // an unfinished run's images into the next epoch when it stopped (0: none)
  SweepRunResult result;  // its run's (none before it begins)

  // "finished"; "unfinished (cancelled after 1 of 3 epochs)", "unfinished (interrupted 4,096
  // images into epoch 2 of 3)" and the like; "unfinished (not begun)"; with " · not learning"
  // where the latest epoch said so.
  QString statusText() const;
  // This configuration's value of `name`, or an empty string when it does not set it.
  QString param(const QString& name) const;
  // "#3" followed by the parameters, for lists and legends.
  QString label() const;
};

using SweepRunResults = std::map<qint64, SweepRunResult>;

class SweepData {
 public:
  // Throws cs::StoreError (a missing sweep, a damaged store) or cs::SweepError (a definition
  // that does not parse). With `known`, a run's results are taken from there while its recorded
  // epochs are the same, and what is read is added.
  static std::shared_ptr<const SweepData> load(cs::Store& store, qint64 sweep,
                                               SweepRunResults* known = nullptr);

  qint64 id() const { return m_id; }
  const QString& created() const { return m_created; }
  int nets() const { return m_nets; }
  int epochs() const { return m_epochs; }
  const QString& data() const { return m_data; }
  const std::string& definition() const { return m_definition; }
  // Parameter names set by any configuration, in name order; swept(): those whose value differs.
  const QStringList& parameters() const { return m_parameters; }
  QStringList swept() const;
  const std::vector<SweepConfigResult>& configs() const { return m_configs; }
  int finishedCount() const;
  // Held by a process training it when loaded (cs::SweepRecord::trained_elsewhere): another
  // process, or this app's sweep worker.
  bool beingTrained() const { return m_beingTrained; }
  bool resumable() const { return m_resumable; }  // cs::SweepRecord::resumable() when loaded

  // The values `name` takes, numbers in numeric order, other values in text order.
  QStringList values(const QString& name) const;

 private:
  qint64 m_id = 0;
  bool m_beingTrained = false, m_resumable = false;
  QString m_created, m_data;
  std::string m_definition;
  int m_nets = 0, m_epochs = 0;
  QStringList m_parameters;
  std::vector<SweepConfigResult> m_configs;
};

using SweepDataPtr = std::shared_ptr<const SweepData>;
