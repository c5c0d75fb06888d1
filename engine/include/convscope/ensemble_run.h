// One ensemble run recorded in the run store: the loop that `convscope-cli ensemble` and the app's
// ensemble worker share. It begins the run, steps the trainer, records every finished epoch with
// the weights of all its networks (so that a run stopped later keeps those of its last whole
// epoch), and finishes the run, or cancels it when asked to between two steps.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "convscope/checkpoint.h"
#include "convscope/store.h"
#include "convscope/trainer.h"

namespace cs {

// Every hook may be empty. They are called on the thread that calls run_ensemble().
struct EnsembleHooks {
  // Polled before every step: true stops the run, which is marked cancelled and keeps its
  // finished epochs and their weights.
  std::function<bool()> cancel_requested;
  // The run was begun in the store (before the first step).
  std::function<void(int64_t run)> begun;
  // After every step; `epoch_ended` when it finished an epoch, which is recorded next.
  std::function<void(const Trainer& trainer, bool epoch_ended)> stepped;
  // An epoch's metrics and predictions are stored (trainer.epochs().back()); the weights of its
  // networks are saved right after this returns.
  std::function<void(const Trainer& trainer)> epoch_recorded;
};

struct EnsembleOutcome {
  int64_t run = -1;
  bool cancelled = false;
};

// Trains `trainer` (already configured; its backend holds the group) to the end as run `setup` of
// `store`. Exceptions propagate (a run left open is marked interrupted when the store closes); the
// epochs recorded until then stay in the store.
EnsembleOutcome run_ensemble(Store& store, Trainer& trainer, const RunSetup& setup,
                             const EnsembleHooks& hooks);

// The parameters of network `net` of the backend's group, named and shaped as `spec.params()`.
std::vector<NamedTensor> network_weights(Backend& backend, const NetworkSpec& spec, int net);

}  // namespace cs
