// Automation for the README screenshots: trains a first run at a higher learning rate for N steps
// (the previous run the charts compare with), resets, starts a real training run with the
// default settings, pauses after N steps, evaluates the validation set, then grabs the window in
// each view and tab and quits.
#pragma once

#include <QDir>
#include <QObject>
#include <QTimer>
#include <functional>
#include <vector>

#include "training/training_types.h"

class MainWindow;

class ScreenshotDirector : public QObject {
  Q_OBJECT

 public:
  static constexpr int kTimeoutMs = 10 * 60 * 1000;

  ScreenshotDirector(MainWindow* window, int steps, const QString& dir, QObject* parent = nullptr);
  void start();

 Q_SIGNALS:
  void finished(int exitCode);

 private:
  // Starts a run of the live view's settings at learning rate `lr`, evaluated 8 times.
  void startRun(double lr);
  void onProgress(const TrainingProgress& progress);
  void onEvaluated();
  void takeScreenshots();
  void runNext();
  // Saves `widget` (the main window unless given: a dialog is a window of its own) as `name`.
  void shoot(const QString& name, QWidget* widget = nullptr);
  void fail(const QString& why);

  MainWindow* m_window;
  int m_steps;
  QDir m_dir;
  // The first run (the charts' previous run), its reset, then the run shown.
  enum class Phase { Comparing, Resetting, Training } m_phase = Phase::Comparing;
  double m_lr = 0;  // the settings' own learning rate, for the run shown
  bool m_pausing = false;
  bool m_shooting = false;
  bool m_failed = false;
  std::vector<std::pair<int, std::function<void()>>> m_script;  // (delay ms, action)
  size_t m_next = 0;
  QTimer m_watchdog;
};
