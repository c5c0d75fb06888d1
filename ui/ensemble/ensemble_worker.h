// The ensemble worker: trains N networks in lockstep and records them in the run store, on its own
// QThread, with the loop `convscope-cli ensemble` uses (cs::run_ensemble). It opens its own
// cs::Store, records every finished epoch with its networks' weights (so a cancelled or failed
// run keeps them) and talks to the UI only through queued signals and an atomic cancel flag.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <atomic>

#include "ensemble/ensemble_types.h"

namespace cs {
class Store;
class Trainer;
}  // namespace cs

class EnsembleWorker : public QObject {
  Q_OBJECT

 public:
  explicit EnsembleWorker(QObject* parent = nullptr);

  // Thread-safe. cancel() ends the training at the next step; the run is marked cancelled with
  // its finished epochs and their weights. resetCancel() is called before queuing train() (a cancel
  // that arrives between the two still counts).
  void cancel() { m_cancel.store(true, std::memory_order_relaxed); }
  void resetCancel() { m_cancel.store(false, std::memory_order_relaxed); }

 public Q_SLOTS:
  void train(const EnsembleRequest& request);

 Q_SIGNALS:
  // The run was begun in the store; `description` names the group and the backend.
  void started(qint64 run, const QString& description);
  void progress(const EnsembleProgress& progress);
  void epochRecorded(qint64 run, int epoch, double meanAccuracy);
  // Done: every epoch and the weights stored, or cancelled with the finished epochs kept.
  void finished(qint64 run, bool cancelled);
  // An engine error; `run` is -1 when none was begun. The finished epochs stay in the store.
  void failed(qint64 run, const QString& title, const QString& message);

 private:
  // Trains and records into `store`; `run` is set once begun, `epochsDone` after each epoch.
  // True when cancelled.
  bool trainInto(cs::Store& store, const EnsembleRequest& request, qint64& run, int& epochsDone);
  void setPhase(EnsembleProgress::Phase phase);
  void reportProgress(const cs::Trainer& trainer, bool force);

  std::atomic<bool> m_cancel{false};
  EnsembleProgress m_progress;
  int m_trainCount = 0;      // training images per epoch
  QElapsedTimer m_clock;     // since train() began
  QElapsedTimer m_training;  // since the first step
  QElapsedTimer m_sinceReport;
};
