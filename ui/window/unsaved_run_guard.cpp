#include "window/unsaved_run_guard.h"

#include <QDir>
#include <QLocale>
#include <QMessageBox>
#include <utility>

#include "training/training_session.h"
#include "widgets/file_dialogs.h"

UnsavedRunGuard::UnsavedRunGuard(TrainingSession* session, QWidget* dialogParent)
    : QObject(session), m_session(session), m_dialogParent(dialogParent) {
  TrainingWorker* w = session->worker();
  connect(w, &TrainingWorker::progress, this,
          [this](const TrainingProgress& p) { m_step = p.globalStep; });
  connect(w, &TrainingWorker::runStarted, this, [this] { m_step = m_savedStep = 0; });
  connect(w, &TrainingWorker::runCleared, this, [this] { m_step = m_savedStep = 0; });
  connect(
      w, &TrainingWorker::checkpointLoaded, this,
      [this](const QString&, const cs::CheckpointMeta& meta) { m_step = m_savedStep = meta.step; });
  connect(w, &TrainingWorker::checkpointSaved, this, [this](const QString& path, long long step) {
    m_savedStep = step;
    const QString saved = tr("Saved checkpoint %1").arg(QDir::toNativeSeparators(path));
    const QString dropped = pendingSaveEnded(path, true);
    Q_EMIT statusMessage(dropped.isEmpty() ? saved : saved + QStringLiteral("; ") + dropped);
  });
  connect(w, &TrainingWorker::checkpointSaveFailed, this,
          [this](const QString& path) { pendingSaveEnded(path, false); });
  // After the progress at the step it went back to.
  connect(w, &TrainingWorker::historyTakenBack, this, [this] {
    if (m_savedStep == kNoFile || m_step >= m_savedStep) return;  // the count stays true
    m_takenBackTo = m_step;
    m_savedStep = kNoFile;
  });
}

void UnsavedRunGuard::confirm(const QString& action, const QString& discards,
                              std::function<void()> proceed) {
  if (m_pending) return;  // one question at a time: the last answer's save is under way
  if (!isUnsaved()) return proceed();
  const QString what = discards.isEmpty() ? tr("the current run") : discards;
  const Answer answer =
      ask(m_savedStep == kNoFile
              ? tr("%1 discards %2: no file holds it since a divergence took it back to step %3.")
                    .arg(action, what, QLocale().toString(m_takenBackTo))
              : tr("%1 discards %2: %3 trained steps are not saved.")
                    .arg(action, what, QLocale().toString(m_step - m_savedStep)));
  if (answer.choice == Answer::Discard) return proceed();
  if (answer.choice != Answer::Save || answer.path.isEmpty()) return;
  m_pendingPath = answer.path;
  m_pending = std::move(proceed);
  m_pendingAction = {action, discards, m_session->state() == TrainingState::Running};
  m_session->invoke(&TrainingWorker::saveCheckpoint, answer.path);
}

QString UnsavedRunGuard::pendingSaveEnded(const QString& path, bool ok) {
  if (!m_pending || path != m_pendingPath) return {};  // File > Save checkpoint's own
  std::function<void()> proceed = std::exchange(m_pending, nullptr);
  if (!ok) return {};
  // A run asked about while training trains on during the save, as the question said. One asked
  // about while paused and set training again before the file was written (a slow disk; the
  // worker saves before it takes the request) is wanted on: the action is dropped, and said.
  const PendingAction asked = std::exchange(m_pendingAction, {});
  if (!asked.whileTraining && asked.trainingRequested)
    return tr("%1 was not done: the run was set training while it was saved").arg(asked.action);
  proceed();
  return {};
}

void UnsavedRunGuard::trainingRequested() {
  m_pendingAction.trainingRequested = true;  // a question asked later starts afresh
}

void UnsavedRunGuard::saveAs() {
  const QString path = askCheckpointPath(tr("Save checkpoint"), checkpointFileName());
  if (!path.isEmpty()) m_session->invoke(&TrainingWorker::saveCheckpoint, path);
}

QString UnsavedRunGuard::checkpointFileName() const {
  return QStringLiteral("convscope-step%1.safetensors").arg(m_step);
}

UnsavedRunGuard::Answer UnsavedRunGuard::ask(const QString& question) const {
  if (m_asker) return m_asker(question);
  QMessageBox box(QMessageBox::Question, tr("Save the run?"), question,
                  QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, m_dialogParent);
  box.setInformativeText(tr("Save its weights as a checkpoint first?"));
  box.setDefaultButton(QMessageBox::Save);
  const int button = box.exec();
  if (button == QMessageBox::Discard) return {Answer::Discard, {}};
  if (button != QMessageBox::Save) return {Answer::Cancel, {}};
  const QString path = askCheckpointPath(tr("Save checkpoint"), checkpointFileName());
  return {path.isEmpty() ? Answer::Cancel : Answer::Save, path};
}

QString UnsavedRunGuard::askCheckpointPath(const QString& title, const QString& fileName) const {
  return askSaveFileName(m_dialogParent, title, fileName,
                         tr("Safetensors checkpoint (*.safetensors)"));
}
