// Shared by the tests of what a resumed run takes over: a run stopped after some epochs.
#pragma once

#include <memory>
#include <string>

#include "convscope/checkpoint.h"
#include "convscope/cpu_backend.h"
#include "convscope/trainer.h"

namespace cs::test {

// Trains `cfg` for `epochs` epochs on a new one-thread CPU backend and saves network 0's
// checkpoint to `path`.
inline void save_run_after(const std::string& path, TrainConfig cfg, int epochs,
                           const Dataset& train, const Dataset& val) {
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  cfg.epochs = epochs;
  Trainer trainer(*backend, train, val, cfg);
  trainer.run();
  save_checkpoint(path, *backend, 0, checkpoint_meta(trainer));
}

}  // namespace cs::test
