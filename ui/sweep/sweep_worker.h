// The sweep worker: runs a sweep locally (cs::run_sweep over a cs::LocalTransport) on its own
// QThread, into its own cs::Store, as `convscope-cli sweep` does without MPI. It talks to the UI
// only through queued signals and an atomic cancel flag. A cancelled sweep keeps its finished
// configurations; the others stay unfinished and the same sweep resumes them later.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <atomic>

#include "sweep/sweep_types.h"

class SweepWorker : public QObject {
  Q_OBJECT

 public:
  explicit SweepWorker(QObject* parent = nullptr);

  // Thread-safe. cancel() stops the sweep at the next step; resetCancel() is called before
  // queuing run() (a cancel that arrives between the two still counts).
  void cancel() { m_cancel.store(true, std::memory_order_relaxed); }
  void resetCancel() { m_cancel.store(false, std::memory_order_relaxed); }

 public Q_SLOTS:
  void run(const SweepRequest& request);

 Q_SIGNALS:
  // The sweep is recorded in the store; `description` says what trains where.
  void started(qint64 sweep, const QString& description);
  void progress(const SweepProgress& progress);
  // An epoch of configuration `config` was recorded as run `run`.
  void epochRecorded(qint64 sweep, int config, qint64 run, int epoch, double meanAccuracy);
  // A configuration failed (it stays unfinished); the sweep goes on.
  void configFailed(int config, const QString& message);
  // Every configuration ran, or cancelled; `finished` of `configs` configurations finished.
  void finished(qint64 sweep, bool cancelled, int finished, int configs);
  // An engine error (`sweep` is -1 when none was begun); finished configurations stay stored.
  void failed(qint64 sweep, const QString& title, const QString& message);

 private:
  std::atomic<bool> m_cancel{false};
  SweepProgress m_progress;
  QElapsedTimer m_clock;
  QElapsedTimer m_sinceReport;
};
