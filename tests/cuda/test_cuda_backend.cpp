// The whole CUDA backend against the CPU backend: a table of networks (every layer kind,
// activations, same and valid padding, strides), batch sizes 1 / 7 / 64 with a partial last
// batch, one network and groups of three, shared and per-network orders, all seven optimizers.
// Compared: step losses and accuracies, parameters, gradients and optimizer slots, and the full
// evaluation. Also: a group of three equals three single networks, and graph replay equals the
// un-captured path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "convscope/backends.h"
#include "cuda_backend.h"
#include "gpu_test_util.h"

namespace cs::test {
namespace {

constexpr int kTrainCount = 200, kValCount = 50;

// Random stand-ins for MNIST, one pair per input shape (a deque keeps references valid).
const Dataset& train_set(Shape3 shape) {
  static std::deque<std::pair<Shape3, Dataset>> cache;
  for (const auto& [s, d] : cache)
    if (s == shape) return d;
  return cache.emplace_back(shape, random_dataset(shape, kTrainCount, 10, 71)).second;
}

const Dataset& val_set(Shape3 shape) {
  static std::deque<std::pair<Shape3, Dataset>> cache;
  for (const auto& [s, d] : cache)
    if (s == shape) return d;
  return cache.emplace_back(shape, random_dataset(shape, kValCount, 10, 72)).second;
}

GroupConfig group_config(const std::string& spec, Shape3 input, int batch, int nets, bool per_net,
                         OptimizerKind kind) {
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

// Three full batches and a partial one (a full one with batch 1), in epoch 1.
void run_steps(Backend& b, const GroupConfig& cfg) {
  b.begin_epoch(1);
  const int B = cfg.batch_size;
  for (int s = 0; s < 3; ++s) b.train_step(s * B, B);
  b.train_step(3 * B, std::max(1, std::min(B / 3, kTrainCount - 3 * B)));
}

std::vector<float> tensor(Backend& b, int net, int param, TensorRole role, long long size) {
  std::vector<float> v(static_cast<size_t>(size));
  b.read_tensor(net, param, role, v.data());
  return v;
}

// Every tensor of every network in every role.
void expect_same_state(Backend& gpu, Backend& cpu, const GroupConfig& cfg, double param_nmse) {
  const std::vector<ParamInfo> params = cfg.spec.params();
  const struct {
    TensorRole role;
    const char* name;
    double nmse;
  } roles[] = {{TensorRole::Param, "param", param_nmse},
               {TensorRole::Grad, "grad", 1e-6},
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

void expect_same_eval(Backend& gpu, Backend& cpu) {
  EvalResult g, c;
  gpu.evaluate(g);
  cpu.evaluate(c);
  ASSERT_EQ(g.nets, c.nets);
  ASSERT_EQ(g.count, c.count);
  CS_EXPECT_CLOSE("eval loss", g.loss, c.loss, 1e-8);
  CS_EXPECT_CLOSE("eval accuracy", g.accuracy, c.accuracy, 1e-3);
  CS_EXPECT_CLOSE("eval top probs", g.top_probs, c.top_probs, 1e-6);
  CS_EXPECT_CLOSE("eval true probs", g.true_probs, c.true_probs, 1e-6);
  size_t differ = 0;
  for (size_t i = 0; i < g.top_labels.size(); ++i) differ += g.top_labels[i] != c.top_labels[i];
  EXPECT_LE(differ, g.top_labels.size() / 100) << "top-3 labels that differ (near ties)";
}

struct NetCase {
  const char* spec;
  Shape3 input;
  int batch, nets;
  bool per_net;
  OptimizerKind optimizer;
};

std::string case_name(const ::testing::TestParamInfo<NetCase>& info) {
  std::string s = info.param.spec;
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s + "_b" + std::to_string(info.param.batch) + "n" + std::to_string(info.param.nets) +
         (info.param.per_net ? "pernet_" : "_") + to_string(info.param.optimizer);
}

class BackendTable : public ::testing::TestWithParam<NetCase> {};

TEST_P(BackendTable, TrainingAndEvaluationMatchCpu) {
  CS_SKIP_WITHOUT_GPU();
  const NetCase c = GetParam();
  const GroupConfig cfg = group_config(c.spec, c.input, c.batch, c.nets, c.per_net, c.optimizer);
  std::unique_ptr<Backend> gpu = make_cuda_backend(0), cpu = make_cpu_backend(2);
  gpu->configure(cfg, train_set(c.input), val_set(c.input));
  cpu->configure(cfg, train_set(c.input), val_set(c.input));
  expect_same_eval(*gpu, *cpu);  // identical initial weights
  run_steps(*gpu, cfg);
  run_steps(*cpu, cfg);
  EXPECT_EQ(gpu->step_count(), cpu->step_count());
  CS_EXPECT_CLOSE("step losses", gpu->take_losses(), cpu->take_losses(), 1e-8);
  CS_EXPECT_CLOSE("step accuracies", gpu->take_accuracies(), cpu->take_accuracies(), 1e-3);
  // Optimizers that normalize the step (g / sqrt(v)) turn rounding-level gradient differences
  // near zero into whole steps of lr: a looser bound for them.
  const bool normalized = c.optimizer != OptimizerKind::Sgd &&
                          c.optimizer != OptimizerKind::Momentum &&
                          c.optimizer != OptimizerKind::Adagrad;
  expect_same_state(*gpu, *cpu, cfg, normalized ? 1e-4 : 1e-8);
  expect_same_eval(*gpu, *cpu);
}

constexpr const char* kReference = "c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10";
constexpr Shape3 kMnist{1, 28, 28};
using O = OptimizerKind;

INSTANTIATE_TEST_SUITE_P(
    Table, BackendTable,
    ::testing::Values(NetCase{kReference, kMnist, 64, 1, false, O::Sgd},
                      NetCase{kReference, kMnist, 7, 3, false, O::Sgd},
                      NetCase{kReference, kMnist, 64, 3, false, O::Adam},
                      NetCase{kReference, kMnist, 1, 3, true, O::Adam},
                      NetCase{kReference, kMnist, 7, 3, true, O::Momentum},
                      NetCase{"c3x4:tanh:same-a2-d10", {2, 9, 9}, 7, 3, false, O::Momentum},
                      NetCase{"c4x4:relu:same-m2-c3x6:sigmoid:same:s2-d16:tanh-d10",
                              {1, 12, 12},
                              64,
                              3,
                              false,
                              O::RmsProp},
                      NetCase{"d32:relu-d10", {1, 8, 8}, 7, 3, false, O::Adagrad},
                      NetCase{"m2-c3x4:relu-d10", {1, 10, 10}, 7, 3, true, O::Adadelta},
                      NetCase{"m2-c3x4:relu-d10", {1, 10, 10}, 1, 1, false, O::Sgd},
                      NetCase{
                          "c5x8:relu:s2-a2-d12:sigmoid-d10", {3, 16, 16}, 7, 3, false, O::Adamax}),
    case_name);

TEST(CudaBackend, GroupOfThreeEqualsThreeSingles) {
  CS_SKIP_WITHOUT_GPU();
  const GroupConfig cfg = group_config(kReference, kMnist, 7, 3, false, O::Momentum);
  std::unique_ptr<Backend> group = make_cuda_backend(0);
  group->configure(cfg, train_set(kMnist), val_set(kMnist));
  run_steps(*group, cfg);
  const std::vector<float> losses = group->take_losses();
  EvalResult group_eval;
  group->evaluate(group_eval);
  const std::vector<ParamInfo> params = cfg.spec.params();
  for (int k = 0; k < 3; ++k) {
    GroupConfig one = cfg;
    one.seeds = {cfg.seeds[k]};
    std::unique_ptr<Backend> single = make_cuda_backend(0);
    single->configure(one, train_set(kMnist), val_set(kMnist));
    run_steps(*single, one);
    const std::vector<float> single_losses = single->take_losses();
    std::vector<float> column;
    for (size_t s = 0; s < single_losses.size(); ++s) column.push_back(losses[s * 3 + k]);
    CS_EXPECT_CLOSE("net " + std::to_string(k) + " losses", column, single_losses, 1e-10);
    for (size_t p = 0; p < params.size(); ++p)
      CS_EXPECT_CLOSE("net " + std::to_string(k) + " " + params[p].name,
                      tensor(*group, k, static_cast<int>(p), TensorRole::Param, params[p].size()),
                      tensor(*single, 0, static_cast<int>(p), TensorRole::Param, params[p].size()),
                      1e-10);
    EvalResult e;
    single->evaluate(e);
    const std::vector<float> slice(group_eval.true_probs.begin() + k * e.count,
                                   group_eval.true_probs.begin() + (k + 1) * e.count);
    CS_EXPECT_CLOSE("net " + std::to_string(k) + " true probs", slice, e.true_probs, 1e-10);
  }
}

TEST(CudaBackend, GraphReplayEqualsEagerSteps) {
  CS_SKIP_WITHOUT_GPU();
  const GroupConfig cfg = group_config(kReference, kMnist, 7, 3, true, O::Adam);
  cuda::CudaBackend graphs({0, true}), eager({0, false});
  for (cuda::CudaBackend* b : {&graphs, &eager}) {
    b->configure(cfg, train_set(kMnist), val_set(kMnist));
    for (int epoch = 0; epoch < 2; ++epoch) {
      b->begin_epoch(epoch);
      for (int first = 0; first < kTrainCount; first += 7)
        b->train_step(first, std::min(7, kTrainCount - first));
    }
  }
  EXPECT_GT(graphs.graph_replays(), 50) << "the graph path did not run";
  EXPECT_EQ(eager.graph_replays(), 0);
  // The two may pick different cuDNN algorithms: rounding-level differences that Adam's
  // normalized steps can turn into lr-sized ones (a stale bias correction would be far larger).
  CS_EXPECT_CLOSE("losses", graphs.take_losses(), eager.take_losses(), 1e-8);
  CS_EXPECT_CLOSE("accuracies", graphs.take_accuracies(), eager.take_accuracies(), 1e-3);
  expect_same_state(graphs, eager, cfg, 1e-4);
}

}  // namespace
}  // namespace cs::test
