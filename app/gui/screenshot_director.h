// Automation for the README screenshots: starts a real training run, pauses after N steps,
// evaluates the validation set, then grabs the window in each view and tab and quits.
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
  void onProgress(const TrainingProgress& progress);
  void onEvaluated();
  void takeScreenshots();
  void runNext();
  void shoot(const QString& name);
  void fail(const QString& why);

  MainWindow* m_window;
  int m_steps;
  QDir m_dir;
  bool m_pausing = false;
  bool m_shooting = false;
  bool m_failed = false;
  std::vector<std::pair<int, std::function<void()>>> m_script;  // (delay ms, action)
  size_t m_next = 0;
  QTimer m_watchdog;
};
