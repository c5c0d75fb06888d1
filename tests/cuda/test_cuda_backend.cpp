// The whole CUDA backend against the CPU backend: a table of networks (every layer kind,
// activations, same and valid padding, strides), batch sizes 1 / 7 / 64 with a partial last
// batch, one network and groups of three and of fifty, shared and per-network orders, all seven
// optimizers. Compared: step losses and hit counts, parameters, gradients and optimizer slots,
// and the full evaluation. Also: a group of three equals three single networks, graph replay
// equals the un-captured path, and the op profile (op_timer.h) times nested ops and changes
// nothing.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "backend_test_util.h"
#include "convscope/backends.h"
#include "cuda_backend.h"
#include "gpu_test_util.h"
#include "op_timer.h"

namespace cs::test {
namespace {

// Three full batches and a partial one (a full one with batch 1), in epoch 1. Returns the
// images of each step.
std::vector<int> run_steps(Backend& b, const GroupConfig& cfg) {
  b.begin_epoch(1);
  const int B = cfg.batch_size;
  std::vector<int> images = {B, B, B, std::max(1, std::min(B / 3, kTrainCount - 3 * B))};
  for (int s = 0; s < 4; ++s) b.train_step(s * B, images[s]);
  return images;
}

struct NetCase {
  const char* spec;
  Shape3 input;
  int batch, nets;
  bool per_net;
  OptimizerKind optimizer;
  float label_smoothing = 0;
};

// "c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10 b64 n1 shared sgd": the value CTest names carry.
void PrintTo(const NetCase& c, std::ostream* os) {
  *os << c.spec << " b" << c.batch << " n" << c.nets << (c.per_net ? " per-net " : " shared ")
      << to_string(c.optimizer) << (c.label_smoothing > 0 ? " smoothed" : "");
}

// The same as an identifier: c5x8_relu_m2_c5x16_relu_m2_d128_relu_d10_b64n1_sgd.
std::string case_name(const ::testing::TestParamInfo<NetCase>& info) {
  std::string s = info.param.spec;
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s + "_b" + std::to_string(info.param.batch) + "n" + std::to_string(info.param.nets) +
         (info.param.per_net ? "pernet_" : "_") + to_string(info.param.optimizer) +
         (info.param.label_smoothing > 0 ? "_smoothed" : "");
}

class BackendTable : public ::testing::TestWithParam<NetCase> {};

TEST_P(BackendTable, TrainingAndEvaluationMatchCpu) {
  CS_SKIP_WITHOUT_GPU();
  const NetCase c = GetParam();
  GroupConfig cfg = group_config(c.spec, c.input, c.batch, c.nets, c.per_net, c.optimizer);
  cfg.label_smoothing = c.label_smoothing;
  std::unique_ptr<Backend> gpu = make_cuda_backend(0), cpu = make_cpu_backend(2);
  gpu->configure(cfg, train_set(c.input), val_set(c.input));
  cpu->configure(cfg, train_set(c.input), val_set(c.input));
  expect_same_eval(*gpu, *cpu);  // identical initial weights
  const std::vector<int> images = run_steps(*gpu, cfg);
  run_steps(*cpu, cfg);
  EXPECT_EQ(gpu->step_count(), cpu->step_count());
  CS_EXPECT_CLOSE("step losses", gpu->take_losses(), cpu->take_losses(), 1e-8);
  CS_EXPECT_SAME_HITS("step hits", gpu->take_accuracies(), cpu->take_accuracies(), images);
  // Optimizers that normalize the step (g / sqrt(v)) turn rounding-level gradient differences
  // near zero into whole steps of lr: a looser bound for them.
  const bool normalized = c.optimizer != OptimizerKind::Sgd &&
                          c.optimizer != OptimizerKind::Momentum &&
                          c.optimizer != OptimizerKind::Adagrad;
  expect_same_state(*gpu, *cpu, cfg, normalized ? 1e-4 : 1e-8);
  expect_same_eval(*gpu, *cpu);
}

using O = OptimizerKind;

INSTANTIATE_TEST_SUITE_P(
    Table, BackendTable,
    ::testing::Values(
        NetCase{kReference, kMnist, 64, 1, false, O::Sgd},
        NetCase{kReference, kMnist, 7, 3, false, O::Sgd},
        NetCase{kReference, kMnist, 64, 3, false, O::Adam},
        NetCase{kReference, kMnist, 1, 3, true, O::Adam},
        NetCase{kReference, kMnist, 7, 3, true, O::Momentum},
        // the ensemble's group size, both input layouts
        NetCase{kReference, kMnist, 7, 50, false, O::Adam},
        NetCase{kReference, kMnist, 5, 50, true, O::Sgd},
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
        NetCase{"c5x8:relu:s2-a2-d12:sigmoid-d10", {3, 16, 16}, 7, 3, false, O::Adamax},
        // dropout: on maps and on dense units; as the first layer (per-net input)
        NetCase{"c3x4:relu:same-p0.2-m2-d16:relu-p0.5-d10", {1, 12, 12}, 64, 3, false, O::Sgd},
        NetCase{"p0.25-c3x4:relu-d10", {1, 10, 10}, 7, 3, true, O::Adam},
        // label smoothing
        NetCase{kReference, kMnist, 64, 3, false, O::Adam, 0.1f}),
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
  std::vector<int> images;
  for (cuda::CudaBackend* b : {&graphs, &eager}) {
    b->configure(cfg, train_set(kMnist), val_set(kMnist));
    images.clear();
    for (int epoch = 0; epoch < 2; ++epoch) {
      b->begin_epoch(epoch);
      for (int first = 0; first < kTrainCount; first += 7) {
        images.push_back(std::min(7, kTrainCount - first));
        b->train_step(first, images.back());
      }
    }
  }
  EXPECT_GT(graphs.graph_replays(), 50) << "the graph path did not run";
  EXPECT_EQ(eager.graph_replays(), 0);
  // Bounds for rounding-level differences that Adam's normalized steps can turn into lr-sized
  // ones (a stale bias correction would be far larger).
  CS_EXPECT_CLOSE("losses", graphs.take_losses(), eager.take_losses(), 1e-8);
  CS_EXPECT_SAME_HITS("hits", graphs.take_accuracies(), eager.take_accuracies(), images);
  expect_same_state(graphs, eager, cfg, 1e-4);
}

// Three "steps", each of two ops (one of them two kernels), on a stream: the report counts each
// op's calls; without a step it is empty.
TEST(OpTimer, TimesNestedOpsWithTheirShareOfTheSteps) {
  cuda::OpTimer none;
  EXPECT_EQ(none.report(), "");
  CS_SKIP_WITHOUT_GPU();
  cuda::OpTimer timer;
  const cuda::Stream stream = cuda::make_stream();
  cuda::DeviceBuffer<float> buffer(size_t{1} << 22, "test buffer");
  for (int step = 0; step < 3; ++step) {
    const cuda::OpScope whole(&timer, "step", stream.get());
    {
      const cuda::OpScope op(&timer, "one memset", stream.get());
      CUDA_CHECK(cudaMemsetAsync(buffer.get(), 0, buffer.bytes(), stream.get()));
    }
    const cuda::OpScope op(&timer, "two memsets", stream.get());
    CUDA_CHECK(cudaMemsetAsync(buffer.get(), 1, buffer.bytes(), stream.get()));
    CUDA_CHECK(cudaMemsetAsync(buffer.get(), 2, buffer.bytes(), stream.get()));
  }
  CUDA_CHECK(cudaStreamSynchronize(stream.get()));
  const std::string report = timer.report();
  std::printf("%s", report.c_str());
  EXPECT_EQ(report.rfind("CUDA op profile: 3 eager training steps, ", 0), 0u) << report;
  const size_t one = report.find("one memset"), two = report.find("two memsets");
  ASSERT_NE(one, std::string::npos) << report;
  ASSERT_NE(two, std::string::npos) << report;
  for (const size_t row : {one, two})
    EXPECT_EQ(report.substr(report.find_first_not_of(' ', report.find(' ', row + 4)), 2), "3 ")
        << "three calls: " << report.substr(row, report.find('\n', row) - row);
  EXPECT_EQ(report.find("step ", report.find('\n')), std::string::npos) << "the step is no op";
}

// CONVSCOPE_CUDA_PROFILE=1 with graphs off times every eager step, and trains exactly as without.
TEST(OpTimer, AProfiledBackendTrainsAsAnotherDoes) {
  CS_SKIP_WITHOUT_GPU();
  const GroupConfig cfg = group_config(kReference, kMnist, 7, 3, false, O::Adam);
  cuda::CudaBackend plain({0, false});
  ::setenv("CONVSCOPE_CUDA_PROFILE", "1", 1);
  cuda::CudaBackend profiled({0, false});
  ::unsetenv("CONVSCOPE_CUDA_PROFILE");
  EXPECT_FALSE(plain.profiling());
  EXPECT_TRUE(profiled.profiling());
  for (cuda::CudaBackend* b : {&plain, &profiled}) {
    b->configure(cfg, train_set(kMnist), val_set(kMnist));
    run_steps(*b, cfg);
  }
  CS_EXPECT_CLOSE("losses", profiled.take_losses(), plain.take_losses(), 0);
  expect_same_state(profiled, plain, cfg, 0, 0);
}

}  // namespace
}  // namespace cs::test
