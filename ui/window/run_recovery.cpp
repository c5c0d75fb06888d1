#include "window/run_recovery.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QLockFile>
#include <QSettings>
#include <QStandardPaths>
#include <algorithm>

#include "training/training_session.h"
#include "widgets/count_text.h"
#include "widgets/recent_files.h"
#include "window/live_training_view.h"
#include "window/termination_signals.h"
#include "window/unsaved_run_guard.h"

namespace {

// The runs signals saved, each under its own key (its file's name), so that instances stopped
// together do not overwrite each other's: recovery/<name>/checkpoint and /signal. Before
// 2026-12-06 one run was noted, at recovery/checkpoint and recovery/signal.
const QString kGroup = QStringLiteral("recovery");
const QString kPath = QStringLiteral("checkpoint");
const QString kSignal = QStringLiteral("signal");

struct SignalSave {
  QString path, signal;
};

// The runs signals saved and not yet restored, newest first, taken from the settings (each is
// restored or listed once).
QList<SignalSave> takeSignalSaves() {
  QSettings q;
  q.beginGroup(kGroup);
  QList<SignalSave> saves;
  if (q.contains(kPath)) saves.append({q.value(kPath).toString(), q.value(kSignal).toString()});
  q.remove(kPath);
  q.remove(kSignal);
  // Only the keys read go: another instance's noted meanwhile is there for the next start.
  for (const QString& key : q.childGroups()) {
    saves.append({q.value(key + QLatin1Char('/') + kPath).toString(),
                  q.value(key + QLatin1Char('/') + kSignal).toString()});
    q.remove(key);
  }
  q.endGroup();
  std::stable_sort(saves.begin(), saves.end(), [](const SignalSave& a, const SignalSave& b) {
    return QFileInfo(a.path).lastModified() > QFileInfo(b.path).lastModified();
  });
  return saves;
}

// The lock file beside autosave `file` (autosave-<pid>.safetensors).
QString lockOf(const QString& file) {
  return file.chopped(int(QStringLiteral(".safetensors").size())) + QStringLiteral(".lock");
}

}  // namespace

RunRecovery::RunRecovery(LiveTrainingView* live, QObject* parent) : QObject(parent), m_live(live) {
  connect(live->session()->worker(), &TrainingWorker::autosaveFailed, this,
          [this](const QString& message) {
            Q_EMIT statusMessage(tr("Could not autosave the run (%1); it trains on. Save it with "
                                    "File ▸ Save checkpoint.")
                                     .arg(message));
          });
}

RunRecovery::~RunRecovery() = default;  // the lock goes; the worker removes its autosave

QString RunRecovery::directory() {
  // Beside the run store (~/.local/share/convscope/convscope.db, or under $XDG_DATA_HOME).
  return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
         QStringLiteral("/convscope/recovered");
}

QString RunRecovery::saveForSignal(int signal, QString* error) {
  UnsavedRunGuard* guard = m_live->unsavedRunGuard();
  if (!guard->isUnsaved()) return {};
  QDir().mkpath(directory());
  // convscope-recovered-20261203-043512-4711.safetensors: never over an earlier recovery, nor
  // over another instance's stopped by the same signal (the same second, another process id).
  const QString name =
      QStringLiteral("convscope-recovered-%1-%2")
          .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")))
          .arg(QCoreApplication::applicationPid());
  const QString path = directory() + QLatin1Char('/') + name + QStringLiteral(".safetensors");
  TrainingSession* session = m_live->session();
  session->invokeAndWait(&TrainingWorker::pause);  // the weights of one step, not mid-chunk
  QString failure;
  const auto failed = connect(
      session->worker(), &TrainingWorker::failed, this,
      [&](const QString&, const QString& message) { failure = message; },
      Qt::DirectConnection);  // emitted on the worker's thread
  session->invokeAndWait(&TrainingWorker::saveCheckpoint, path);
  disconnect(failed);
  if (!failure.isEmpty() || !QFileInfo(path).isFile()) {
    if (error) *error = failure.isEmpty() ? tr("%1 was not written").arg(path) : failure;
    // The autosave, when there is one, is then the run's last copy: the next start restores it.
    session->invokeAndWait(&TrainingWorker::keepAutosave);
    return {};
  }
  QSettings q;
  q.setValue(kGroup + QLatin1Char('/') + name + QLatin1Char('/') + kPath, path);
  q.setValue(kGroup + QLatin1Char('/') + name + QLatin1Char('/') + kSignal,
             TerminationSignals::name(signal));
  return path;
}

void RunRecovery::restorePending() {
  const QStringList autosaved = adoptOrphanedAutosaves();
  const QList<SignalSave> signalled = takeSignalSaves();
  // One run is restored: the newest a signal saved, else the newest autosave. Every other run
  // recovered (other instances stopped by signals, or that crashed, before) goes to the recent
  // checkpoints, the newest on top, and is counted in the message.
  QString path, signal;
  QStringList others;
  for (const SignalSave& save : signalled) {
    if (!QFileInfo(save.path).isFile()) continue;
    if (path.isEmpty())
      path = save.path, signal = save.signal;
    else
      others << save.path;
  }
  const bool fromAutosave = path.isEmpty() && !autosaved.isEmpty();
  others += fromAutosave ? autosaved.mid(1) : autosaved;
  std::stable_sort(others.begin(), others.end(), [](const QString& a, const QString& b) {
    return QFileInfo(a).lastModified() > QFileInfo(b).lastModified();
  });
  for (auto it = others.rbegin(); it != others.rend(); ++it) m_live->recentCheckpoints()->add(*it);
  // A run restored (or failing to) is listed too: the newest others fill the rest of the list.
  const bool restoring = fromAutosave || !path.isEmpty();
  const int listed = RecentFiles::kMaxFiles - (restoring ? 1 : 0);
  const QString count =
      countText(others.size(), tr("other recovered run"), tr("other recovered runs"));
  const QString more = others.isEmpty() ? QString()
                       : others.size() <= listed
                           ? count
                           : tr("the newest %1 of %2 (all in %3)")
                                 .arg(listed)
                                 .arg(count, QDir::toNativeSeparators(directory()));
  if (fromAutosave) {
    return restore(autosaved.front(),
                   tr("Restored the run Convscope was training when it stopped unexpectedly "
                      "(autosaved %1), from %2")
                       .arg(QLocale().toString(QFileInfo(autosaved.front()).lastModified(),
                                               QLocale::ShortFormat),
                            QDir::toNativeSeparators(autosaved.front())),
                   more);
  }
  if (path.isEmpty()) {
    if (!signalled.isEmpty())  // each file gone: said of the newest
      Q_EMIT statusMessage(
          tr("The run saved when %1 stopped Convscope is gone: %2")
              .arg(signalled.front().signal, QDir::toNativeSeparators(signalled.front().path)) +
          (more.isEmpty() ? QString() : tr("; %1 under File ▸ Recent checkpoints").arg(more)));
    return;
  }
  restore(path,
          tr("Restored the run %1 stopped, from %2").arg(signal, QDir::toNativeSeparators(path)),
          more);
}

void RunRecovery::restore(const QString& path, const QString& message, const QString& more) {
  // Said once the run is back, after (and so over) the load's own message. A failed load says why
  // itself (a dataset missing at this start, say); the file stays, listed with the recent
  // checkpoints to load once that is put right, and where it is is said.
  TrainingWorker* worker = m_live->session()->worker();
  auto done = std::make_shared<QMetaObject::Connection[]>(2);
  const auto end = [done] {
    QObject::disconnect(done[0]);
    QObject::disconnect(done[1]);
  };
  done[0] = connect(worker, &TrainingWorker::checkpointLoaded, this, [this, message, more, end] {
    end();
    Q_EMIT statusMessage(message + (more.isEmpty()
                                        ? QString()
                                        : tr("; %1 under File ▸ Recent checkpoints").arg(more)));
  });
  done[1] = connect(worker, &TrainingWorker::failed, this, [this, path, more, end] {
    end();
    Q_EMIT statusMessage(tr("The recovered run could not be loaded; it is kept in %1, under File "
                            "▸ Recent checkpoints")
                             .arg(QDir::toNativeSeparators(path)) +
                         (more.isEmpty() ? QString() : tr(" with %1").arg(more)));
  });
  // Listed before it loads: should the app end meanwhile, the run is found there at the next start
  // (its settings key is gone, an autosave renamed).
  m_live->recentCheckpoints()->add(path);
  m_live->loadCheckpoint(path);
}

void RunRecovery::startAutosave(int intervalMs) {
  const QString dir = directory();
  const QString path =
      dir + QStringLiteral("/autosave-%1.safetensors").arg(QCoreApplication::applicationPid());
  auto lock = std::make_unique<QLockFile>(lockOf(path));
  lock->setStaleLockTime(0);  // held for the whole session: stale only when its process is gone
  if (!QDir().mkpath(dir) || !lock->tryLock(0)) {
    Q_EMIT statusMessage(tr("No autosave: %1 cannot be locked").arg(QDir::toNativeSeparators(dir)));
    return;
  }
  m_lock = std::move(lock);
  m_live->session()->invoke(&TrainingWorker::setAutosave, path, intervalMs);
}

QStringList RunRecovery::adoptOrphanedAutosaves() {
  QDir dir(directory());
  QStringList adopted;
  const QFileInfoList files = dir.entryInfoList({QStringLiteral("autosave-*.safetensors")},
                                                QDir::Files, QDir::Time);  // newest first
  for (const QFileInfo& file : files) {
    QLockFile lock(lockOf(file.filePath()));
    lock.setStaleLockTime(0);
    if (!lock.tryLock(0)) continue;  // its instance is running
    const QString stem = QStringLiteral("convscope-autosaved-") +
                         file.lastModified().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString name = stem + QStringLiteral(".safetensors");
    for (int n = 2; dir.exists(name); ++n) name = stem + QStringLiteral("-%1.safetensors").arg(n);
    if (dir.rename(file.fileName(), name)) adopted << dir.filePath(name);
  }
  return adopted;
}
