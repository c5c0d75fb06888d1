// The ensemble run loop (see ensemble_run.h).
#include "convscope/ensemble_run.h"
#include "convscope/augment.h"
#include "convscope/label_smoothing.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "shape_text.h"

namespace cs {

namespace {

constexpr TensorRole kSlotRoles[] = {TensorRole::Slot0, TensorRole::Slot1};

// An ensemble run trains the epochs it planned: runs and sweep configurations are compared at
// those, so none may end early. Checked before the run is begun or changed.
void check_no_early_stop(const Trainer& trainer) {
  if (trainer.config().patience != 0)
    throw InputError(
        "an ensemble run trains every epoch it plans (runs are compared at those): "
        "early stopping (patience " +
        std::to_string(trainer.config().patience) + ") is for a single run");
}

// Trains `trainer` to its end into the open run `run`.
EnsembleOutcome train_into(Store& store, int64_t run, Trainer& trainer,
                           const EnsembleHooks& hooks) {
  using Clock = std::chrono::steady_clock;
  EnsembleOutcome outcome{run, false};
  if (hooks.begun) hooks.begun(run);
  Clock::time_point saved = Clock::now();  // where the run stands, last: a recorded epoch or place
  while (!trainer.finished()) {
    if (hooks.cancel_requested && hooks.cancel_requested()) {
      // Stopped inside an epoch: cancelled with where it stood, so that it continues from there.
      if (trainer.epoch_position() == 0)
        store.cancel_run(run);
      else
        store.stop_run(run, place_in_epoch(trainer));
      outcome.cancelled = true;
      return outcome;
    }
    const int before = trainer.epoch();
    trainer.step();
    const bool epoch_ended = trainer.epoch() != before;
    if (hooks.stepped) hooks.stepped(trainer, epoch_ended);
    if (!epoch_ended) {
      if (hooks.save_every_seconds >= 0 &&
          std::chrono::duration<double>(Clock::now() - saved).count() >= hooks.save_every_seconds) {
        store.save_place(run, place_in_epoch(trainer));
        saved = Clock::now();
      }
      continue;
    }
    // The epoch and every network's weights and training state in one transaction: a run stopped
    // at any moment, even by SIGKILL, continues from its latest recorded epoch (or place saved
    // since).
    store.record_epoch(run, trainer.epochs().back(), trainer.last_eval(), network_saves(trainer));
    saved = Clock::now();
    if (hooks.epoch_recorded) hooks.epoch_recorded(trainer);
  }
  store.finish_run(run);
  return outcome;
}

// The tensors saved for a network: its weights, or its optimizer state (names as checkpoints').
struct TensorLayout {
  std::string name;
  std::vector<int> shape;
  size_t values;
};
std::vector<TensorLayout> saved_layout(const GroupConfig& group, bool optimizer_state) {
  std::vector<TensorLayout> out;
  const std::vector<ParamInfo> params = group.spec.params();
  const int slots = optimizer_state ? group.optimizer.slots() : 1;
  for (int s = 0; s < slots; ++s)
    for (const ParamInfo& p : params)
      out.push_back({optimizer_state ? optimizer_slot_name(s, p.name) : p.name, p.shape,
                     static_cast<size_t>(p.size())});
  return out;
}

// Throws unless `tensors` are, in order, the ones `expected` names.
void check_tensors(const std::string& what, const std::vector<NamedTensor>& tensors,
                   const std::vector<TensorLayout>& expected) {
  for (size_t i = 0; i < expected.size(); ++i)
    if (i >= tensors.size() || tensors[i].name != expected[i].name ||
        tensors[i].shape != expected[i].shape || tensors[i].data.size() != expected[i].values)
      throw StoreError(what + " lacks '" + expected[i].name + "' " + shape_text(expected[i].shape));
  if (tensors.size() != expected.size())
    throw StoreError(what + " holds more tensors than its network has");
}

}  // namespace

std::string sweep_run_problem(const RunInfo& info) {
  if (info.sweep.sweep == 0) return {};
  return "trains configuration " + std::to_string(info.sweep.config) + " of sweep " +
         std::to_string(info.sweep.sweep) +
         " and is left to that sweep, so that its configurations stay comparable at the epochs "
         "it planned (a stopped sweep continues with its command again, or Resume in the Sweep "
         "view)";
}

std::string setup_problem(const RunInfo& info, const RunSetup& setup) {
  const RunSetup& was = info.setup;
  if (!(was.group == setup.group))
    return "trained " + std::to_string(was.group.nets()) + " x " + was.group.spec.to_string() +
           " with " + was.group.optimizer.to_string() + ", batch " +
           std::to_string(was.group.batch_size) + ", random shift " +
           augment_shift_text(was.group.augment_shift) + ", label smoothing " +
           label_smoothing_text(was.group.label_smoothing) +
           "; it continues with the same group only";
  if (was.train_sha256 != setup.train_sha256 || was.val_sha256 != setup.val_sha256)
    return "trained on '" + was.train_name + "' and validated on '" + was.val_name +
           "'; the data given are other images";
  if (was.val_labels != setup.val_labels)
    return "was validated on " + std::to_string(was.val_labels.size()) +
           " images; the validation set given has " + std::to_string(setup.val_labels.size());
  return {};
}

std::string continue_problem(const RunInfo& info, const RunSetup& setup, bool stopped_in_epoch) {
  const RunSetup& was = info.setup;
  if (info.status == RunStatus::Running) return "is still running";
  if (info.epochs_done < 1 && !stopped_in_epoch) return "recorded no epoch to continue from";
  if (std::string problem = setup_problem(info, setup); !problem.empty()) return problem;
  if (was.backend.kind != setup.backend.kind)
    return "trained on the " + was.backend.kind + " backend; it continues on that backend only";
  if (setup.epochs <= info.epochs_done)
    return "recorded " + std::to_string(info.epochs_done) +
           " epoch(s); continuing it needs more epochs planned than that";
  return {};
}

std::vector<NamedTensor> network_weights(Backend& backend, const NetworkSpec& spec, int net) {
  std::vector<NamedTensor> out;
  const std::vector<ParamInfo> params = spec.params();
  for (size_t p = 0; p < params.size(); ++p) {
    NamedTensor t{params[p].name, params[p].shape,
                  std::vector<float>(static_cast<size_t>(params[p].size()))};
    backend.read_tensor(net, static_cast<int>(p), TensorRole::Param, t.data.data());
    out.push_back(std::move(t));
  }
  return out;
}

TrainingState network_training_state(Trainer& trainer, int net) {
  Backend& backend = trainer.backend();
  const GroupConfig& group = trainer.config().group;
  TrainingState out{trainer.epoch(), backend.step_count(), trainer.train_images(), {}};
  const std::vector<ParamInfo> params = group.spec.params();
  for (int s = 0; s < group.optimizer.slots(); ++s)
    for (size_t p = 0; p < params.size(); ++p) {
      NamedTensor t{optimizer_slot_name(s, params[p].name), params[p].shape,
                    std::vector<float>(static_cast<size_t>(params[p].size()))};
      backend.read_tensor(net, static_cast<int>(p), kSlotRoles[s], t.data.data());
      out.slots.push_back(std::move(t));
    }
  return out;
}

std::vector<NetworkSave> network_saves(Trainer& trainer) {
  const GroupConfig& group = trainer.config().group;
  std::vector<NetworkSave> networks;
  for (int net = 0; net < group.nets(); ++net)
    networks.push_back({network_weights(trainer.backend(), group.spec, net),
                        network_training_state(trainer, net)});
  return networks;
}

StoppedEpoch place_in_epoch(Trainer& trainer) {
  trainer.drain_for_save();  // the steps since the last drain, into the history
  StoppedEpoch place{trainer.epoch(),
                     trainer.epoch_position(),
                     trainer.backend().step_count(),
                     trainer.train_images(),
                     {},
                     {},
                     trainer.epoch_seconds()};
  const long long first = trainer.global_step() - trainer.step_in_epoch();
  for (const LossPoint& p : trainer.history().losses)
    if (p.step >= first) place.losses.push_back(p);
  place.networks = network_saves(trainer);
  return place;
}

EnsembleOutcome run_ensemble(Store& store, Trainer& trainer, const RunSetup& setup,
                             const EnsembleHooks& hooks) {
  check_no_early_stop(trainer);
  return train_into(store, store.begin_run(setup), trainer, hooks);
}

void resume_networks(Trainer& trainer, int epochs_done, const std::vector<NetworkSave>& networks,
                     const std::string& what, const StoppedEpoch* inside) {
  const GroupConfig& group = trainer.config().group;
  if (networks.size() != static_cast<size_t>(group.nets()))
    throw StoreError(what + " has " + std::to_string(networks.size()) + " networks, not " +
                     std::to_string(group.nets()));
  // Everything is checked before anything is written.
  for (size_t net = 0; net < networks.size(); ++net) {
    const std::string name = what + " network " + std::to_string(net);
    const TrainingState& state = networks[net].state;
    if (state.epoch != epochs_done || state.step != networks.front().state.step)
      throw StoreError(name + " saved its state at epoch " + std::to_string(state.epoch) +
                       ", not at the run's latest (" + std::to_string(epochs_done) +
                       "); the run cannot continue");
    if (state.train_images != trainer.train_images())
      throw StoreError(what + " cannot continue: it trained on " +
                       std::to_string(state.train_images) + " images an epoch, not " +
                       std::to_string(trainer.train_images()));
    check_tensors(name + "'s weights", networks[net].weights, saved_layout(group, false));
    check_tensors(name + "'s optimizer state", state.slots, saved_layout(group, true));
  }
  Backend& backend = trainer.backend();
  const std::vector<ParamInfo> params = group.spec.params();
  for (size_t net = 0; net < networks.size(); ++net)
    for (size_t p = 0; p < params.size(); ++p) {
      const int n = static_cast<int>(net), param = static_cast<int>(p);
      backend.write_tensor(n, param, TensorRole::Param, networks[net].weights[p].data.data());
      for (int s = 0; s < group.optimizer.slots(); ++s)
        backend.write_tensor(n, param, kSlotRoles[s],
                             networks[net].state.slots[s * params.size() + p].data.data());
    }
  const long long step = networks.front().state.step;
  backend.set_step_count(step);
  RunHistory history;
  if (inside) history.losses = inside->losses;
  trainer.resume_at(epochs_done, step, std::move(history), inside ? inside->position : 0,
                    inside ? inside->seconds : 0);
}

EnsembleOutcome continue_ensemble(Store& store, int64_t run, Trainer& trainer,
                                  const RunSetup& setup, const EnsembleHooks& hooks) {
  check_no_early_stop(trainer);
  const std::string name = store.path() + ": run " + std::to_string(run);
  const RunInfo info = store.load_run_info(run);
  if (const std::string problem = sweep_run_problem(info); !problem.empty())
    throw StoreError(name + " " + problem);
  const bool stopped_inside = store.load_stopped_epoch(run, false).has_value();
  if (const std::string problem = continue_problem(info, setup, stopped_inside); !problem.empty())
    throw StoreError(name + " cannot continue: it " + problem);
  if (stopped_inside) {  // from where it stopped inside the epoch
    const std::optional<StoppedEpoch> stopped = store.load_stopped_epoch(run, true);
    if (!stopped) throw StoreError(name + ": its place inside the epoch went away as it was read");
    resume_networks(trainer, info.epochs_done, stopped->networks, name, &*stopped);
  } else {
    resume_networks(trainer, info.epochs_done, load_networks(store, run, info.setup.group.nets()),
                    name);
  }
  // Cancelled while the networks were read: the run is left as it was, not marked cancelled with
  // its planned epochs raised and nothing trained.
  if (hooks.cancel_requested && hooks.cancel_requested()) return {run, true};
  store.continue_run(run, setup.epochs);
  return train_into(store, run, trainer, hooks);
}

std::vector<NetworkSave> load_networks(Store& store, int64_t run, int nets) {
  std::vector<NetworkSave> out;
  for (int net = 0; net < nets; ++net)
    out.push_back({store.load_weights(run, net), store.load_training_state(run, net)});
  return out;
}

}  // namespace cs
