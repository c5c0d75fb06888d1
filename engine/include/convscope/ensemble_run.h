// One ensemble run recorded in the run store: the loop that `convscope-cli ensemble` and the app's
// ensemble worker share. It begins the run, steps the trainer, records every finished epoch with
// the weights and training state of all its networks (so that a run stopped later keeps those of
// its last whole epoch and can continue from there), and finishes the run, or cancels it when
// asked to between two steps.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "convscope/checkpoint.h"
#include "convscope/store.h"
#include "convscope/trainer.h"

namespace cs {

// Every hook may be empty. They are called on the thread that calls run_ensemble().
struct EnsembleHooks {
  // Polled before every step: true stops the run, which is marked cancelled and keeps its
  // finished epochs and their weights, and where it stood in the epoch it stopped in
  // (Store::stop_run), so that it continues from there.
  std::function<bool()> cancel_requested;
  // The run was begun (or continued) in the store, before the first step.
  std::function<void(int64_t run)> begun;
  // After every step; `epoch_ended` when it finished an epoch, which is recorded next (with
  // every network's weights, which takes a moment for a large group).
  std::function<void(const Trainer& trainer, bool epoch_ended)> stepped;
  // An epoch's metrics, predictions and weights are stored (trainer.epochs().back()).
  std::function<void(const Trainer& trainer)> epoch_recorded;
  // Inside an epoch, where the run stands (every network's weights and training state) is saved
  // (Store::save_place) once this many seconds passed since the latest save or recorded epoch,
  // so that a run killed (SIGKILL, a crash, power loss) continues from there, not from its latest
  // recorded epoch. 0: after every step; negative: never.
  double save_every_seconds = kSaveEverySeconds;
};

struct EnsembleOutcome {
  int64_t run = -1;
  bool cancelled = false;
};

// Trains `trainer` (already configured; its backend holds the group) to the end as run `setup` of
// `store`. Exceptions propagate (a run left open is marked interrupted when the store closes); the
// epochs recorded until then stay in the store. Throws InputError, before anything is written,
// for a trainer that may stop early (TrainConfig::patience): an ensemble trains every epoch.
EnsembleOutcome run_ensemble(Store& store, Trainer& trainer, const RunSetup& setup,
                             const EnsembleHooks& hooks);

// Continues stopped run `run` of `store` (cancelled, interrupted or finished) with `trainer`,
// configured as `setup` says: the run's group and data, the epochs planned in all. Loads every
// network's weights and training state of the run's latest epoch, or of where it stopped inside
// the next one (a stop on request or a save while it trained: Store::stop_run, save_place), marks
// the run running (Store::continue_run) and trains and records as run_ensemble() does from there,
// so that the run ends as if it had never stopped. Throws StoreError, with the run and the backend
// left as they were, when it cannot continue: it is still running; it recorded no epoch and stopped
// in none; `setup` has another group, other data (or another number of its images) or another kind
// of backend; a network lacks the weights or training state of that epoch (a run recorded before
// the store kept training states); it trains a sweep's configuration (the sweep continues it:
// sweep_run.h). Throws InputError first for a trainer that may stop early, as run_ensemble(). A
// cancel requested before the first step (while the networks were read) leaves the run as it was
// (the outcome says cancelled).
EnsembleOutcome continue_ensemble(Store& store, int64_t run, Trainer& trainer,
                                  const RunSetup& setup, const EnsembleHooks& hooks);

// Why the ensemble loop leaves run `info` to the sweep whose configuration it trains (the sweep
// continues it, so that its configurations stay comparable), as a clause; "" for a run of no sweep.
std::string sweep_run_problem(const RunInfo& info);
// Why run `info` trained otherwise than `setup` says (another group, other training or validation
// images), as a clause of continue_problem(), or "" when it trained the same.
std::string setup_problem(const RunInfo& info, const RunSetup& setup);
// Why stopped run `info` cannot continue as `setup` says, as a clause ("is still running",
// "trained on 'mnist/train' …; the data given are other images"), or "" when it can;
// `stopped_in_epoch`: it stopped inside an epoch (Store::load_stopped_epoch), so it may continue
// before it recorded one.
std::string continue_problem(const RunInfo& info, const RunSetup& setup,
                             bool stopped_in_epoch = false);
// Networks 0..nets-1 of stored run `run` as saved with its latest epoch (Store::load_weights and
// load_training_state; throws StoreError when one has none).
std::vector<NetworkSave> load_networks(Store& store, int64_t run, int nets);
// Loads `networks` (a run's, saved after `epochs_done` epochs and, with `inside`, inside the next:
// its position, steps' losses and seconds) into the trainer's group, network i into network i,
// and sets the trainer to go on from there as if it had trained them. Throws StoreError, naming
// `what` (the run) and changing nothing, when they do not fit the trainer: another layout,
// another epoch, another number of training images.
void resume_networks(Trainer& trainer, int epochs_done, const std::vector<NetworkSave>& networks,
                     const std::string& what, const StoppedEpoch* inside = nullptr);

// The parameters of network `net` of the backend's group, named and shaped as `spec.params()`.
std::vector<NamedTensor> network_weights(Backend& backend, const NetworkSpec& spec, int net);
// Network `net`'s training state as `trainer` stands.
TrainingState network_training_state(Trainer& trainer, int net);
// Every network's weights and training state as `trainer` stands.
std::vector<NetworkSave> network_saves(Trainer& trainer);
// Where `trainer` stands inside its epoch, as Store::save_place keeps it: the place, that epoch's
// steps' losses (drained first) and time, every network's weights and training state.
StoppedEpoch place_in_epoch(Trainer& trainer);

}  // namespace cs
