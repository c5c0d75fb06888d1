// `convscope --bench-epochs N`: trains the reference network (CPU, Adam, batch 64) for N epochs of
// the real MNIST in the shown window, live views and all, and prints the median epoch wall time
// of epochs 2..N (the first warms up), the samples per second it means, and the CPU time of the
// GUI thread and the training thread as a percentage of one core. scripts/bench-app.sh sets it
// beside `convscope-cli bench` on the same machine.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <vector>

#include "training/training_types.h"

class MainWindow;

class BenchDirector : public QObject {
  Q_OBJECT

 public:
  static constexpr int kTimeoutMs = 30 * 60 * 1000;

  BenchDirector(MainWindow* window, int epochs, QObject* parent = nullptr);
  void start();

 Q_SIGNALS:
  void finished(int exitCode);

 private:
  struct CpuClock {
    double wall = 0, gui = 0, training = 0;  // seconds
  };
  CpuClock readClocks() const;
  void onEvaluated(const EvaluationReport& evaluation);
  void report();
  void fail(const QString& why);

  MainWindow* m_window;
  int m_epochs;
  QElapsedTimer m_wall;
  std::vector<double> m_epochEnds;  // wall seconds at each epoch's end
  CpuClock m_timedStart;            // at the end of the warm-up epoch
  CpuClock m_timedEnd;
  QTimer m_watchdog;
  int m_trainCount = 0;  // samples per epoch
  bool m_done = false;
  bool m_failed = false;
};
