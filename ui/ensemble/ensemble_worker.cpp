#include "ensemble/ensemble_worker.h"

#include <QCoreApplication>
#include <QLocale>

#include "convscope/ensemble_run.h"
#include "convscope/error.h"
#include "convscope/store.h"
#include "settings/training_settings.h"
#include "widgets/count_text.h"

namespace {

constexpr int kReportMs = 100;

}  // namespace

EnsembleWorker::EnsembleWorker(QObject* parent) : QObject(parent) {}

void EnsembleWorker::setPhase(EnsembleProgress::Phase phase) {
  m_progress.phase = phase;
  m_progress.elapsedSeconds = m_clock.elapsed() / 1000.0;
  m_sinceReport.restart();
  Q_EMIT progress(m_progress);
}

void EnsembleWorker::reportProgress(const cs::Trainer& trainer, bool force) {
  if (!force && m_sinceReport.elapsed() < kReportMs) return;
  m_sinceReport.restart();
  EnsembleProgress& p = m_progress;
  p.epoch = trainer.epoch();
  p.stepInEpoch = static_cast<int>(trainer.global_step() - (long long)p.epoch * p.stepsPerEpoch);
  p.elapsedSeconds = m_training.elapsed() / 1000.0;
  // Per-network samples over the time since training began (evaluations and recording included).
  const double seen = double(trainer.samples_seen());
  const double perNet = p.elapsedSeconds > 0 ? seen / p.elapsedSeconds : 0;
  p.groupSamplesPerSecond = perNet * p.nets;
  p.etaSeconds = perNet > 0 ? (1 - p.fraction()) * m_trainCount * p.epochs / perNet : -1;
  Q_EMIT progress(p);
}

void EnsembleWorker::train(const EnsembleRequest& request) {
  m_clock.start();
  m_progress = {};
  m_progress.nets = request.config.group.nets();
  m_progress.epochs = request.config.epochs;
  qint64 run = -1;
  int epochsDone = 0;
  try {
    cs::Store store(request.storePath.toStdString());
    const bool cancelled = trainInto(store, request, run, epochsDone);
    Q_EMIT finished(run, cancelled);
  } catch (const std::exception& e) {
    const cs::ErrorText error = cs::describe(e);
    QString message = QString::fromStdString(error.message);
    if (run >= 0)
      message += tr("\n\nRun %1 keeps its %2.")
                     .arg(run)
                     .arg(countText(epochsDone, tr("finished epoch"), tr("finished epochs")));
    Q_EMIT failed(run, QString::fromStdString(error.title), message);
  }
  // An unfinished run is marked "interrupted" when the store closes (it did, above).
}

bool EnsembleWorker::trainInto(cs::Store& store, const EnsembleRequest& request, qint64& run,
                               int& epochsDone) {
  setPhase(EnsembleProgress::Phase::Loading);
  DatasetPtr data = request.data;
  if (!data) {
    const QString folder = TrainingSettings::folderOf(request.dataFolder);
    data = std::make_shared<const cs::DatasetPair>(cs::load_idx_folder(
        folder.toStdString(), TrainingSettings::engineNameOf(folder).toStdString()));
  }
  if (request.trainLimit > 0 && request.trainLimit < data->train.count)
    data = std::make_shared<const cs::DatasetPair>(
        cs::DatasetPair{data->train.head(request.trainLimit), data->test});
  if (m_cancel.load(std::memory_order_relaxed)) return true;

  setPhase(EnsembleProgress::Phase::Preparing);
  cs::BackendSelection sel = cs::make_backend(request.backend);
  const cs::TrainConfig& cfg = request.config;
  cs::Trainer trainer(*sel.backend, data->train, data->test, cfg);
  const cs::BackendInfo backend = sel.backend->info();
  m_progress.stepsPerEpoch = trainer.steps_per_epoch();
  m_trainCount = data->train.count;
  QString description =
      tr("%1 × %2 on %3 (%4)")
          .arg(cfg.group.nets())
          .arg(QString::fromStdString(cfg.group.spec.to_string()),
               QString::fromStdString(backend.kind), QString::fromStdString(backend.device));
  if (!sel.note.empty()) description += QStringLiteral(" — ") + QString::fromStdString(sel.note);

  cs::EnsembleHooks hooks;
  hooks.cancel_requested = [this] { return m_cancel.load(std::memory_order_relaxed); };
  hooks.begun = [&](int64_t begun) {
    run = begun;
    epochsDone = trainer.epoch();  // a continued run's, recorded before
    m_progress.run = run;
    QString from;  // where a continued run goes on: an epoch, or inside one
    if (request.continueRun >= 0 && trainer.epoch_position() > 0)
      from = tr("from epoch %1 after %2 of its images, ")
                 .arg(trainer.epoch() + 1)
                 .arg(QLocale().toString(trainer.epoch_position()));
    else if (request.continueRun >= 0)
      from = tr("from epoch %1, ").arg(trainer.epoch() + 1);
    Q_EMIT started(run, from + description);
    m_training.start();
    m_progress.phase = EnsembleProgress::Phase::Training;
    reportProgress(trainer, true);  // where a continued run begins
  };
  hooks.stepped = [this](const cs::Trainer& t, bool epochEnded) {
    // Back from saving the previous epoch's weights: report the training at once.
    const bool resumed = m_progress.phase != EnsembleProgress::Phase::Training;
    m_progress.phase = EnsembleProgress::Phase::Training;
    reportProgress(t, epochEnded || resumed);
    if (epochEnded) setPhase(EnsembleProgress::Phase::Saving);  // recorded next, with the weights
  };
  hooks.epoch_recorded = [&](const cs::Trainer& t) {
    const cs::EpochMetrics& m = t.epochs().back();
    epochsDone = m.epoch;
    m_progress.lastMeanAccuracy = m.val_accuracy;
    m_progress.warning = QString::fromStdString(m.warning);
    Q_EMIT epochRecorded(run, m.epoch, m.val_accuracy);
    reportProgress(t, true);  // with the epoch's warning
  };
  const cs::RunSetup setup = cs::RunSetup::from(
      cfg, data->train, data->test, backend, QCoreApplication::applicationVersion().toStdString());
  if (m_cancel.load(std::memory_order_relaxed)) return true;  // before a run is stored
  const cs::EnsembleOutcome outcome =
      request.continueRun >= 0
          ? cs::continue_ensemble(store, request.continueRun, trainer, setup, hooks)
          : cs::run_ensemble(store, trainer, setup, hooks);
  if (outcome.cancelled) reportProgress(trainer, true);
  return outcome.cancelled;
}
