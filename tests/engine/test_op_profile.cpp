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
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "convscope/dataset.h"
#include "convscope/spec.h"
#include "cpu/flush_denormals.h"
#include "cpu/network.h"
#include "cpu/simd.h"
#include "op_timing.h"

namespace cs {
namespace {

constexpr int kBatch = 16;

using profile::median_seconds;

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
  profile::ReferenceBatch r(data, kBatch);
  const cpu::NetPlan& plan = r.plan;
  cpu::Workspace& ws = r.ws;
  std::vector<float>&params = r.params, &grads = r.grads;
  const std::vector<float>& dout = r.dout;
  std::vector<float> d(dout.size());
  const int size = plan.spec.input.size();
  const cpu::FlushDenormals flush;

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
  for (const profile::PairTime& t : profile::time_conv_pool_pairs(r, kBatch)) {
    std::printf("%d-%-4d %-12s %12.2f %12.2f\n", t.conv, t.conv + 1, "conv+pool", t.forward * 1e6,
                t.backward * 1e6);
    fused_total += t.forward + t.backward - times[t.conv] - times[t.conv + 1];
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
