#include "bench_director.h"

#include <unistd.h>
#include <QAction>
#include <QDir>
#include <QFile>
#include <QThread>
#include <algorithm>
#include <cstdio>

#include "settings/hyperparameter_panel.h"
#include "training/training_session.h"
#include "window/live_training_view.h"
#include "window/main_window.h"
#include "window/unsaved_run_guard.h"

namespace {

// utime + stime of thread `tid` of this process, in seconds (Linux /proc); -1 when unknown.
double threadCpuSeconds(long tid) {
  QFile stat(QStringLiteral("/proc/self/task/%1/stat").arg(tid));
  if (!stat.open(QIODevice::ReadOnly)) return -1;
  const QByteArray line = stat.readAll();
  // Fields after the command name in parentheses (which may hold spaces): state is field 3.
  const QList<QByteArray> f = line.mid(line.lastIndexOf(')') + 2).split(' ');
  if (f.size() < 13) return -1;
  return (f[11].toDouble() + f[12].toDouble()) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The id of the thread named `name` ("convscope-train…": Linux keeps the first 15 bytes).
long threadNamed(const QByteArray& name) {
  const QByteArray wanted = name.left(15);
  for (const QString& entry : QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs)) {
    QFile comm(QStringLiteral("/proc/self/task/%1/comm").arg(entry));
    if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == wanted) return entry.toLong();
  }
  return -1;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty()      ? 0
         : v.size() % 2 ? v[v.size() / 2]
                        : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

}  // namespace

BenchDirector::BenchDirector(MainWindow* window, int epochs, QObject* parent)
    : QObject(parent), m_window(window), m_epochs(std::max(2, epochs)) {
  m_watchdog.setSingleShot(true);
  m_watchdog.setInterval(kTimeoutMs);
  connect(&m_watchdog, &QTimer::timeout, this, [this] { fail(tr("timed out")); });
}

void BenchDirector::start() {
  LiveTrainingView* live = m_window->live();
  TrainingWorker* worker = live->session()->worker();
  connect(worker, &TrainingWorker::evaluated, this, &BenchDirector::onEvaluated);
  connect(worker, &TrainingWorker::runStarted, this,
          [this](const RunInfo& info) { m_trainCount = info.data->train.count; });
  connect(worker, &TrainingWorker::failed, this,
          [this](const QString& title, const QString& message) { fail(title + ": " + message); });
  live->unsavedRunGuard()->setAsker([](const QString&) {
    return UnsavedRunGuard::Answer{UnsavedRunGuard::Answer::Discard, {}};
  });
  TrainingSettings reference;  // the network convscope-cli bench trains
  reference.backend = cs::BackendChoice::Cpu;
  reference.epochs = m_epochs;
  reference.datasetDir = live->panel()->settings().datasetDir;
  live->panel()->setSettings(reference);
  m_watchdog.start();
  m_window->showView(MainWindow::LiveView);
  QTimer::singleShot(1500, this, [this, live] {
    if (!live->actions().start->isEnabled())
      return fail(tr("cannot start: %1").arg(live->panel()->validation().message));
    std::printf("convscope: training %d epochs of the reference network in the app…\n", m_epochs);
    std::fflush(stdout);
    m_wall.start();
    live->actions().start->trigger();
  });
}

BenchDirector::CpuClock BenchDirector::readClocks() const {
  static const long training = threadNamed("convscope-training");
  return {m_wall.nsecsElapsed() * 1e-9, threadCpuSeconds(getpid()), threadCpuSeconds(training)};
}

void BenchDirector::onEvaluated(const EvaluationReport& evaluation) {
  if (!evaluation.metrics.epoch_end || m_done) return;
  m_epochEnds.push_back(m_wall.nsecsElapsed() * 1e-9);
  if (m_epochEnds.size() == 1) m_timedStart = readClocks();
  if (static_cast<int>(m_epochEnds.size()) < m_epochs) return;
  m_timedEnd = readClocks();
  m_done = true;
  report();
}

void BenchDirector::report() {
  std::vector<double> epochs;
  for (size_t i = 1; i < m_epochEnds.size(); ++i)
    epochs.push_back(m_epochEnds[i] - m_epochEnds[i - 1]);
  const double wall = m_timedEnd.wall - m_timedStart.wall;
  const double gui = 100 * (m_timedEnd.gui - m_timedStart.gui) / wall;
  const double training = 100 * (m_timedEnd.training - m_timedStart.training) / wall;
  const double count = m_trainCount;
  const double epoch = median(epochs);
  std::printf("app epoch s (with its evaluation) min %.3f median %.3f max %.3f\n",
              *std::min_element(epochs.begin(), epochs.end()), epoch,
              *std::max_element(epochs.begin(), epochs.end()));
  std::printf("app samples/s %.0f · GUI thread %.1f%% of a core · training thread %.1f%%\n",
              count / epoch, gui, training);
  std::printf(
      "{\"app_epoch_seconds\":%.4f,\"app_samples_per_second\":%.1f,\"gui_thread_cpu_percent\":%.2f,"
      "\"training_thread_cpu_percent\":%.2f}\n",
      epoch, count / epoch, gui, training);
  std::fflush(stdout);
  m_window->live()->session()->invoke(&TrainingWorker::stop);
  QTimer::singleShot(200, this, [this] { Q_EMIT finished(0); });
}

void BenchDirector::fail(const QString& why) {
  if (m_failed) return;
  m_failed = m_done = true;
  std::fprintf(stderr, "convscope: bench failed: %s\n", qPrintable(why));
  Q_EMIT finished(1);
}
