#include "window/run_recovery.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include "training/training_session.h"
#include "window/live_training_view.h"
#include "window/termination_signals.h"
#include "window/unsaved_run_guard.h"

namespace {

const QString kPathKey = QStringLiteral("recovery/checkpoint");
const QString kSignalKey = QStringLiteral("recovery/signal");

}  // namespace

RunRecovery::RunRecovery(LiveTrainingView* live, QObject* parent) : QObject(parent), m_live(live) {}

QString RunRecovery::directory() {
  // Beside the run store (~/.local/share/convscope/convscope.db, or under $XDG_DATA_HOME).
  return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
         QStringLiteral("/convscope/recovered");
}

QString RunRecovery::saveForSignal(int signal, QString* error) {
  UnsavedRunGuard* guard = m_live->unsavedRunGuard();
  if (!guard->isUnsaved()) return {};
  QDir().mkpath(directory());
  // convscope-recovered-20261203-043512.safetensors: never over an earlier recovery (the step the
  // guard last heard of is behind the one the weights will be saved at).
  const QString path =
      directory() +
      QStringLiteral("/convscope-recovered-%1.safetensors")
          .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
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
    return {};
  }
  QSettings q;
  q.setValue(kPathKey, path);
  q.setValue(kSignalKey, TerminationSignals::name(signal));
  return path;
}

void RunRecovery::restorePending() {
  QSettings q;
  const QString path = q.value(kPathKey).toString();
  const QString signal = q.value(kSignalKey).toString();
  q.remove(QStringLiteral("recovery"));
  if (path.isEmpty()) return;
  if (!QFileInfo(path).isFile()) {
    Q_EMIT statusMessage(tr("The run saved when %1 stopped Convscope is gone: %2")
                             .arg(signal, QDir::toNativeSeparators(path)));
    return;
  }
  m_live->loadCheckpoint(path);
  Q_EMIT statusMessage(
      tr("Restoring the run %1 stopped, from %2").arg(signal, QDir::toNativeSeparators(path)));
}
