#include "window/best_epoch_actions.h"

#include <QAction>
#include <QDir>
#include <QLocale>
#include <utility>

#include "training/training_session.h"
#include "window/unsaved_run_guard.h"

BestEpochActions::BestEpochActions(TrainingSession* session, UnsavedRunGuard* guard,
                                   QObject* parent)
    : QObject(parent),
      m_session(session),
      m_guard(guard),
      m_rewind(new QAction(tr("Re&wind to best epoch"), this)),
      m_save(new QAction(tr("Save &best epoch as…"), this)) {
  m_rewind->setToolTip(
      tr("Go back to the end of the epoch with the lowest validation loss, paused there: its "
         "weights, optimizer state and history. The epochs after it are dropped."));
  m_save->setToolTip(
      tr("Save the run as it was at the end of the epoch with the lowest validation loss; the "
         "run goes on where it is."));
  connect(m_rewind, &QAction::triggered, this, [this] {
    m_guard->confirm(tr("Rewinding to epoch %1").arg(m_bestEpoch), tr("the epochs after it"),
                     [s = m_session] { s->invoke(&TrainingWorker::rewindToBest); });
  });
  connect(m_save, &QAction::triggered, this, [this] {
    const QString path = m_guard->askCheckpointPath(tr("Save best epoch"), saveFileName());
    if (!path.isEmpty()) m_session->invoke(&TrainingWorker::saveBest, path);
  });

  TrainingWorker* w = session->worker();
  connect(w, &TrainingWorker::progress, this, [this](const TrainingProgress& p) {
    if (std::exchange(m_canRewind, p.canRewind) != p.canRewind) updateActions();
  });
  connect(w, &TrainingWorker::runCleared, this, [this] { m_canRewind = false; });
  connect(w, &TrainingWorker::bestEpochKept, this, [this](int epoch, long long step) {
    m_bestEpoch = epoch;
    m_bestStep = step;
    updateActions();
  });
  connect(w, &TrainingWorker::rewound, this, [this](const cs::CheckpointMeta& meta, int epochs) {
    Q_EMIT statusMessage(tr("Rewound to the end of epoch %1, the best (step %2) · Resume trains "
                            "on to epoch %3")
                             .arg(meta.epoch)
                             .arg(QLocale().toString(meta.step))
                             .arg(epochs));
  });
  connect(w, &TrainingWorker::bestEpochSaved, this,
          [this](const QString& path, int epoch, long long step) {
            Q_EMIT checkpointWritten(path);
            Q_EMIT statusMessage(tr("Saved the best epoch, %1 (step %2), as %3")
                                     .arg(epoch)
                                     .arg(QLocale().toString(step))
                                     .arg(QDir::toNativeSeparators(path)));
          });
  updateActions();
}

QString BestEpochActions::saveFileName() const {
  return QStringLiteral("convscope-best-epoch%1-step%2.safetensors")
      .arg(m_bestEpoch)
      .arg(m_bestStep);
}

void BestEpochActions::updateActions() {
  const bool kept = m_session->hasRun() && m_bestEpoch > 0;
  m_rewind->setEnabled(kept && m_canRewind && m_session->state() != TrainingState::Running);
  m_rewind->setText(m_bestEpoch > 0 ? tr("Re&wind to best epoch (%1)").arg(m_bestEpoch)
                                    : tr("Re&wind to best epoch"));
  m_save->setEnabled(kept);
  m_save->setText(m_bestEpoch > 0 ? tr("Save &best epoch (%1) as…").arg(m_bestEpoch)
                                  : tr("Save &best epoch as…"));
}
