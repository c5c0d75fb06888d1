// The best epoch the training worker keeps (TrainingWorker::bestEpochKept): Training ▸ Rewind to
// best epoch goes back to it, after asking about the epochs it drops; File ▸ Save best epoch as…
// writes it as a checkpoint while the run stays where it is, as Keras's restore_best_weights and
// a "best" checkpoint callback would, after the run and without undoing it.
#pragma once

#include <QObject>

#include "training/training_types.h"

class QAction;
class QWidget;
class TrainingSession;
class UnsavedRunGuard;

class BestEpochActions : public QObject {
  Q_OBJECT

 public:
  BestEpochActions(TrainingSession* session, UnsavedRunGuard* guard, QObject* parent);

  QAction* rewind() const { return m_rewind; }
  QAction* save() const { return m_save; }
  // The name the save dialog proposes: "convscope-best-epoch2-step1876.safetensors".
  QString saveFileName() const;
  // Enables and names both actions for the session's state (the view calls it with its others).
  void updateActions();

 Q_SIGNALS:
  // A checkpoint file was written (for Recent checkpoints).
  void checkpointWritten(const QString& path);
  void statusMessage(const QString& text);

 private:
  TrainingSession* m_session;
  UnsavedRunGuard* m_guard;
  QAction* m_rewind;
  QAction* m_save;
  int m_bestEpoch = 0;       // the best epoch the worker keeps (0: none)
  long long m_bestStep = 0;  // the step its weights include
  bool m_canRewind = false;  // TrainingProgress::canRewind
};
