// Shared by the tests of what a resumed run takes over: a run stopped after some epochs, a run
// stopped in mid-epoch and resumed through its checkpoint file, and every tensor of a group.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

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

// Every tensor of `role` of every network of the group, network by network in ParamInfo order.
inline std::vector<float> all_tensors(Backend& backend, const GroupConfig& group,
                                      TensorRole role = TensorRole::Param) {
  std::vector<float> out;
  const std::vector<ParamInfo> params = group.spec.params();
  for (int n = 0; n < group.nets(); ++n)
    for (size_t p = 0; p < params.size(); ++p) {
      std::vector<float> t(static_cast<size_t>(params[p].size()));
      backend.read_tensor(n, static_cast<int>(p), role, t.data());
      out.insert(out.end(), t.begin(), t.end());
    }
  return out;
}

// A one-network run of `cfg` on one-thread CPU backends, stopped after `steps` steps, saved to
// `path`, read back and resumed to its end (cfg.epochs) as train --resume does: its final
// parameters. The checkpoint as read is left in *read.
inline std::vector<float> params_after_resume(const TrainConfig& cfg, const Dataset& train,
                                              const Dataset& val, int steps,
                                              const std::string& path, Checkpoint* read) {
  std::unique_ptr<Backend> first = make_cpu_backend(1);
  Trainer stopped(*first, train, val, cfg);
  for (int s = 0; s < steps; ++s) stopped.step();
  save_checkpoint(path, *first, 0, checkpoint_meta(stopped));
  *read = read_checkpoint(path);
  TrainConfig resumed_cfg = cfg;
  resumed_cfg.group = checkpoint_group(read->meta);
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  Trainer resumed(*backend, train, val, resumed_cfg);
  load_checkpoint(*read, *backend, 0);
  resume_from_checkpoint(resumed, read->meta);
  resumed.run();
  return all_tensors(*backend, resumed_cfg.group);
}

// The final parameters of the same run trained without a stop.
inline std::vector<float> params_straight(const TrainConfig& cfg, const Dataset& train,
                                          const Dataset& val) {
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  Trainer(*backend, train, val, cfg).run();
  return all_tensors(*backend, cfg.group);
}

// A checkpoint's metadata `key`, added in a later version: the file at `path` writes it as
// `written`; without it, it reads as an older checkpoint did (`absent` checks the meta); with the
// value `bad` it is refused with an error that contains `refusal`.
inline void expect_later_metadata(const std::string& path, const std::string& key,
                                  const std::string& written,
                                  const std::function<void(const CheckpointMeta&)>& absent,
                                  const std::string& bad, const std::string& refusal) {
  std::map<std::string, std::string> md;
  const std::vector<NamedTensor> tensors = read_safetensors(path, &md);
  EXPECT_EQ(md.at(key), written);
  md.erase(key);
  write_safetensors(path, tensors, md);
  absent(read_checkpoint_meta(path));
  md[key] = bad;
  write_safetensors(path, tensors, md);
  try {
    read_checkpoint_meta(path);
    ADD_FAILURE() << key << " " << bad << " was read";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find(refusal), std::string::npos) << e.what();
  }
}

}  // namespace cs::test
