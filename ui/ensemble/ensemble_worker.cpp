#include "ensemble/ensemble_worker.h"

#include <QCoreApplication>

#include "convscope/store.h"

namespace {

constexpr int kReportMs = 100;

std::vector<cs::NamedTensor> networkWeights(cs::Backend& backend, const cs::NetworkSpec& spec,
                                            int net) {
  std::vector<cs::NamedTensor> out;
  const std::vector<cs::ParamInfo> params = spec.params();
  for (size_t p = 0; p < params.size(); ++p) {
    cs::NamedTensor t{params[p].name, params[p].shape,
                      std::vector<float>(static_cast<size_t>(params[p].size()))};
    backend.read_tensor(net, static_cast<int>(p), cs::TensorRole::Param, t.data.data());
    out.push_back(std::move(t));
  }
  return out;
}

QString text(const std::exception& e) {
  return QString::fromUtf8(e.what());
}

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
  p.etaSeconds = perNet > 0 ? (double(m_trainCount) * p.epochs - seen) / perNet : -1;
  Q_EMIT progress(p);
}

void EnsembleWorker::train(const EnsembleRequest& request) {
  m_clock.start();
  m_progress = {};
  m_progress.nets = request.config.group.nets();
  m_progress.epochs = request.config.epochs;
  qint64 run = -1;
  int epochsDone = 0;
  const auto fail = [&](const QString& title, const QString& message) {
    QString detail = message;
    if (run >= 0)
      detail += tr("\n\nRun %1 keeps its %2.")
                    .arg(run)
                    .arg(countText(epochsDone, tr("finished epoch"), tr("finished epochs")));
    Q_EMIT failed(run, title, detail);
  };
  try {
    cs::Store store(request.storePath.toStdString());
    const bool cancelled = trainInto(store, request, run, epochsDone);
    Q_EMIT finished(run, cancelled);
  } catch (const cs::DivergenceError& e) {
    fail(tr("Training diverged"), text(e));
  } catch (const cs::BackendError& e) {
    fail(tr("Backend error"), text(e));
  } catch (const cs::StoreError& e) {
    fail(tr("Run store error"), text(e));
  } catch (const cs::DataError& e) {
    fail(tr("Dataset error"), text(e));
  } catch (const cs::SpecError& e) {
    fail(tr("Architecture error"), text(e));
  } catch (const cs::CheckpointError& e) {
    fail(tr("Saving the weights failed"), text(e));
  } catch (const std::exception& e) {
    fail(tr("Ensemble training failed"), text(e));
  }
  // An unfinished run is marked "interrupted" when the store closes (it did, above).
}

bool EnsembleWorker::trainInto(cs::Store& store, const EnsembleRequest& request, qint64& run,
                               int& epochsDone) {
  setPhase(EnsembleProgress::Phase::Loading);
  DatasetPtr data = request.data;
  if (!data)
    data = std::make_shared<const cs::DatasetPair>(
        cs::load_idx_folder(cs::default_mnist_dir(), "mnist"));
  if (request.trainLimit > 0 && request.trainLimit < data->train.count)
    data = std::make_shared<const cs::DatasetPair>(
        cs::DatasetPair{data->train.head(request.trainLimit), data->test});
  if (m_cancel.load(std::memory_order_relaxed)) return true;

  setPhase(EnsembleProgress::Phase::Preparing);
  cs::BackendSelection sel = cs::make_backend(request.backend);
  const cs::TrainConfig& cfg = request.config;
  cs::Trainer trainer(*sel.backend, data->train, data->test, cfg);
  const cs::BackendInfo backend = sel.backend->info();
  run = store.begin_run(cs::RunSetup::from(cfg, data->train, data->test, backend,
                                           QCoreApplication::applicationVersion().toStdString()));
  m_progress.run = run;
  m_progress.stepsPerEpoch = trainer.steps_per_epoch();
  m_trainCount = data->train.count;
  QString description =
      tr("%1 × %2 on %3 (%4)")
          .arg(cfg.group.nets())
          .arg(QString::fromStdString(cfg.group.spec.to_string()),
               QString::fromStdString(backend.kind), QString::fromStdString(backend.device));
  if (!sel.note.empty()) description += QStringLiteral(" — ") + QString::fromStdString(sel.note);
  Q_EMIT started(run, description);

  m_training.start();
  setPhase(EnsembleProgress::Phase::Training);
  while (!trainer.finished()) {
    if (m_cancel.load(std::memory_order_relaxed)) {
      store.cancel_run(run);
      reportProgress(trainer, true);
      return true;
    }
    const int before = trainer.epoch();
    trainer.step();
    if (trainer.epoch() != before) {
      const cs::EpochMetrics& m = trainer.epochs().back();
      store.record_epoch(run, m, trainer.last_eval());
      epochsDone = m.epoch;
      m_progress.lastMeanAccuracy = m.val_accuracy;
      Q_EMIT epochRecorded(run, m.epoch, m.val_accuracy);
    }
    reportProgress(trainer, trainer.epoch() != before);
  }
  setPhase(EnsembleProgress::Phase::Saving);
  for (int net = 0; net < cfg.group.nets(); ++net)
    store.save_weights(run, net, networkWeights(*sel.backend, cfg.group.spec, net));
  store.finish_run(run);
  return false;
}
