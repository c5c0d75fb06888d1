// The UI-thread side of training: owns the worker and its QThread, forwards commands to the worker
// as queued calls, re-emits its signals, and polls the backend's snapshot exchange from a timer.
// Nothing here waits on training: the exchange is lock-free and every call returns at once.
#pragma once

#include <QObject>
#include <QThread>
#include <QTimer>

#include "training/training_types.h"

class TrainingWorker;

class TrainingSession : public QObject {
  Q_OBJECT

 public:
  static constexpr int kFrameRateHz = 15;

  explicit TrainingSession(QObject* parent = nullptr);
  ~TrainingSession() override;

  TrainingState state() const { return m_state; }
  bool hasRun() const { return m_state != TrainingState::Idle; }
  const BackendReport& backendReport() const { return m_backendReport; }
  // The newest frame shown (null before the first).
  const SnapshotPtr& latestSnapshot() const { return m_latest; }
  int probe() const { return m_probe; }

  void selectBackend(cs::BackendChoice choice);
  void loadDataset(const QString& dir, const QString& name);
  void setDataset(DatasetPtr data);
  void start(const RunRequest& request);
  void pause();
  void resume();
  void step(const RunRequest& request);
  void stop();
  void reset();
  void setProbe(int index);
  void evaluateNow();
  void saveCheckpoint(const QString& path);
  void loadCheckpoint(const QString& path, const RunRequest& request);

 Q_SIGNALS:
  void stateChanged(TrainingState state);
  void backendChanged(const BackendReport& report);
  void datasetLoaded(DatasetPtr data, const QString& dir);
  void datasetFailed(const QString& dir, const QString& message);
  void runStarted(const RunInfo& info);
  void runCleared();
  void progress(const TrainingProgress& progress);
  void evaluated(const EvaluationReport& report);
  void checkpointSaved(const QString& path);
  void checkpointLoaded(const QString& path, const cs::CheckpointMeta& meta);
  void failed(const QString& title, const QString& message);
  void snapshotReady(SnapshotPtr snapshot);
  void probeChanged(int index);

 private:
  void poll();
  template <typename F>
  void post(F&& call);

  QThread m_thread;
  TrainingWorker* m_worker;  // lives on m_thread; deleted when it finishes
  BackendPtr m_backend;      // only for snapshots().take()
  BackendReport m_backendReport;
  QTimer m_pollTimer;
  TrainingState m_state = TrainingState::Idle;
  SnapshotPtr m_latest;
  int m_probe = 0;
};
