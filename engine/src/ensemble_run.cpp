// The ensemble run loop (see ensemble_run.h).
#include "convscope/ensemble_run.h"

namespace cs {

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

EnsembleOutcome run_ensemble(Store& store, Trainer& trainer, const RunSetup& setup,
                             const EnsembleHooks& hooks) {
  EnsembleOutcome outcome;
  outcome.run = store.begin_run(setup);
  if (hooks.begun) hooks.begun(outcome.run);
  const GroupConfig& group = trainer.config().group;
  while (!trainer.finished()) {
    if (hooks.cancel_requested && hooks.cancel_requested()) {
      store.cancel_run(outcome.run);
      outcome.cancelled = true;
      return outcome;
    }
    const int before = trainer.epoch();
    trainer.step();
    const bool epoch_ended = trainer.epoch() != before;
    if (hooks.stepped) hooks.stepped(trainer, epoch_ended);
    if (!epoch_ended) continue;
    store.record_epoch(outcome.run, trainer.epochs().back(), trainer.last_eval());
    if (hooks.epoch_recorded) hooks.epoch_recorded(trainer);
    for (int net = 0; net < group.nets(); ++net)
      store.save_weights(outcome.run, net, network_weights(trainer.backend(), group.spec, net));
  }
  store.finish_run(outcome.run);
  return outcome;
}

}  // namespace cs
