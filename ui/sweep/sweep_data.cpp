#include "sweep/sweep_data.h"

#include <QLocale>
#include <algorithm>
#include <set>

#include "convscope/ensemble.h"
#include "convscope/sweep.h"

QString SweepConfigResult::statusText() const {
  const QString learning = result.warning.isEmpty() ? QString() : QStringLiteral(" · not learning");
  if (finished) return QStringLiteral("finished") + learning;
  if (run < 0) return QStringLiteral("unfinished (not begun)") + learning;
  const QString why = QString::fromStdString(cs::to_string(status));
  const QString where =
      stoppedAt > 0 ? QStringLiteral("%1 images into epoch %2 of %3")
                          .arg(QLocale().toString(stoppedAt))
                          .arg(result.epochsDone + 1)
                          .arg(epochs)
                    : QStringLiteral("after %1 of %2 epochs").arg(result.epochsDone).arg(epochs);
  return QStringLiteral("unfinished (%1 %2)").arg(why, where) + learning;
}

QString SweepConfigResult::param(const QString& name) const {
  for (const auto& [n, v] : params)
    if (n == name) return v;
  return {};
}

QString SweepConfigResult::label() const {
  QStringList parts;
  for (const auto& [n, v] : params) parts << n + QLatin1Char('=') + v;
  return QStringLiteral("#%1 %2").arg(index).arg(parts.join(QStringLiteral(" ")));
}

namespace {

SweepRunResult readRunResult(cs::Store& store, qint64 run) {
  const cs::StoredRun stored = store.load_run(run);
  SweepRunResult r;
  r.epochsDone = stored.info.epochs_done;
  if (!stored.epochs.empty()) {
    r.accuracy = stored.epochs.back().net_val_accuracy;
    r.warning = QString::fromStdString(stored.epochs.back().warning);
  }
  r.distribution = cs::describe_distribution(r.accuracy);
  if (stored.eval.nets > 0)
    r.voteAccuracy = cs::compute_ensemble_stats(stored.eval, stored.info.setup.val_labels,
                                                stored.info.setup.group.spec.classes)
                         .vote_accuracy;
  return r;
}

}  // namespace

std::shared_ptr<const SweepData> SweepData::load(cs::Store& store, qint64 sweep,
                                                 SweepRunResults* known) {
  const cs::SweepRecord record = store.load_sweep(sweep);
  const cs::SweepPlan plan = cs::SweepPlan::from_definition(record.definition);
  auto d = std::make_shared<SweepData>();
  d->m_id = record.id;
  d->m_created = QString::fromStdString(record.created);
  d->m_definition = record.definition;
  d->m_beingTrained = record.trained_elsewhere;
  d->m_resumable = record.resumable();
  d->m_nets = plan.settings.nets;
  d->m_epochs = plan.settings.epochs;
  d->m_data = QString::fromStdString(plan.settings.data);
  std::set<QString> names;
  for (const cs::SweepConfigState& state : record.configs) {
    SweepConfigResult c;
    c.index = state.index;
    c.key = QString::fromStdString(state.key);
    if (state.index >= 0 && state.index < static_cast<int>(plan.configs.size()))
      for (const auto& [n, v] : plan.configs[state.index].params) {
        c.params.emplace_back(QString::fromStdString(n), QString::fromStdString(v));
        names.insert(c.params.back().first);
      }
    c.run = state.run;
    c.status = state.status;
    c.finished = state.finished();
    c.epochs = plan.settings.epochs;
    if (state.run >= 0) {
      const int epochsDone = store.load_run_info(state.run).epochs_done;
      const auto it = known ? known->find(state.run) : SweepRunResults::iterator{};
      c.result = known && it != known->end() && it->second.epochsDone == epochsDone
                     ? it->second
                     : readRunResult(store, state.run);
      if (!c.finished)
        if (const auto place = store.load_stopped_epoch(state.run, false))
          c.stoppedAt = place->position;
      if (known) (*known)[state.run] = c.result;
    }
    d->m_configs.push_back(std::move(c));
  }
  d->m_parameters = QStringList(names.begin(), names.end());
  return d;
}

QStringList SweepData::swept() const {
  QStringList out;
  for (const QString& name : m_parameters)
    if (values(name).size() > 1) out << name;
  return out;
}

int SweepData::finishedCount() const {
  return static_cast<int>(std::count_if(m_configs.begin(), m_configs.end(),
                                        [](const SweepConfigResult& c) { return c.finished; }));
}

QStringList SweepData::values(const QString& name) const {
  QStringList out;
  for (const SweepConfigResult& c : m_configs) {
    const QString v = c.param(name);
    if (!out.contains(v)) out << v;
  }
  std::sort(out.begin(), out.end(), [](const QString& a, const QString& b) {
    bool na = false, nb = false;
    const double x = a.toDouble(&na), y = b.toDouble(&nb);
    if (na && nb) return x < y;
    if (na != nb) return na;  // numbers first
    return a < b;
  });
  return out;
}
