// The sweep driver (see sweep_run.h): plan on rank 0, train the own units on every rank, and on
// rank 0 hand every report to the store's writer (sweep_writer.h).
#include "convscope/sweep_run.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "convscope/ensemble_run.h"
#include "sweep_writer.h"

namespace cs {

namespace {

using Json = nlohmann::json;

// `networks` (the unit's) into the report, concatenated.
void put_networks(SweepReport& r, const std::vector<NetworkSave>& networks) {
  for (const NetworkSave& n : networks) {
    for (const NamedTensor& w : n.weights)
      r.weights.insert(r.weights.end(), w.data.begin(), w.data.end());
    for (const NamedTensor& w : n.state.slots)
      r.slots.insert(r.slots.end(), w.data.begin(), w.data.end());
  }
}

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
  put_networks(r, network_saves(t));
  r.step = t.backend().step_count();
  return r;
}

// Where the unit's trainer stands inside its epoch.
SweepReport place_report(const SweepUnit& unit, Trainer& t) {
  StoppedEpoch place = place_in_epoch(t);
  SweepReport r;
  r.kind = SweepReport::Kind::Place;
  r.unit = unit;
  r.epoch = place.epoch;
  r.position = place.position;
  r.step = place.step;
  r.seconds = place.seconds;
  r.losses = std::move(place.losses);
  put_networks(r, place.networks);
  return r;
}

// Rank 0's plan for every rank: the sweep record to work on (as JSON text) and, for the
// configurations whose stopped run continues, those runs' networks (a safetensors blob whose
// tensors are named "<config>/<net>/<tensor>").
struct SharedPlan {
  std::string text, networks;
  std::vector<std::pair<int, int64_t>> completed;  // rank 0's: see recorded_in_full()
};

// How configuration `index` of `plan` sets up its run, on this rank's data and backend.
RunSetup config_setup(const SweepPlan& plan, int index, const SweepContext& ctx) {
  const TrainConfig cfg =
      sweep_train_config(plan.configs[index], plan.settings, *ctx.train, 0, plan.settings.nets);
  return RunSetup::from(cfg, *ctx.train, *ctx.val, ctx.backend->info(), {});
}

// A stopped run of a configuration: what it recorded, and how the configuration sets up its run
// now.
struct StoppedRun {
  RunInfo info;
  RunSetup setup;
};

// Configuration `c`'s stopped run recorded every epoch of the plan on these data: its process
// stopped after recording the last epoch, before it could end the run.
bool recorded_in_full(const SweepPlan& plan, const SweepConfigState& c, const StoppedRun& run) {
  if (c.status == RunStatus::Running) return false;
  return run.info.epochs_done >= plan.settings.epochs &&
         run.info.epochs_done >= run.info.setup.epochs &&
         setup_problem(run.info, run.setup).empty();
}

// The stopped run of configuration `c` that this sweep continues, from its latest recorded epoch
// or the place saved inside the next, or nullopt when it trains the configuration from its start
// (neither a recorded epoch nor a place; no training state, as in an older store; other data or
// settings). Adds the run's networks to `tensors`.
std::optional<SweepContinued> continued_run(Store& store, const SweepConfigState& c,
                                            const StoppedRun& run, const SweepContext& ctx,
                                            std::vector<NamedTensor>& tensors) {
  const RunInfo& info = run.info;
  std::optional<StoppedEpoch> place = store.load_stopped_epoch(c.run, false);
  // Whether it can go on is asked of its kind of backend; on another one, it is not started over in
  // silence (its epochs replaced) but refused, once it is known that it could go on.
  RunSetup own = run.setup;
  own.backend.kind = info.setup.backend.kind;
  if (!continue_problem(info, own, place.has_value()).empty()) return std::nullopt;
  std::vector<NetworkSave> networks;
  if (place) {  // its networks read only now that it may go on
    std::optional<StoppedEpoch> saved = store.load_stopped_epoch(c.run, true);
    if (!saved) return std::nullopt;  // gone as it was read: the configuration starts over
    networks = std::move(saved->networks);
  } else {
    try {
      networks = load_networks(store, c.run, run.setup.group.nets());
    } catch (const StoreError&) {
      return std::nullopt;  // recorded without training states
    }
  }
  for (const NetworkSave& n : networks)
    if (n.state.epoch != info.epochs_done || n.state.step != networks.front().state.step ||
        n.state.train_images != ctx.train->count)
      return std::nullopt;
  if (const std::string& kind = info.setup.backend.kind; kind != run.setup.backend.kind)
    throw SweepError(
        "configuration " + std::to_string(c.index) + "'s run " + std::to_string(c.run) +
        " trained on the " + kind +
        " backend, and goes on on that backend only: resume the sweep with --backend " + kind +
        ", or delete the run (convscope-cli runs --delete " + std::to_string(c.run) +
        ") to train the configuration again");
  const std::string config = std::to_string(c.index) + "/";
  for (size_t n = 0; n < networks.size(); ++n)
    for (std::vector<NamedTensor>* part : {&networks[n].weights, &networks[n].state.slots})
      for (NamedTensor& t : *part) {
        t.name = config + std::to_string(n) + "/" + t.name;
        tensors.push_back(std::move(t));
      }
  if (!place) {
    place.emplace();
    place->epoch = info.epochs_done;
    place->step = networks.front().state.step;
  }
  return SweepContinued{c.run, std::move(*place)};
}

// A continued configuration as the plan sends it, and back.
Json continued_json(int config, const SweepContinued& c) {
  Json losses = Json::array();
  for (const LossPoint& p : c.from.losses) losses.push_back({p.step, p.loss, p.accuracy, p.lr});
  return {{"config", config},
          {"run", c.run},
          {"epochs", c.from.epoch},
          {"step", c.from.step},
          {"position", c.from.position},
          {"seconds", c.from.seconds},
          {"losses", losses}};
}
SweepContinued continued_from_json(const Json& j, int train_images) {
  SweepContinued c;
  c.run = j.at("run").get<int64_t>();
  c.from.epoch = j.at("epochs").get<int>();
  c.from.position = j.at("position").get<int>();
  c.from.step = j.at("step").get<long long>();
  c.from.train_images = train_images;
  c.from.seconds = j.at("seconds").get<double>();
  for (const Json& p : j.at("losses"))
    c.from.losses.push_back({p.at(0).get<long long>(), p.at(1).get<float>(), p.at(2).get<float>(),
                             p.at(3).get<float>()});
  return c;
}

// Holds the sweep a process trains (Store::hold_sweep) while it lives. Its runs still open (a
// sweep that failed or was cancelled) are marked interrupted first: whoever takes the sweep up
// next must not find them running.
class SweepHold {
 public:
  ~SweepHold() {
    if (!m_store) return;
    m_store->interrupt_open_runs();
    m_store->release_sweep(m_sweep);
  }
  // Throws StoreError when another process trains `sweep`.
  void hold(Store& store, int64_t sweep) {
    if (!store.hold_sweep(sweep))
      throw StoreError("sweep " + std::to_string(sweep) + " in " + store.path() +
                       " is being trained by another process: resume it once that one has "
                       "stopped");
    m_store = &store;
    m_sweep = sweep;
  }

 private:
  Store* m_store = nullptr;
  int64_t m_sweep = -1;
};

// What says that sweep `rec`'s runs trained on other images than ctx's, or "" (none begun, or
// the same images).
std::string other_images(Store& store, const SweepRecord& rec, const SweepContext& ctx) {
  for (const SweepConfigState& c : rec.configs) {
    if (c.run < 0) continue;
    const RunSetup was = store.load_run_info(c.run).setup;
    if (was.train_sha256 == ctx.train->sha256 && was.val_sha256 == ctx.val->sha256) return {};
    return "sweep " + std::to_string(rec.id) + " trained on '" + was.train_name +
           "' and validated on '" + was.val_name + "'; the data given are other images";
  }
  return {};
}

// The images rank 0 trains and validates on, as the plan it sends names them (digest and size).
Json data_of(const SweepContext& ctx) {
  return {{"train_sha256", ctx.train->sha256},
          {"train_images", ctx.train->count},
          {"val_sha256", ctx.val->sha256},
          {"val_images", ctx.val->count}};
}

// What says that this rank reads other images than rank 0's, which its plan names, or "" (rank 0
// alone checked its images against the sweep's runs).
std::string other_rank_data(const Json& shared, const SweepContext& ctx, int rank) {
  if (shared.at("data") == data_of(ctx)) return {};
  return "rank " + std::to_string(rank) + " read other images than rank 0 ('" + ctx.train->name +
         "' and '" + ctx.val->name + "'): every rank must read the same files";
}

SharedPlan plan_on_rank0(Store& store, const SweepPlan& plan, int64_t resume,
                         const SweepContext& ctx, SweepHold& hold) {
  const std::string definition = plan.definition();
  std::vector<std::string> keys;
  for (const SweepConfig& c : plan.configs) keys.push_back(c.key());
  int64_t id = resume >= 0    ? resume
               : resume == -1 ? store.find_or_begin_sweep(definition, keys)
                              : store.begin_sweep(definition, keys);
  // Its configurations compare on the same images: the same settings on others (a folder of the
  // same name elsewhere, its files replaced) are another sweep, and a sweep resumed by its id is
  // refused on them.
  if (const std::string other = other_images(store, store.load_sweep(id), ctx); !other.empty()) {
    if (resume >= 0) throw DataError(other + ": resume it on those");
    id = store.begin_sweep(definition, keys);
  }
  hold.hold(store, id);  // before its runs are read: another process may be training them
  const SweepRecord rec = store.load_sweep(id);
  if (rec.definition != definition)
    throw SweepError("sweep " + std::to_string(id) + " in " + store.path() +
                     " was defined otherwise; resume it with its own settings");
  Json pending = Json::array(), continued = Json::array();
  std::vector<NamedTensor> tensors;
  SharedPlan out;
  for (const SweepConfigState& c : rec.configs) {
    if (c.finished()) continue;
    if (c.run < 0) {
      pending.push_back(c.index);
      continue;
    }
    const StoppedRun run{store.load_run_info(c.run), config_setup(plan, c.index, ctx)};
    if (recorded_in_full(plan, c, run)) {
      store.finish_recorded_run(c.run);
      out.completed.emplace_back(c.index, c.run);
      continue;
    }
    pending.push_back(c.index);
    if (const auto from = continued_run(store, c, run, ctx, tensors))
      continued.push_back(continued_json(c.index, *from));
  }
  out.text =
      Json{{"sweep", id}, {"pending", pending}, {"continued", continued}, {"data", data_of(ctx)}}
          .dump();
  if (!tensors.empty()) out.networks = encode_safetensors(store.path(), tensors, {});
  return out;
}

// The networks [unit.first_net, + unit.nets) of a continued configuration, from the shared blob.
std::vector<NetworkSave> unit_networks(const SweepUnit& unit, const SweepContinued& from,
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
    NetworkSave save{{}, {from.from.epoch, from.from.step, train_images, {}}};
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

  SweepHold hold;
  SharedPlan shared_plan = root ? plan_on_rank0(*store, plan, resume, ctx, hold) : SharedPlan{};
  tr.broadcast(shared_plan.text);
  const Json shared = Json::parse(shared_plan.text);
  SweepOutcome outcome;
  outcome.sweep = shared.at("sweep").get<int64_t>();
  outcome.configs = static_cast<int>(plan.configs.size());
  const std::vector<int> pending = shared.at("pending").get<std::vector<int>>();
  const std::vector<SweepUnit> units = assign_sweep_units(pending, plan.settings.nets, tr.size());
  // A rank on other images fails its units with that (the networks still travel: every rank takes
  // part in a broadcast).
  const std::string other_data = root ? std::string() : other_rank_data(shared, ctx, tr.rank());
  std::map<int, SweepContinued> continued;
  if (other_data.empty())
    for (const Json& c : shared.at("continued"))
      continued[c.at("config").get<int>()] = continued_from_json(c, ctx.train->count);
  std::vector<NamedTensor> continued_tensors;  // their networks, as rank 0 read them
  std::map<std::string, NamedTensor*> continued_by_name;
  if (!shared.at("continued").empty()) {
    tr.broadcast(shared_plan.networks);
    if (other_data.empty())
      continued_tensors = parse_safetensors(shared_plan.networks, "the continued runs' networks");
    for (NamedTensor& t : continued_tensors) continued_by_name[t.name] = &t;
  }

  std::unique_ptr<SweepWriter> writer;
  if (root) {
    writer =
        std::make_unique<SweepWriter>(*store, plan, outcome.sweep, ctx, hooks, units, continued);
    if (hooks.planned) hooks.planned(store->load_sweep(outcome.sweep), units);
    if (hooks.completed)
      for (const auto& [config, run] : shared_plan.completed) hooks.completed(config, run);
    if (hooks.continued)
      for (const auto& [config, c] : continued)
        hooks.continued(config, c.run, c.from.epoch, c.from.position);
  }
  const auto cancelled = [&] { return hooks.cancel_requested && hooks.cancel_requested(); };
  // Rank 0: when each rank was last heard of, and its units not yet ended; a worker: when it
  // last sent.
  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> heard(tr.size(), Clock::now());
  std::vector<int> open(tr.size(), 0);
  for (const SweepUnit& u : units) ++open[u.rank];
  std::vector<SweepUnit> ended;  // rank 0: the units whose end was reported
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
      if (r.kind == SweepReport::Kind::Done || r.kind == SweepReport::Kind::Failed) {
        --open[from];
        ended.push_back(r.unit);
      }
      writer->handle(r);
    }
    for (int rank = 1; rank < tr.size() && ctx.rank_timeout_s > 0; ++rank) {
      const double silent = std::chrono::duration<double>(Clock::now() - heard[rank]).count();
      if (open[rank] == 0 || silent < ctx.rank_timeout_s) continue;
      std::string configs;
      for (const SweepUnit& u : units)
        if (u.rank == rank && std::find(ended.begin(), ended.end(), u) == ended.end())
          configs += (configs.empty() ? "" : ", ") + std::to_string(u.config);
      throw SweepError("rank " + std::to_string(rank) + " has sent nothing for " +
                       std::to_string(static_cast<int>(silent)) +
                       " s (dead or hung); its configurations (" + configs +
                       ") are left unfinished: run the same command again to resume");
    }
  };

  // What drain() finds while rank 0 trains its own unit (a silent rank, a report that does not
  // fit) is the sweep's failure, not that unit's: it ends the sweep.
  std::exception_ptr lost;
  const auto drain_here = [&] {
    try {
      drain();
    } catch (...) {
      lost = std::current_exception();
      throw;
    }
  };
  for (const SweepUnit& unit : units) {
    if (unit.rank != tr.rank()) continue;
    SweepReport end;
    end.unit = unit;
    end.kind = SweepReport::Kind::Done;
    try {
      if (outcome.cancelled) throw std::runtime_error("cancelled");
      if (!other_data.empty()) throw DataError(other_data);
      const TrainConfig cfg = sweep_train_config(plan.configs[unit.config], plan.settings,
                                                 *ctx.train, unit.first_net, unit.nets);
      Trainer trainer(*ctx.backend, *ctx.train, *ctx.val, cfg);
      if (const auto from = continued.find(unit.config); from != continued.end()) {
        const SweepContinued& c = from->second;
        resume_networks(trainer, c.from.epoch,
                        unit_networks(unit, c, continued_by_name, cfg.group, ctx.train->count),
                        "run " + std::to_string(c.run), c.from.position > 0 ? &c.from : nullptr);
      }
      // A place inside an epoch is one row for all of a run's networks: only a rank that trains
      // them all reports it.
      const bool whole = unit.nets == plan.settings.nets;
      Clock::time_point placed = Clock::now();  // the latest epoch or place reported
      while (!trainer.finished()) {
        if (cancelled()) {
          outcome.cancelled = true;
          if (whole && trainer.epoch_position() > 0) deliver(place_report(unit, trainer));
          throw std::runtime_error("cancelled");
        }
        if (root) drain_here();
        const int before = trainer.epoch();
        trainer.step();
        if (hooks.stepped) hooks.stepped(unit, trainer);
        if (trainer.epoch() != before) {
          deliver(epoch_report(unit, trainer));
          placed = Clock::now();
        } else if (whole && ctx.save_every_s >= 0 &&
                   std::chrono::duration<double>(Clock::now() - placed).count() >=
                       ctx.save_every_s) {
          deliver(place_report(unit, trainer));
          placed = Clock::now();
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
      if (lost) std::rethrow_exception(lost);
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
