// TrainingWorker's checkpoints: saving the run (and autosaving it), loading one into a new run,
// and the best epoch kept for Rewind and Save best epoch. The rest of the class is in
// training_worker.cpp.
#include "training/training_worker.h"

#include "convscope/checkpoint.h"
#include "training/run_checkpoint.h"

void TrainingWorker::saveCheckpoint(const QString& path) {
  if (!m_trainer) {
    Q_EMIT failed(tr("Nothing to save"),
                  tr("Start or load a run first; there are no weights yet."));
    Q_EMIT checkpointSaveFailed(path);
    return;
  }
  // A GPU's last few steps (it drains every 10): a divergence found there stops the run.
  if (!guarded([this] { m_trainer->drain_for_save(); })) {
    Q_EMIT checkpointSaveFailed(path);
    return;
  }
  try {  // a file that cannot be written leaves the run as it is, training or not
    const cs::CheckpointMeta meta = cs::checkpoint_meta(*m_trainer);
    cs::save_checkpoint(path.toStdString(), *m_backend, 0, meta);
    m_autosave.drop(meta.step);  // the run's weights are in the user's file now
    Q_EMIT checkpointSaved(path, meta.step);
  } catch (const std::exception& e) {
    reportFailure(e);
    Q_EMIT checkpointSaveFailed(path);
  }
}

void TrainingWorker::setAutosave(const QString& path, int intervalMs) {
  m_autosave.setTarget(path, intervalMs);
}

void TrainingWorker::keepAutosave() {
  m_autosave.keep();
}

void TrainingWorker::autosave(bool now) {
  if (!m_trainer) return;
  if (const QString error = m_autosave.save(*m_trainer, now); !error.isEmpty())
    Q_EMIT autosaveFailed(error);
}

void TrainingWorker::loadCheckpoint(const QString& path, const RunRequest& request) {
  if (m_state == TrainingState::Running) return;
  auto checkpoint = std::make_unique<cs::Checkpoint>();
  const QString problem = RunCheckpoint::problem(path, m_data, checkpoint.get());
  if (!problem.isEmpty()) return Q_EMIT failed(tr("Could not load the checkpoint"), problem);
  const cs::CheckpointMeta& meta = checkpoint->meta;
  RunRequest run = request;
  run.config.epochs = meta.epoch + std::max(1, request.config.epochs);  // N more
  if (!adoptCheckpoint(*checkpoint, run, m_data)) return;
  m_autosave.drop(meta.step);  // the file loaded holds it
  Q_EMIT checkpointLoaded(path, RunCheckpoint::settingsOf(meta));
  // Loaded at the end of its best epoch, it is the best epoch kept.
  const bool keep = RunCheckpoint::atBestEpoch(*m_trainer) &&
                    RunCheckpoint::fitsInMemory(m_trainer->config().group);
  keepBest(keep ? std::move(checkpoint) : nullptr);
}

void TrainingWorker::rewindToBest() {
  if (!m_trainer || !m_best || m_state == TrainingState::Running) return;
  if (m_best->meta.step == m_backend->step_count()) return;  // there already
  std::unique_ptr<cs::Checkpoint> best = std::move(m_best);
  // The run's own datasets and plan, whatever the panel has chosen since.
  const int epochs = m_trainer->config().epochs;
  if (!adoptCheckpoint(*best, {m_trainer->config(), m_backendChoice}, m_runData)) return;
  guarded([this] { autosave(true); });  // no file holds these weights
  keepBest(std::move(best));
  Q_EMIT rewound(RunCheckpoint::settingsOf(m_best->meta), epochs);
}

void TrainingWorker::saveBest(const QString& path) {
  if (!m_best) return Q_EMIT failed(tr("Nothing to save"), tr("No epoch of this run has ended."));
  if (m_best->meta.step == m_backend->step_count()) return saveCheckpoint(path);  // it stands there
  try {  // as saveCheckpoint(): a failed write leaves the run as it is
    cs::save_checkpoint(path.toStdString(), *m_best);
    Q_EMIT bestEpochSaved(path, m_best->meta.epoch, m_best->meta.step);
  } catch (const std::exception& e) {
    reportFailure(e);
  }
}

bool TrainingWorker::adoptCheckpoint(const cs::Checkpoint& checkpoint, RunRequest request,
                                     const DatasetPtr& data) {
  const cs::CheckpointMeta& meta = checkpoint.meta;
  request.config.group = cs::checkpoint_group(meta);
  const bool ok =
      beginRun(request, meta.history, data) && guarded([&] {
        cs::load_checkpoint(checkpoint, *m_backend, 0);
        *m_history = cs::saved_learning_history(meta, *m_runData);  // on the same validation images
        cs::resume_from_checkpoint(*m_trainer, meta);
        m_lossCursor = m_trainer->losses().size();  // the UI has them from runStarted
        m_runStartStep = meta.step;
        startEpochAt(meta.step - m_trainer->step_in_epoch());
        reportEvaluation(m_trainer->evaluate(), false);
        captureSnapshot();
      });
  if (!ok) {
    reset();  // a half-loaded run would show freshly initialized weights
    return false;
  }
  setState(TrainingState::Paused);
  emitProgress(true);
  return true;
}

void TrainingWorker::keepBest(std::unique_ptr<cs::Checkpoint> best) {
  m_best = std::move(best);
  Q_EMIT bestEpochKept(m_best ? m_best->meta.epoch : 0, m_best ? m_best->meta.step : 0);
}
