// A Backend for tests of code that only moves tensors (checkpoints): a map of vectors holding
// Param, Grad and the optimizer's slots of every network. Touching a tensor the configuration
// does not have fails the test; the training calls are not implemented.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "convscope/backend.h"

namespace cs {

class FakeBackend : public Backend {
 public:
  BackendInfo info() const override { return {"fake", "test"}; }
  const GroupConfig& config() const override { return m_cfg; }
  void configure(const GroupConfig& cfg, const Dataset&, const Dataset&) override {
    m_cfg = cfg;
    m_tensors.clear();
    const std::vector<ParamInfo> params = cfg.spec.params();
    const TensorRole roles[] = {TensorRole::Param, TensorRole::Grad, TensorRole::Slot0,
                                TensorRole::Slot1};
    for (int net = 0; net < cfg.nets(); ++net)
      for (size_t p = 0; p < params.size(); ++p)
        for (int r = 0; r < 2 + cfg.optimizer.slots(); ++r)
          m_tensors[{net, static_cast<int>(p), roles[r]}].assign(params[p].size(), 0.f);
    m_step = 0;
  }
  void begin_epoch(int) override { unused(); }
  void train_step(int, int) override { unused(); }
  std::vector<float> take_losses() override { unused(); }
  void evaluate(EvalResult&) override { unused(); }
  void request_snapshot(int, int) override { unused(); }
  void capture_snapshot(int, int) override { unused(); }
  SnapshotExchange& snapshots() override { unused(); }
  void publish_snapshot(const Snapshot&) override { unused(); }
  void predict(int, const float*, int, float*, float*) override { unused(); }
  void layer_gradient(int, const float*, int, int, const int*, int, float*) override { unused(); }
  using Backend::features;
  void features(int, const float*, int, std::span<const int>, std::span<float* const>) override {
    unused();
  }
  void read_tensor(int net, int param, TensorRole role, float* out) override {
    const std::vector<float>& t = tensor(net, param, role);
    std::copy(t.begin(), t.end(), out);
  }
  void write_tensor(int net, int param, TensorRole role, const float* in) override {
    std::vector<float>& t = tensor(net, param, role);
    std::copy(in, in + t.size(), t.begin());
  }
  long long step_count() const override { return m_step; }
  void set_step_count(long long t) override { m_step = t; }

  // A tensor the configuration has; anything else fails the test.
  std::vector<float>& tensor(int net, int param, TensorRole role) {
    const auto it = m_tensors.find({net, param, role});
    if (it == m_tensors.end()) {
      ADD_FAILURE() << "access to a tensor the configuration does not have: net " << net
                    << ", param " << param << ", role " << static_cast<int>(role);
      throw std::logic_error("bad tensor access");
    }
    return it->second;
  }
  // Distinct values everywhere, different per network.
  void fill(int seed) {
    for (auto& [key, values] : m_tensors)
      for (size_t i = 0; i < values.size(); ++i)
        values[i] = static_cast<float>(seed) + 0.001f * static_cast<float>(i) +
                    10.f * static_cast<float>(std::get<1>(key)) +
                    100.f * static_cast<float>(std::get<2>(key));
  }
  const auto& tensors() const { return m_tensors; }

 private:
  [[noreturn]] static void unused() { throw std::logic_error("not used by checkpoints"); }
  GroupConfig m_cfg;
  std::map<std::tuple<int, int, TensorRole>, std::vector<float>> m_tensors;
  long long m_step = 0;
};

}  // namespace cs
