// The learning-rate finder's worker: runs the range test (cs::find_learning_rate) on its own
// QThread with a backend of its own, so the live run's backend and weights are never touched. It
// talks to the UI only through queued signals and an atomic cancel flag; the points go out in
// batches, at most about 20 times a second.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <atomic>

#include "training/lr_finder_types.h"

class LrFinderWorker : public QObject {
  Q_OBJECT

 public:
  static constexpr int kReportMs = 50;  // the least time between two batches of points

  explicit LrFinderWorker(QObject* parent = nullptr);

  // Thread-safe. cancel() ends the test after the step in progress: finished() then says it was
  // stopped. resetCancel() is called before queuing run() (a cancel arriving between the two
  // still counts).
  void cancel() { m_cancel.store(true, std::memory_order_relaxed); }
  void resetCancel() { m_cancel.store(false, std::memory_order_relaxed); }

 public Q_SLOTS:
  // Makes a backend of `backend`'s choice and runs the test for network 0 of `group` on `data`.
  void run(DatasetPtr data, cs::GroupConfig group, cs::LrFinderSettings settings,
           cs::BackendChoice backend);

 Q_SIGNALS:
  // The backend was made: "cpu (2 CPU threads)", with make_backend()'s note when Auto fell back.
  void started(const QString& backend);
  // Steps recorded since the previous batch, in order (one point a step).
  void pointsAdded(const LrFinderPoints& points);
  // The test ended: at the maximum rate, at divergence, or `stopped` by cancel().
  void finished(const cs::LrFinderResult& result, bool stopped);
  // An engine or backend error (the points recorded before it were sent).
  void failed(const QString& title, const QString& message);

 private:
  // Sends the points recorded since the last batch: all of them when `force`, else only once
  // kReportMs have passed.
  void flush(bool force);

  std::atomic<bool> m_cancel{false};
  LrFinderPoints m_pending;
  QElapsedTimer m_sinceReport;
};
