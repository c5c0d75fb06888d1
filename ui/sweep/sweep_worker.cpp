#include "sweep/sweep_worker.h"

#include <QCoreApplication>
#include <memory>

#include "convscope/error.h"
#include "convscope/store.h"
#include "convscope/sweep_run.h"

namespace {

constexpr int kReportMs = 100;

}  // namespace

SweepWorker::SweepWorker(QObject* parent) : QObject(parent) {}

void SweepWorker::run(const SweepRequest& request) {
  m_clock.start();
  m_sinceReport.start();
  m_progress = {};
  try {
    cs::Store store(request.storePath.toStdString());
    // Resuming by id runs the stored definition, whatever the request's plan says.
    cs::SweepPlan plan =
        request.resume >= 0
            ? cs::SweepPlan::from_definition(store.load_sweep(request.resume).definition)
            : request.plan;
    DatasetPtr data = request.data;
    if (!data) {
      const std::string& name = plan.settings.data;
      const std::string dir = request.resume >= 0 ? cs::stored_sweep_folder(name, request.resume)
                                                  : cs::dataset_folder(name);
      data = std::make_shared<const cs::DatasetPair>(cs::load_idx_folder(dir, name));
    }
    const int limit = plan.settings.limit_train;
    if (limit > 0 && limit < data->train.count)
      data = std::make_shared<const cs::DatasetPair>(
          cs::DatasetPair{data->train.head(limit), data->test});
    cs::check_sweep(plan, data->train, data->test);  // a configuration that cannot run: no record
    if (m_cancel.load(std::memory_order_relaxed)) {
      Q_EMIT finished(-1, true, 0, 0);
      return;
    }

    cs::BackendSelection sel = cs::make_backend(request.backend);
    const cs::BackendInfo backend = sel.backend->info();
    QString where = QStringLiteral("%1 (%2)").arg(QString::fromStdString(backend.kind),
                                                  QString::fromStdString(backend.device));
    if (!sel.note.empty()) where += QStringLiteral(" — ") + QString::fromStdString(sel.note);
    cs::LocalTransport transport;
    cs::SweepContext ctx{&data->train, &data->test, sel.backend.get(), &transport,
                         QCoreApplication::applicationVersion().toStdString()};

    cs::SweepHooks hooks;
    hooks.cancel_requested = [this] { return m_cancel.load(std::memory_order_relaxed); };
    hooks.planned = [&](const cs::SweepRecord& sweep, const std::vector<cs::SweepUnit>& units) {
      m_progress.sweep = sweep.id;
      m_progress.configs = static_cast<int>(sweep.configs.size());
      m_progress.finished = sweep.finished();
      m_progress.units = static_cast<int>(units.size());
      Q_EMIT started(sweep.id, tr("%1 configurations × %2 networks, %3 to train, on %4")
                                   .arg(m_progress.configs)
                                   .arg(plan.settings.nets)
                                   .arg(m_progress.units)
                                   .arg(where));
      Q_EMIT progress(m_progress);
    };
    hooks.stepped = [&](const cs::SweepUnit& unit, const cs::Trainer& trainer) {
      if (unit.config != m_progress.config) {
        if (m_progress.config >= 0) ++m_progress.unitsDone;
        m_progress.config = unit.config;
      }
      const double steps = double(trainer.steps_per_epoch()) * plan.settings.epochs;
      m_progress.unitFraction = steps > 0 ? double(trainer.global_step()) / steps : 0;
      if (m_sinceReport.elapsed() < kReportMs) return;
      m_sinceReport.restart();
      m_progress.elapsedSeconds = m_clock.elapsed() / 1000.0;
      Q_EMIT progress(m_progress);
    };
    hooks.epoch_recorded = [&](int config, int64_t run, const cs::EpochMetrics& m,
                               const cs::EvalResult&) {
      if (m.epoch == plan.settings.epochs) ++m_progress.finished;
      Q_EMIT epochRecorded(m_progress.sweep, config, run, m.epoch, m.val_accuracy);
    };
    hooks.unit_failed = [&](const cs::SweepUnit& unit, const std::string& error) {
      // One that failed before its first step (its run could not be continued) is done too; one
      // that stepped is counted when the next one steps, as a finished one is.
      if (unit.config != m_progress.config) ++m_progress.unitsDone;
      Q_EMIT configFailed(unit.config, QString::fromStdString(error));
    };
    const cs::SweepOutcome out = cs::run_sweep(&store, plan, request.resume, ctx, hooks);
    if (!out.cancelled) m_progress.unitsDone = m_progress.units;
    m_progress.elapsedSeconds = m_clock.elapsed() / 1000.0;
    Q_EMIT progress(m_progress);
    Q_EMIT finished(out.sweep, out.cancelled, out.finished, out.configs);
  } catch (const std::exception& e) {
    const cs::ErrorText error = cs::describe(e);
    QString message = QString::fromStdString(error.message);
    if (m_progress.sweep >= 0)
      message += tr("\n\nSweep %1 keeps its finished configurations; resume it to train the "
                    "others.")
                     .arg(m_progress.sweep);
    Q_EMIT failed(m_progress.sweep, QString::fromStdString(error.title), message);
  }
}
