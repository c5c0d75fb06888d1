// The sweep driver (see sweep_run.h): plan on rank 0, train the own units on every rank, and on
// rank 0 assemble every configuration's epochs from its units' reports and record them.
#include "convscope/sweep_run.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "convscope/ensemble_run.h"

namespace cs {

namespace {

using Json = nlohmann::json;

// One epoch of one configuration while its units' reports come in.
struct EpochParts {
  int units = 0;
  EvalResult eval;
  std::vector<std::vector<float>> weights, slots;  // per network
  long long step = 0;
  double loss_sum = 0, acc_sum = 0, seconds = 0;
  SweepReport single;  // the report itself when the configuration is one unit
};

// A configuration whose stopped run goes on (plan_on_rank0): the run and where it stopped.
struct Continued {
  int64_t run = -1;
  int epochs = 0;  // recorded
  long long step = 0;
};

// `flat` (a network's parameters, or its `slots` optimizer slots, concatenated) as tensors: the
// parameters themselves (slots 0), or every slot of every parameter, named as checkpoints name
// them.
std::vector<NamedTensor> unflatten(const std::vector<ParamInfo>& params,
                                   const std::vector<float>& flat, int slots) {
  std::vector<NamedTensor> out;
  size_t at = 0;
  for (int s = 0; s < std::max(1, slots); ++s)
    for (const ParamInfo& info : params) {
      const auto from = flat.begin() + static_cast<std::ptrdiff_t>(at);
      out.push_back({slots == 0 ? info.name : optimizer_slot_name(s, info.name), info.shape,
                     std::vector<float>(from, from + info.size())});
      at += static_cast<size_t>(info.size());
    }
  return out;
}

struct ConfigState {
  TrainConfig cfg;  // all networks
  int units = 0, ended = 0, recorded = 0;
  bool failed = false;
  int64_t run = -1;
  std::map<int, EpochParts> epochs;
};

// Rank 0's side: turns reports into store writes.
class SweepWriter {
 public:
  SweepWriter(Store& store, const SweepPlan& plan, int64_t sweep, const SweepContext& ctx,
              const SweepHooks& hooks, const std::vector<SweepUnit>& units,
              const std::map<int, Continued>& continued)
      : m_store(store), m_plan(plan), m_sweep(sweep), m_ctx(ctx), m_hooks(hooks) {
    for (const SweepUnit& u : units) {
      ConfigState& st = m_configs[u.config];
      if (st.units++ == 0)
        st.cfg = sweep_train_config(plan.configs[u.config], plan.settings, *ctx.train, 0,
                                    plan.settings.nets);
    }
    for (const auto& [config, from] : continued) {
      m_store.continue_run(from.run, plan.settings.epochs);
      m_configs.at(config).run = from.run;
      m_configs.at(config).recorded = from.epochs;
    }
  }

  void handle(const SweepReport& r) {
    const auto it = m_configs.find(r.unit.config);
    if (it == m_configs.end())
      throw SweepError("a report for configuration " + std::to_string(r.unit.config) +
                       ", which is not in this sweep's work");
    ConfigState& st = it->second;
    switch (r.kind) {
      case SweepReport::Kind::Epoch:
        if (!st.failed) add_epoch(r.unit.config, st, r);
        break;
      case SweepReport::Kind::Failed:
        st.failed = true;
        if (m_hooks.unit_failed) m_hooks.unit_failed(r.unit, r.error);
        [[fallthrough]];
      case SweepReport::Kind::Done:
        if (++st.ended < st.units) break;
        if (st.run >= 0 && (st.failed || st.recorded < m_plan.settings.epochs))
          m_store.cancel_run(st.run);
        else if (st.run >= 0)
          m_store.finish_run(st.run);
        ++m_ended_configs;
        break;
      case SweepReport::Kind::Alive:
        break;
    }
  }

  bool all_ended() const { return m_ended_configs == static_cast<int>(m_configs.size()); }

  // Cancels the runs begun and not ended (a cancelled sweep).
  void cancel_open() {
    for (auto& [config, st] : m_configs)
      if (st.run >= 0 && st.ended < st.units) {
        m_store.cancel_run(st.run);
        st.ended = st.units;
      }
  }

 private:
  void add_epoch(int config, ConfigState& st, const SweepReport& r) {
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
    std::copy_n(r.eval.top_labels.begin(), cells * 3,
                p.eval.top_labels.begin() + first * count * 3);
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

  void record(int config, ConfigState& st, int epoch, const EpochParts& p) {
    const int N = st.cfg.group.nets();
    if (st.run < 0) {
      st.run = m_store.begin_run(RunSetup::from(st.cfg, *m_ctx.train, *m_ctx.val,
                                                m_ctx.backend->info(), m_ctx.app_version));
      m_store.set_sweep_run(m_sweep, config, st.run);
    }
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
    const std::vector<ParamInfo> params = st.cfg.group.spec.params();
    const int slots = st.cfg.group.optimizer.slots();
    std::vector<NetworkSave> networks;
    for (int n = 0; n < N; ++n)
      networks.push_back(
          {unflatten(params, p.weights[n], 0),
           {epoch, p.step, m_ctx.train->count,
            slots > 0 ? unflatten(params, p.slots[n], slots) : std::vector<NamedTensor>{}}});
    m_store.record_epoch(st.run, m, p.eval, networks);
    st.recorded = epoch;
    if (m_hooks.epoch_recorded) m_hooks.epoch_recorded(config, st.run, m, p.eval);
  }

  Store& m_store;
  const SweepPlan& m_plan;
  int64_t m_sweep;
  const SweepContext& m_ctx;
  const SweepHooks& m_hooks;
  std::map<int, ConfigState> m_configs;
  int m_ended_configs = 0;
};

SweepReport epoch_report(const SweepUnit& unit, Trainer& t) {
  SweepReport r;
  r.kind = SweepReport::Kind::Epoch;
  r.unit = unit;
  const EpochMetrics& m = t.epochs().back();
  r.epoch = m.epoch;
  r.train_loss = m.train_loss;
  r.train_accuracy = m.train_accuracy;
  r.seconds = m.seconds;
  r.eval = t.last_eval();
  for (int n = 0; n < unit.nets; ++n) {
    for (const NamedTensor& w : network_weights(t.backend(), t.config().group.spec, n))
      r.weights.insert(r.weights.end(), w.data.begin(), w.data.end());
    for (const NamedTensor& w : network_training_state(t, n).slots)
      r.slots.insert(r.slots.end(), w.data.begin(), w.data.end());
  }
  r.step = t.backend().step_count();
  return r;
}

// Rank 0's plan for every rank: the sweep record to work on (as JSON text) and, for the
// configurations whose stopped run continues, those runs' networks (a safetensors blob whose
// tensors are named "<config>/<net>/<tensor>").
struct SharedPlan {
  std::string text, networks;
};

// The stopped run of configuration `c` that this sweep continues, or nullopt when it trains the
// configuration from its start (no run; no recorded epoch; no training state, as in an older
// store; other data or settings). Adds the run's networks to `tensors`.
std::optional<Continued> continued_run(Store& store, const SweepPlan& plan,
                                       const SweepConfigState& c, const SweepContext& ctx,
                                       std::vector<NamedTensor>& tensors) {
  if (c.run < 0 || c.status == RunStatus::Finished) return std::nullopt;
  const TrainConfig cfg =
      sweep_train_config(plan.configs[c.index], plan.settings, *ctx.train, 0, plan.settings.nets);
  const RunSetup setup = RunSetup::from(cfg, *ctx.train, *ctx.val, ctx.backend->info(), {});
  const RunInfo info = store.load_run_info(c.run);
  if (!continue_problem(info, setup).empty()) return std::nullopt;
  std::vector<NetworkSave> networks;
  try {
    networks = load_networks(store, c.run, cfg.group.nets());
  } catch (const StoreError&) {
    return std::nullopt;  // recorded without training states
  }
  for (const NetworkSave& n : networks)
    if (n.state.epoch != info.epochs_done || n.state.step != networks.front().state.step ||
        n.state.train_images != ctx.train->count)
      return std::nullopt;
  const std::string config = std::to_string(c.index) + "/";
  for (size_t n = 0; n < networks.size(); ++n)
    for (std::vector<NamedTensor>* part : {&networks[n].weights, &networks[n].state.slots})
      for (NamedTensor& t : *part) {
        t.name = config + std::to_string(n) + "/" + t.name;
        tensors.push_back(std::move(t));
      }
  return Continued{c.run, info.epochs_done, networks.front().state.step};
}

SharedPlan plan_on_rank0(Store& store, const SweepPlan& plan, int64_t resume,
                         const SweepContext& ctx) {
  const std::string definition = plan.definition();
  int64_t id = resume >= 0 ? resume : resume == -1 ? store.find_sweep(definition) : -1;
  if (id < 0) {
    std::vector<std::string> keys;
    for (const SweepConfig& c : plan.configs) keys.push_back(c.key());
    id = store.begin_sweep(definition, keys);
  }
  const SweepRecord rec = store.load_sweep(id);
  if (rec.definition != definition)
    throw SweepError("sweep " + std::to_string(id) + " in " + store.path() +
                     " was defined otherwise; resume it with its own settings");
  Json pending = Json::array(), continued = Json::array();
  std::vector<NamedTensor> tensors;
  for (const SweepConfigState& c : rec.configs) {
    if (c.finished()) continue;
    pending.push_back(c.index);
    if (const auto from = continued_run(store, plan, c, ctx, tensors))
      continued.push_back({{"config", c.index},
                           {"run", from->run},
                           {"epochs", from->epochs},
                           {"step", from->step}});
  }
  SharedPlan out;
  out.text = Json{{"sweep", id}, {"pending", pending}, {"continued", continued}}.dump();
  if (!tensors.empty()) out.networks = encode_safetensors(store.path(), tensors, {});
  return out;
}

// The networks [unit.first_net, + unit.nets) of a continued configuration, from the shared blob.
std::vector<NetworkSave> unit_networks(const SweepUnit& unit, const Continued& from,
                                       const std::map<std::string, NamedTensor*>& by_name,
                                       const GroupConfig& group, int train_images) {
  const std::vector<ParamInfo> params = group.spec.params();
  std::vector<NetworkSave> out;
  for (int n = unit.first_net; n < unit.first_net + unit.nets; ++n) {
    const std::string prefix = std::to_string(unit.config) + "/" + std::to_string(n) + "/";
    const auto take = [&](const std::string& name) {
      const auto it = by_name.find(prefix + name);
      if (it == by_name.end())
        throw SweepError("the continued run " + std::to_string(from.run) + " lacks " + prefix +
                         name + " in the plan rank 0 sent");
      NamedTensor t = std::move(*it->second);
      t.name = name;
      return t;
    };
    NetworkSave save{{}, {from.epochs, from.step, train_images, {}}};
    for (const ParamInfo& p : params) save.weights.push_back(take(p.name));
    for (int s = 0; s < group.optimizer.slots(); ++s)
      for (const ParamInfo& p : params)
        save.state.slots.push_back(take(optimizer_slot_name(s, p.name)));
    out.push_back(std::move(save));
  }
  return out;
}

}  // namespace

SweepOutcome run_sweep(Store* store, const SweepPlan& plan, int64_t resume, const SweepContext& ctx,
                       const SweepHooks& hooks) {
  SweepTransport& tr = *ctx.transport;
  const bool root = tr.rank() == 0;
  if (root != (store != nullptr)) throw std::logic_error("run_sweep: rank 0 and only it writes");
  check_sweep(plan, *ctx.train, *ctx.val);  // before anything is written

  SharedPlan shared_plan = root ? plan_on_rank0(*store, plan, resume, ctx) : SharedPlan{};
  tr.broadcast(shared_plan.text);
  const Json shared = Json::parse(shared_plan.text);
  SweepOutcome outcome;
  outcome.sweep = shared.at("sweep").get<int64_t>();
  outcome.configs = static_cast<int>(plan.configs.size());
  const std::vector<int> pending = shared.at("pending").get<std::vector<int>>();
  const std::vector<SweepUnit> units = assign_sweep_units(pending, plan.settings.nets, tr.size());
  std::map<int, Continued> continued;
  for (const Json& c : shared.at("continued"))
    continued[c.at("config").get<int>()] = {c.at("run").get<int64_t>(), c.at("epochs").get<int>(),
                                            c.at("step").get<long long>()};
  std::vector<NamedTensor> continued_tensors;  // their networks, as rank 0 read them
  std::map<std::string, NamedTensor*> continued_by_name;
  if (!continued.empty()) {
    tr.broadcast(shared_plan.networks);
    continued_tensors = parse_safetensors(shared_plan.networks, "the continued runs' networks");
    for (NamedTensor& t : continued_tensors) continued_by_name[t.name] = &t;
  }

  std::unique_ptr<SweepWriter> writer;
  if (root) {
    writer =
        std::make_unique<SweepWriter>(*store, plan, outcome.sweep, ctx, hooks, units, continued);
    if (hooks.planned) hooks.planned(store->load_sweep(outcome.sweep), units);
    if (hooks.continued)
      for (const auto& [config, from] : continued) hooks.continued(config, from.run, from.epochs);
  }
  const auto cancelled = [&] { return hooks.cancel_requested && hooks.cancel_requested(); };
  // Rank 0: when each rank was last heard of, and its units not yet ended; a worker: when it
  // last sent.
  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> heard(tr.size(), Clock::now());
  std::vector<int> open(tr.size(), 0);
  for (const SweepUnit& u : units) ++open[u.rank];
  Clock::time_point sent = Clock::now();
  const auto deliver = [&](const SweepReport& r) {
    if (root) {
      writer->handle(r);
    } else {
      tr.send(encode_sweep_report(r));
      sent = Clock::now();
    }
  };
  const auto drain = [&] {
    std::string bytes;
    int from = 0;
    while (tr.size() > 1 && tr.receive(bytes, from)) {
      const SweepReport r = decode_sweep_report(bytes);
      if (from < 1 || from >= tr.size()) throw SweepError("a report from an unknown rank");
      heard[from] = Clock::now();
      if (r.kind == SweepReport::Kind::Done || r.kind == SweepReport::Kind::Failed) --open[from];
      writer->handle(r);
    }
    for (int rank = 1; rank < tr.size() && ctx.rank_timeout_s > 0; ++rank) {
      const double silent = std::chrono::duration<double>(Clock::now() - heard[rank]).count();
      if (open[rank] == 0 || silent < ctx.rank_timeout_s) continue;
      std::string configs;
      for (const SweepUnit& u : units)
        if (u.rank == rank) configs += (configs.empty() ? "" : ", ") + std::to_string(u.config);
      throw SweepError("rank " + std::to_string(rank) + " has sent nothing for " +
                       std::to_string(static_cast<int>(silent)) +
                       " s (dead or hung); its configurations (" + configs +
                       ") are left unfinished: run the same command again to resume");
    }
  };

  for (const SweepUnit& unit : units) {
    if (unit.rank != tr.rank()) continue;
    SweepReport end;
    end.unit = unit;
    end.kind = SweepReport::Kind::Done;
    try {
      if (outcome.cancelled) throw std::runtime_error("cancelled");
      const TrainConfig cfg = sweep_train_config(plan.configs[unit.config], plan.settings,
                                                 *ctx.train, unit.first_net, unit.nets);
      Trainer trainer(*ctx.backend, *ctx.train, *ctx.val, cfg);
      if (const auto from = continued.find(unit.config); from != continued.end())
        resume_networks(
            trainer, from->second.epochs,
            unit_networks(unit, from->second, continued_by_name, cfg.group, ctx.train->count),
            "run " + std::to_string(from->second.run));
      while (!trainer.finished()) {
        if (cancelled()) {
          outcome.cancelled = true;
          throw std::runtime_error("cancelled");
        }
        if (root) drain();
        const int before = trainer.epoch();
        trainer.step();
        if (hooks.stepped) hooks.stepped(unit, trainer);
        if (trainer.epoch() != before) {
          deliver(epoch_report(unit, trainer));
        } else if (!root && std::chrono::duration<double>(Clock::now() - sent).count() >=
                                ctx.alive_every_s) {
          SweepReport alive;
          alive.kind = SweepReport::Kind::Alive;
          alive.unit = unit;
          deliver(alive);
        }
      }
    } catch (const StoreError&) {
      throw;
    } catch (const std::exception& e) {
      end.kind = SweepReport::Kind::Failed;
      end.error = describe(e).message;
    }
    if (root && outcome.cancelled) break;
    deliver(end);
  }

  if (root) {
    while (!outcome.cancelled && !writer->all_ended()) {
      if (cancelled())
        outcome.cancelled = true;
      else
        drain();
      if (!writer->all_ended()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (outcome.cancelled) writer->cancel_open();
    outcome.finished = store->load_sweep(outcome.sweep).finished();
  }
  return outcome;
}

}  // namespace cs
