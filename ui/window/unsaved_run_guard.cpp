#include "window/unsaved_run_guard.h"

#include <QLocale>
#include <QMessageBox>

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
  connect(w, &TrainingWorker::checkpointSaved, this, [this](const QString&, long long step) {
    m_savedStep = step;
    if (!m_savePending) return;
    m_savePending = false;
    Q_EMIT pendingSaveDone(true);
  });
  connect(w, &TrainingWorker::failed, this, [this] {
    if (!m_savePending) return;
    m_savePending = false;
    Q_EMIT pendingSaveDone(false);
  });
}

bool UnsavedRunGuard::confirm(const QString& action, const QString& discards) {
  if (!isUnsaved()) return true;
  const Answer answer = ask(tr("%1 discards %2: %3 trained steps are not saved.")
                                .arg(action)
                                .arg(discards.isEmpty() ? tr("the current run") : discards)
                                .arg(QLocale().toString(m_step - m_savedStep)));
  if (answer.choice == Answer::Cancel) return false;
  if (answer.choice == Answer::Save) {
    if (answer.path.isEmpty()) return false;
    m_savePending = true;
    m_session->invoke(&TrainingWorker::saveCheckpoint, answer.path);
  }
  return true;
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
