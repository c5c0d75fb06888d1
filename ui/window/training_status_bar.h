// The status bar of a training run: state, epoch/step progress, samples/s, the learning rate
// when a schedule moves it, elapsed and ETA, and the backend in use (or why there is no GPU). The
// ETA shows only while training runs. Every widget is permanent, so QStatusBar's own message area
// has no width: a showMessage() text takes the backend's place until it times out. Tasks running in
// the other views (TaskIndicator) show between the times and the backend.
#pragma once

#include <QStatusBar>

#include "training/training_types.h"

class QLabel;
class ElidedLabel;
class QProgressBar;
class TaskIndicator;

class TrainingStatusBar : public QStatusBar {
  Q_OBJECT

 public:
  explicit TrainingStatusBar(QWidget* parent = nullptr);

  void setState(TrainingState state);
  void setProgress(const TrainingProgress& progress);
  void setBackend(const BackendReport& report);
  QString backendText() const;  // the backend's text, whole (shown when no message is)
  QString shownText() const;    // what the backend's place shows now: a message or the backend
  void clearProgress();
  void addTask(TaskIndicator* indicator);

  static QString formatDuration(double seconds);  // "0:42", "1:02:03"
  // "Epoch 4/7 (767/938) · step 3,581": the epoch, its steps done, the global step.
  static QString positionText(const TrainingProgress& progress);

 private:
  QLabel* m_state;
  QProgressBar* m_progress;
  QLabel* m_steps;
  QLabel* m_rate;
  QLabel* m_learningRate;  // shown only under a learning-rate schedule
  QLabel* m_time;
  ElidedLabel* m_backend;
  TrainingState m_current = TrainingState::Idle;
  QString m_backendText;
  QString m_earlyStopShown;  // the early stop last told in a message
  int m_taskIndex = 0;  // where the next task goes: after the run's widgets and the other tasks
  QString m_elapsed, m_eta;  // the ETA shows only while running: paused or stopped, it is stale

  void showTime();
};
