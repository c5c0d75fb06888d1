// DISABLED_ReferenceNetworkPerLayer: a per-layer profile of the CPU ops of the reference network
// on real MNIST, single-threaded, 16 samples a pass (the backend's sub-batch). For each layer it
// prints the forward and backward time per sample (median of 5 rounds after a warm-up), the
// multiply-adds per sample and the rate they run at, then each convolution and max pool as the
// fused pair training runs, and a whole training pass over fresh images, whose rate it compares
// with this thread's peak (a loop of independent FMAs, timed the same way).
// Run it with
//   test_cpu_backend --gtest_also_run_disabled_tests --gtest_filter=OpProfile.*
// Per-epoch seconds on T threads are about (total per sample) x 60,000 / T.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "convscope/backend.h"
#include "convscope/dataset.h"
#include "convscope/spec.h"
#include "convscope/sweep_stats.h"
#include "cpu/flush_denormals.h"
#include "cpu/network.h"
#include "cpu/ops/conv2d.h"
#include "cpu/simd.h"

namespace cs {
namespace {

constexpr int kBatch = 16;

// Median seconds of one call of fn, over 5 rounds of calls lasting about 20 ms each.
double median_seconds(const std::function<void()>& fn) {
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < 20; ++i) fn();
  const auto t0 = clock::now();
  fn();
  const double once = std::chrono::duration<double>(clock::now() - t0).count();
  const int calls = std::max(1, static_cast<int>(0.02 / std::max(once, 1e-7)));
  std::vector<double> rounds;
  for (int r = 0; r < 5; ++r) {
    const auto start = clock::now();
    for (int i = 0; i < calls; ++i) fn();
    rounds.push_back(std::chrono::duration<double>(clock::now() - start).count() / calls);
  }
  std::sort(rounds.begin(), rounds.end());
  return quantile_sorted(rounds, 0.5);
}

// This thread's peak rate of vector multiply-adds, in GFLOP/s: kChains independent chains of FMAs,
// enough to keep every FMA pipe busy through the instruction's latency.
double fma_peak_gflops() {
  using V = cpu::simd::Vec<float>;
  constexpr int kChains = 16, kSteps = 1000, L = cpu::simd::kLanes<float>;
  V acc[kChains];
  for (V& a : acc) a = V{} + 1.f;
  const double seconds = median_seconds([&] {
    V r[kChains];  // in registers: acc is only read and written around the loop
    std::copy_n(acc, kChains, r);
    const V m = V{} + 0.9999f, c = V{} + 1e-4f;  // a fixed point at 1: no overflow, no denormals
    for (int i = 0; i < kSteps; ++i)
      for (V& a : r) a = a * m + c;
    std::copy_n(r, kChains, acc);
  });
  float sink = 0;
  for (const V& a : acc) sink += a[0];
  EXPECT_NEAR(sink, kChains, 1e-2f * kChains);
  return 2.0 * kChains * L * kSteps / seconds / 1e9;
}

// Multiply-adds per sample of layer l's forward.
double forward_macs(const cpu::LayerPlan& l) {
  if (l.spec.kind == LayerKind::Conv2d)
    return 1.0 * l.conv.oc * l.conv.pixels() * l.conv.col_rows();
  if (l.spec.kind == LayerKind::Dense) return 1.0 * l.in.size() * l.out.size();
  return 0;
}

TEST(OpProfile, DISABLED_ReferenceNetworkPerLayer) {
  if (!std::filesystem::exists(default_mnist_dir())) GTEST_SKIP() << "no MNIST in data/mnist";
  const DatasetPair data = load_idx_folder(default_mnist_dir(), "mnist");
  const NetworkSpec spec = NetworkSpec::reference();
  const cpu::NetPlan plan(spec);
  cpu::Workspace ws(plan, kBatch);
  std::vector<float> params(static_cast<size_t>(plan.param_size));
  const std::vector<std::vector<float>> init = init_parameters(spec, 1);
  for (size_t t = 0; t < init.size(); ++t)
    std::copy(init[t].begin(), init[t].end(), params.begin() + plan.offsets[t]);
  std::vector<float> grads(params.size(), 0.f);
  const int size = spec.input.size();
  for (int i = 0; i < kBatch * size; ++i) ws.input[i] = data.train.images[i] / 255.f;
  for (int s = 0; s < kBatch; ++s) ws.labels[s] = data.train.labels[s];

  const cpu::FlushDenormals flush;
  cpu::net_forward(plan, ws, params.data(), kBatch);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.f, 1e-3f);
  std::vector<float> dout(ws.grad_a.size()), d(ws.grad_a.size());
  for (float& v : dout) v = normal(rng);

  std::printf("%-6s %-12s %12s %12s %12s %10s\n", "layer", "op", "fwd us/smp", "bwd us/smp",
              "MAC/smp", "GFLOP/s");
  double total = 0, pass_macs = 0;
  std::vector<double> times;  // each layer's forward + backward
  for (int i = 0; i < static_cast<int>(plan.layers.size()); ++i) {
    const cpu::LayerPlan& l = plan.layers[i];
    float* dinp = i == 0 ? nullptr : ws.grad_b.data();
    const double fwd =
        median_seconds([&] { cpu::layer_forward(plan, ws, params.data(), i, kBatch); }) / kBatch;
    const double bwd =
        median_seconds([&] {
          std::copy_n(dout.begin(), kBatch * l.out.size(), d.begin());
          cpu::layer_backward(plan, ws, params.data(), grads.data(), i, kBatch, d.data(), dinp);
        }) /
        kBatch;
    const double macs = forward_macs(l) * (1 + (i == 0 ? 1 : 2));  // forward, dW, dinp
    const std::string op = l.spec.kind == LayerKind::Conv2d    ? "conv2d"
                           : l.spec.kind == LayerKind::Dense   ? "dense"
                           : l.spec.kind == LayerKind::MaxPool ? "maxpool"
                                                               : "avgpool";
    std::printf("%-6d %-12s %12.2f %12.2f %12.0f %10.1f\n", i, op.c_str(), fwd * 1e6, bwd * 1e6,
                macs, macs > 0 ? 2 * macs / (fwd + bwd) / 1e9 : 0.0);
    total += fwd + bwd;
    pass_macs += macs;
    times.push_back(fwd + bwd);
  }
  // A stride-1 convolution and the max pool after it run as one pair in training
  // (conv2d_pool_forward keeping no convolution output, conv2d_pool_backward): the sum again with
  // each pair timed as it runs.
  double fused_total = total;
  for (int i = 0; i + 1 < static_cast<int>(plan.layers.size()); ++i) {
    const cpu::LayerPlan& l = plan.layers[i];
    const cpu::LayerPlan& pool = plan.layers[i + 1];
    if (l.spec.kind != LayerKind::Conv2d || pool.spec.kind != LayerKind::MaxPool ||
        !l.conv.implicit())
      continue;
    const float* inp = ws.input_of(i);
    float* dinp = i == 0 ? nullptr : ws.grad_b.data();
    const int k = pool.spec.kernel;
    const double fwd =
        median_seconds([&] {
          cpu::conv2d_pool_forward(static_cast<float*>(nullptr), ws.act[i + 1].data(),
                                   ws.argmax[i + 1].data(), k, ws.scratch.data(), inp,
                                   params.data() + l.weight, params.data() + l.bias, kBatch, l.conv,
                                   l.spec.activation);
        }) /
        kBatch;
    const double bwd = median_seconds([&] {
                         std::copy_n(dout.begin(), kBatch * pool.out.size(), d.begin());
                         cpu::conv2d_pool_backward(
                             dinp, grads.data() + l.weight, grads.data() + l.bias, d.data(),
                             ws.scratch.data(), ws.act[i + 1].data(), ws.argmax[i + 1].data(), k,
                             inp, params.data() + l.weight, kBatch, l.conv, l.spec.activation);
                       }) /
                       kBatch;
    std::printf("%d-%-4d %-12s %12.2f %12.2f\n", i, i + 1, "conv+pool", fwd * 1e6, bwd * 1e6);
    fused_total += fwd + bwd - times[i] - times[i + 1];
  }
  // A whole pass as a training task runs it: the next 16 images converted, forward, loss and
  // backward; what it adds to the sum of the layers is the loss and the cache misses.
  int next = 0;
  const double pass = median_seconds([&] {
                        next = (next + kBatch) % (data.train.count - kBatch);
                        const uint8_t* px = data.train.images.data() + size_t(next) * size;
                        for (int i = 0; i < kBatch * size; ++i) ws.input[i] = px[i] / 255.f;
                        for (int s = 0; s < kBatch; ++s) ws.labels[s] = data.train.labels[next + s];
                        cpu::net_forward(plan, ws, params.data(), kBatch, cpu::Keep::ForBackward);
                        cpu::net_backward(plan, ws, params.data(), grads.data(), kBatch, 1.f);
                      }) /
                      kBatch;
  std::printf(
      "sum of the layers: %.2f us per sample, %.2f with the pairs fused; a whole training pass: "
      "%.2f us\n",
      total * 1e6, fused_total * 1e6, pass * 1e6);
  const double peak = fma_peak_gflops();
  std::printf(
      "the pass runs the model's multiply-adds at %.1f GFLOP/s: %.0f%% of this thread's FMA peak "
      "(%.1f GFLOP/s)\n",
      2 * pass_macs / pass / 1e9, 100 * 2 * pass_macs / pass / 1e9 / peak, peak);
  EXPECT_GT(total, 0);
}

}  // namespace
}  // namespace cs
