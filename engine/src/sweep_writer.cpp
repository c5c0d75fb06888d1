// Rank 0's store writes for a sweep (see sweep_writer.h).
#include "sweep_writer.h"

#include <algorithm>
#include <string>

namespace cs {

namespace {

// `values` (a network's parameters, or its `slots` optimizer slots, concatenated) as tensors: the
// parameters themselves (slots 0), or every slot of every parameter, named as checkpoints name
// them.
std::vector<NamedTensor> unflatten(const std::vector<ParamInfo>& params, const float* values,
                                   int slots) {
  std::vector<NamedTensor> out;
  for (int s = 0; s < std::max(1, slots); ++s)
    for (const ParamInfo& info : params) {
      const size_t size = static_cast<size_t>(info.size());
      out.push_back({slots == 0 ? info.name : optimizer_slot_name(s, info.name), info.shape,
                     std::vector<float>(values, values + size)});
      values += size;
    }
  return out;
}

}  // namespace

SweepWriter::SweepWriter(Store& store, const SweepPlan& plan, int64_t sweep,
                         const SweepContext& ctx, const SweepHooks& hooks,
                         const std::vector<SweepUnit>& units,
                         const std::map<int, SweepContinued>& continued)
    : m_store(store), m_plan(plan), m_sweep(sweep), m_ctx(ctx), m_hooks(hooks) {
  for (const SweepUnit& u : units) {
    ConfigState& st = m_configs[u.config];
    if (st.units++ == 0)
      st.cfg = sweep_train_config(plan.configs[u.config], plan.settings, *ctx.train, 0,
                                  plan.settings.nets);
  }
  for (const auto& [config, c] : continued) {
    m_store.continue_run(c.run, plan.settings.epochs);
    m_configs.at(config).run = c.run;
    m_configs.at(config).recorded = c.from.epoch;
  }
}

void SweepWriter::handle(const SweepReport& r) {
  const auto it = m_configs.find(r.unit.config);
  if (it == m_configs.end())
    throw SweepError("a report for configuration " + std::to_string(r.unit.config) +
                     ", which is not in this sweep's work");
  ConfigState& st = it->second;
  switch (r.kind) {
    case SweepReport::Kind::Epoch:
      if (!st.failed) add_epoch(r.unit.config, st, r);
      break;
    case SweepReport::Kind::Place:
      if (!st.failed) save_place(r.unit.config, st, r);
      break;
    case SweepReport::Kind::Failed:
      st.failed = true;
      if (m_hooks.unit_failed) m_hooks.unit_failed(r.unit, r.error);
      [[fallthrough]];
    case SweepReport::Kind::Done:
      if (++st.ended < st.units) break;
      if (st.run >= 0 && (st.failed || st.recorded < m_plan.settings.epochs))
        m_store.cancel_run(st.run);  // a place saved inside an epoch stays: it goes on from there
      else if (st.run >= 0)
        m_store.finish_run(st.run);
      ++m_ended_configs;
      break;
    case SweepReport::Kind::Alive:
      break;
  }
}

void SweepWriter::cancel_open() {
  for (auto& [config, st] : m_configs)
    if (st.run >= 0 && st.ended < st.units) {
      m_store.cancel_run(st.run);
      st.ended = st.units;
    }
}

void SweepWriter::add_epoch(int config, ConfigState& st, const SweepReport& r) {
  const int N = st.cfg.group.nets(), count = r.eval.count;
  const long long params = st.cfg.group.spec.param_count();
  const size_t slots = static_cast<size_t>(st.cfg.group.optimizer.slots()) * params;
  if (r.unit.first_net + r.unit.nets > N ||
      r.weights.size() != static_cast<size_t>(r.unit.nets) * params ||
      r.slots.size() != static_cast<size_t>(r.unit.nets) * slots)
    throw SweepError("a report of configuration " + std::to_string(config) +
                     " does not fit its networks");
  EpochParts& p = st.epochs[r.epoch];
  if (p.units == 0) {
    p.eval.nets = N;
    p.eval.count = count;
    p.eval.loss.resize(N);
    p.eval.accuracy.resize(N);
    p.eval.top_labels.resize(size_t(N) * count * 3);
    p.eval.top_probs.resize(size_t(N) * count * 3);
    p.eval.true_probs.resize(size_t(N) * count);
    p.weights.resize(N);
    p.slots.resize(N);
    p.step = r.step;
  }
  if (p.eval.count != count) throw SweepError("the ranks evaluated different validation sets");
  const size_t first = r.unit.first_net, cells = size_t(r.unit.nets) * count;
  std::copy(r.eval.loss.begin(), r.eval.loss.end(), p.eval.loss.begin() + first);
  std::copy(r.eval.accuracy.begin(), r.eval.accuracy.end(), p.eval.accuracy.begin() + first);
  std::copy_n(r.eval.top_labels.begin(), cells * 3, p.eval.top_labels.begin() + first * count * 3);
  std::copy_n(r.eval.top_probs.begin(), cells * 3, p.eval.top_probs.begin() + first * count * 3);
  std::copy_n(r.eval.true_probs.begin(), cells, p.eval.true_probs.begin() + first * count);
  for (int n = 0; n < r.unit.nets; ++n) {
    p.weights[first + n].assign(r.weights.begin() + n * params,
                                r.weights.begin() + (n + 1) * params);
    p.slots[first + n].assign(r.slots.begin() + n * slots, r.slots.begin() + (n + 1) * slots);
  }
  p.loss_sum += r.train_loss * r.unit.nets;
  p.acc_sum += r.train_accuracy * r.unit.nets;
  p.seconds = std::max(p.seconds, r.seconds);
  if (st.units == 1) p.single = r;
  if (++p.units == st.units) {
    record(config, st, r.epoch, p);
    st.epochs.erase(r.epoch);
  }
}

void SweepWriter::save_place(int config, ConfigState& st, const SweepReport& r) {
  const int N = st.cfg.group.nets();
  const size_t params = static_cast<size_t>(st.cfg.group.spec.param_count());
  const size_t slots = static_cast<size_t>(st.cfg.group.optimizer.slots()) * params;
  if (st.units != 1 || r.unit.first_net != 0 || r.unit.nets != N)
    throw SweepError("a place inside an epoch from networks " + std::to_string(r.unit.first_net) +
                     "-" + std::to_string(r.unit.first_net + r.unit.nets - 1) +
                     " of configuration " + std::to_string(config) +
                     ", which is not trained whole by one rank");
  if (r.weights.size() != N * params || r.slots.size() != N * slots || r.epoch != st.recorded)
    throw SweepError("a place inside an epoch of configuration " + std::to_string(config) +
                     " does not fit its networks or its recorded epochs");
  StoppedEpoch place{r.epoch, r.position, r.step, m_ctx.train->count, r.losses, {}, r.seconds};
  for (int n = 0; n < N; ++n)
    place.networks.push_back(saved_network(st, r.weights.data() + n * params,
                                           r.slots.data() + n * slots, r.epoch, r.step));
  m_store.save_place(run_of(config, st), place);
}

int64_t SweepWriter::run_of(int config, ConfigState& st) {
  if (st.run < 0) {
    st.run = m_store.begin_run(
        RunSetup::from(st.cfg, *m_ctx.train, *m_ctx.val, m_ctx.backend->info(), m_ctx.app_version),
        {m_sweep, config});
  }
  return st.run;
}

NetworkSave SweepWriter::saved_network(const ConfigState& st, const float* weights,
                                       const float* slots, int epoch, long long step) const {
  const std::vector<ParamInfo> params = st.cfg.group.spec.params();
  const int slot_count = st.cfg.group.optimizer.slots();
  return {unflatten(params, weights, 0),
          {epoch, step, m_ctx.train->count,
           slot_count > 0 ? unflatten(params, slots, slot_count) : std::vector<NamedTensor>{}}};
}

void SweepWriter::record(int config, ConfigState& st, int epoch, const EpochParts& p) {
  const int N = st.cfg.group.nets();
  const int64_t run = run_of(config, st);
  EpochMetrics m;
  m.epoch = epoch;
  // One unit: its trainer's numbers as they are; slices: weighted by their networks.
  m.train_loss = st.units == 1 ? p.single.train_loss : p.loss_sum / N;
  m.train_accuracy = st.units == 1 ? p.single.train_accuracy : p.acc_sum / N;
  if (m.train_accuracy < 0) m.train_accuracy = -1;
  m.seconds = p.seconds;
  m.net_val_loss = p.eval.loss;
  m.net_val_accuracy = p.eval.accuracy;
  for (int k = 0; k < N; ++k) {  // as the Trainer sums them
    m.val_loss += p.eval.loss[k] / N;
    m.val_accuracy += p.eval.accuracy[k] / N;
  }
  const int batch = st.cfg.group.batch_size;
  const long long steps =
      static_cast<long long>(epoch) * ((m_ctx.train->count + batch - 1) / batch);
  m.warning = not_learning_warning(p.eval, st.cfg.group.spec.classes, steps);
  std::vector<NetworkSave> networks;
  for (int n = 0; n < N; ++n)
    networks.push_back(saved_network(st, p.weights[n].data(), p.slots[n].data(), epoch, p.step));
  m_store.record_epoch(run, m, p.eval, networks);
  st.recorded = epoch;
  if (m_hooks.epoch_recorded) m_hooks.epoch_recorded(config, run, m, p.eval);
}

}  // namespace cs
