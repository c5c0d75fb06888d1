// The training worker: owns the backend and a cs::Trainer and lives on its own QThread.
//
// It talks to the UI only through queued signals and two atomics (interrupt, frame interval).
// While running it trains in chunks of ~40 ms and re-posts itself, so queued slots (pause, step,
// a new probe, save) are handled between chunks; interrupt() ends a chunk at the next step.
// Snapshots are requested at the UI's frame rate, and only once the UI took the previous one.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <atomic>
#include <functional>
#include <memory>

#include "training/training_types.h"

class TrainingWorker : public QObject {
  Q_OBJECT

 public:
  explicit TrainingWorker(QObject* parent = nullptr);
  ~TrainingWorker() override;

  // Thread-safe: ends the chunk in progress at the next step boundary, so that a queued
  // pause/stop/reset is handled at once.
  void interrupt();
  // Thread-safe: while running, request at most one snapshot per this many milliseconds.
  void setFrameInterval(int milliseconds);

 public Q_SLOTS:
  void selectBackend(cs::BackendChoice choice);
  void loadDataset(const QString& dir, const QString& name);
  void setDataset(DatasetPtr data);
  // From Idle, Stopped or Finished: a new run. From Paused: resume.
  void start(const RunRequest& request);
  void pause();
  void resume();
  // One batch. From Paused it continues the run; otherwise it begins a new one.
  void step(const RunRequest& request);
  void stop();
  void reset();
  void setProbe(int index);
  void evaluateNow();
  void saveCheckpoint(const QString& path);
  // A new run from the checkpoint's architecture and hyperparameters (epochs from `request`).
  void loadCheckpoint(const QString& path, const RunRequest& request);

 Q_SIGNALS:
  void stateChanged(TrainingState state);
  void backendChanged(BackendPtr backend, const BackendReport& report);
  void datasetLoaded(DatasetPtr data, const QString& dir);
  void datasetFailed(const QString& dir, const QString& message);
  void runStarted(const RunInfo& info);
  void runCleared();
  void progress(const TrainingProgress& progress);
  void evaluated(const EvaluationReport& report);
  void checkpointSaved(const QString& path);
  void checkpointLoaded(const QString& path, const cs::CheckpointMeta& meta);
  void failed(const QString& title, const QString& message);

 private:
  bool ensureBackend(cs::BackendChoice choice);
  bool beginRun(const RunRequest& request);
  void runChunk();
  void scheduleChunk();
  bool trainOneStep();
  void requestFrameIfDue();
  void captureSnapshot();
  void reportEvaluation(const cs::EvalResult& result, bool epochEnd);
  void emitProgress(bool force);
  void setState(TrainingState state);
  // Runs `body`; maps engine exceptions to failed() and leaves a consistent state.
  bool guarded(const std::function<void()>& body);

  BackendPtr m_backend;
  cs::BackendChoice m_backendChoice = cs::BackendChoice::Auto;
  DatasetPtr m_data;     // the datasets of the next run
  DatasetPtr m_runData;  // the current run's, alive as long as m_trainer
  std::unique_ptr<cs::Trainer> m_trainer;
  TrainingState m_state = TrainingState::Idle;
  int m_probe = 0;
  std::atomic<bool> m_interrupt{false};
  std::atomic<int> m_frameIntervalMs{66};
  bool m_chunkPending = false;
  QElapsedTimer m_frameClock;
  QElapsedTimer m_progressClock;
  double m_trainedSeconds = 0;  // time inside training steps, pauses excluded
  size_t m_lossCursor = 0;      // losses already reported
  size_t m_epochCursor = 0;     // epochs already reported
  double m_rateSeconds = 0;     // (time, samples) when samples/s was last measured
  long long m_rateSamples = 0;
  double m_samplesPerSecond = 0;
};
