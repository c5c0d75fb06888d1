// Shared by the tests of the whole CUDA backend against the CPU backend: random stand-ins for
// MNIST, group configurations, and the comparison of two backends' tensors and evaluations.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "convscope/backend.h"
#include "gpu_test_util.h"

namespace cs::test {

constexpr int kTrainCount = 200, kValCount = 50;
constexpr const char* kReference = "c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10";
constexpr Shape3 kMnist{1, 28, 28};

// Random stand-ins for MNIST, one pair per input shape (a deque keeps references valid).
inline const Dataset& train_set(Shape3 shape) {
  static std::deque<std::pair<Shape3, Dataset>> cache;
  for (const auto& [s, d] : cache)
    if (s == shape) return d;
  return cache.emplace_back(shape, random_dataset(shape, kTrainCount, 10, 71)).second;
}

inline const Dataset& val_set(Shape3 shape) {
  static std::deque<std::pair<Shape3, Dataset>> cache;
  for (const auto& [s, d] : cache)
    if (s == shape) return d;
  return cache.emplace_back(shape, random_dataset(shape, kValCount, 10, 72)).second;
}

// Seeds 11, 12, ... and shuffle seed 5, with the optimizer's defaults.
inline GroupConfig group_config(const std::string& spec, Shape3 input, int batch, int nets,
                                bool per_net, OptimizerKind kind) {
  GroupConfig cfg;
  cfg.spec = NetworkSpec::parse(spec, input, 10);
  cfg.optimizer = OptimizerConfig::defaults(kind);
  cfg.seeds.clear();
  for (int k = 0; k < nets; ++k) cfg.seeds.push_back(11 + static_cast<uint64_t>(k));
  cfg.batch_size = batch;
  cfg.shuffle_seed = 5;
  cfg.per_net_shuffle = per_net;
  return cfg;
}

inline std::vector<float> tensor(Backend& b, int net, int param, TensorRole role, long long size) {
  std::vector<float> v(static_cast<size_t>(size));
  b.read_tensor(net, param, role, v.data());
  return v;
}

// Every tensor of every network in every role: parameters and optimizer slots within
// param_nmse, the last step's gradients within grad_nmse.
inline void expect_same_state(Backend& gpu, Backend& cpu, const GroupConfig& cfg, double param_nmse,
                              double grad_nmse = 1e-6) {
  const std::vector<ParamInfo> params = cfg.spec.params();
  const struct {
    TensorRole role;
    const char* name;
    double nmse;
  } roles[] = {{TensorRole::Param, "param", param_nmse},
               {TensorRole::Grad, "grad", grad_nmse},
               {TensorRole::Slot0, "slot0", param_nmse},
               {TensorRole::Slot1, "slot1", param_nmse}};
  for (int k = 0; k < cfg.nets(); ++k)
    for (size_t p = 0; p < params.size(); ++p)
      for (const auto& r : roles) {
        const int pi = static_cast<int>(p);
        CS_EXPECT_CLOSE("net " + std::to_string(k) + " " + params[p].name + " " + r.name,
                        tensor(gpu, k, pi, r.role, params[p].size()),
                        tensor(cpu, k, pi, r.role, params[p].size()), r.nmse);
      }
}

// Accuracies as hit counts (one top-1 flip on a near tie is allowed), the rest by nmse.
inline void expect_same_eval(Backend& gpu, Backend& cpu) {
  EvalResult g, c;
  gpu.evaluate(g);
  cpu.evaluate(c);
  ASSERT_EQ(g.nets, c.nets);
  ASSERT_EQ(g.count, c.count);
  CS_EXPECT_CLOSE("eval loss", g.loss, c.loss, 1e-8);
  CS_EXPECT_SAME_HITS("eval hits", g.accuracy, c.accuracy, {c.count});
  CS_EXPECT_CLOSE("eval top probs", g.top_probs, c.top_probs, 1e-6);
  CS_EXPECT_CLOSE("eval true probs", g.true_probs, c.true_probs, 1e-6);
  size_t differ = 0;
  for (size_t i = 0; i < g.top_labels.size(); ++i) differ += g.top_labels[i] != c.top_labels[i];
  EXPECT_LE(differ, g.top_labels.size() / 100) << "top-3 labels that differ (near ties)";
}

}  // namespace cs::test
