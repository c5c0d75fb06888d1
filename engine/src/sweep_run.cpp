// The sweep driver (see sweep_run.h): plan on rank 0, train the own units on every rank, and on
// rank 0 assemble every configuration's epochs from its units' reports and record them.
#include "convscope/sweep_run.h"

#include <algorithm>
#include <chrono>
#include <map>
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
  std::vector<std::vector<float>> weights;  // per network
  double loss_sum = 0, acc_sum = 0, seconds = 0;
  SweepReport single;  // the report itself when the configuration is one unit
};

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
              const SweepHooks& hooks, const std::vector<SweepUnit>& units)
      : m_store(store), m_plan(plan), m_sweep(sweep), m_ctx(ctx), m_hooks(hooks) {
    for (const SweepUnit& u : units) {
      ConfigState& st = m_configs[u.config];
      if (st.units++ == 0)
        st.cfg = sweep_train_config(plan.configs[u.config], plan.settings, *ctx.train, 0,
                                    plan.settings.nets);
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
    if (r.unit.first_net + r.unit.nets > N ||
        r.weights.size() != static_cast<size_t>(r.unit.nets) * params)
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
    }
    if (p.eval.count != count) throw SweepError("the ranks evaluated different validation sets");
    const size_t first = r.unit.first_net, cells = size_t(r.unit.nets) * count;
    std::copy(r.eval.loss.begin(), r.eval.loss.end(), p.eval.loss.begin() + first);
    std::copy(r.eval.accuracy.begin(), r.eval.accuracy.end(), p.eval.accuracy.begin() + first);
    std::copy_n(r.eval.top_labels.begin(), cells * 3,
                p.eval.top_labels.begin() + first * count * 3);
    std::copy_n(r.eval.top_probs.begin(), cells * 3, p.eval.top_probs.begin() + first * count * 3);
    std::copy_n(r.eval.true_probs.begin(), cells, p.eval.true_probs.begin() + first * count);
    for (int n = 0; n < r.unit.nets; ++n)
      p.weights[first + n].assign(r.weights.begin() + n * params,
                                  r.weights.begin() + (n + 1) * params);
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
    m_store.record_epoch(st.run, m, p.eval);
    st.recorded = epoch;
    if (m_hooks.epoch_recorded) m_hooks.epoch_recorded(config, st.run, m, p.eval);
    const std::vector<ParamInfo> params = st.cfg.group.spec.params();
    for (int n = 0; n < N; ++n) {
      std::vector<NamedTensor> tensors;
      size_t at = 0;
      for (const ParamInfo& info : params) {
        const auto from = p.weights[n].begin() + static_cast<std::ptrdiff_t>(at);
        tensors.push_back({info.name, info.shape, std::vector<float>(from, from + info.size())});
        at += static_cast<size_t>(info.size());
      }
      m_store.save_weights(st.run, n, tensors);
    }
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
  for (int n = 0; n < unit.nets; ++n)
    for (const NamedTensor& w : network_weights(t.backend(), t.config().group.spec, n))
      r.weights.insert(r.weights.end(), w.data.begin(), w.data.end());
  return r;
}

// Rank 0: the sweep record to work on, and the broadcast text for the other ranks.
std::string plan_on_rank0(Store& store, const SweepPlan& plan, int64_t resume) {
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
  Json pending = Json::array();
  for (const SweepConfigState& c : rec.configs)
    if (!c.finished()) pending.push_back(c.index);
  return Json{{"sweep", id}, {"pending", pending}}.dump();
}

}  // namespace

SweepOutcome run_sweep(Store* store, const SweepPlan& plan, int64_t resume, const SweepContext& ctx,
                       const SweepHooks& hooks) {
  SweepTransport& tr = *ctx.transport;
  const bool root = tr.rank() == 0;
  if (root != (store != nullptr)) throw std::logic_error("run_sweep: rank 0 and only it writes");
  check_sweep(plan, *ctx.train, *ctx.val);  // before anything is written

  std::string text = root ? plan_on_rank0(*store, plan, resume) : std::string();
  tr.broadcast(text);
  const Json shared = Json::parse(text);
  SweepOutcome outcome;
  outcome.sweep = shared.at("sweep").get<int64_t>();
  outcome.configs = static_cast<int>(plan.configs.size());
  const std::vector<int> pending = shared.at("pending").get<std::vector<int>>();
  const std::vector<SweepUnit> units = assign_sweep_units(pending, plan.settings.nets, tr.size());

  std::unique_ptr<SweepWriter> writer;
  if (root) {
    writer = std::make_unique<SweepWriter>(*store, plan, outcome.sweep, ctx, hooks, units);
    if (hooks.planned) hooks.planned(store->load_sweep(outcome.sweep), units);
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
