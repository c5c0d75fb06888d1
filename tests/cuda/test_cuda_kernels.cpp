// The CUDA kernels that are not layers, each against its CPU counterpart: softmax +
// cross-entropy (training and evaluation), the evaluation's per-network means on known losses and
// hits, the fused optimizer for all seven optimizers, the epoch order sorted on the GPU, the batch
// gather and the snapshot's segment gather.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "convscope/optimizer_math.h"
#include "convscope/shuffle.h"
#include "cpu/ops/softmax_xent.h"
#include "gpu_test_util.h"
#include "ops/epoch_order.cuh"
#include "ops/gather.cuh"
#include "ops/optimizer.cuh"
#include "ops/softmax_xent.cuh"

namespace cs {

// Readable parameter values in test listings (and so in CTest's test names).
static void PrintTo(OptimizerKind k, std::ostream* os) {
  *os << to_string(k);
}

namespace test {
namespace {

struct XentCase {
  int batch, nets, classes;
  float smoothing = 0;  // label smoothing (training only)
};

std::string xent_name(const XentCase& c) {
  return "b" + std::to_string(c.batch) + "n" + std::to_string(c.nets) + "k" +
         std::to_string(c.classes) + (c.smoothing > 0 ? "smoothed" : "");
}

void PrintTo(const XentCase& c, std::ostream* os) {
  *os << xent_name(c);
}

class SoftmaxXent : public ::testing::TestWithParam<XentCase> {};

TEST_P(SoftmaxXent, TrainingMatchesCpu) {
  CS_SKIP_WITHOUT_GPU();
  const XentCase c = GetParam();
  const int B = c.batch, N = c.nets, K = c.classes, row = 2;
  const size_t n = static_cast<size_t>(B) * N * K;
  const std::vector<float> logits = random_floats(n, 21, -6, 6);
  std::vector<int> labels(static_cast<size_t>(B) * N);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int>((i * 7 + 3) % K);
  auto d_logits = to_device(logits);
  auto d_labels = to_device(labels);
  auto d_row = to_device(std::vector<int>{row});
  cuda::DeviceBuffer<float> d_dlogits(n, "dlogits"), d_probs(n, "probs"),
      d_loss(static_cast<size_t>(N) * (row + 1), "loss"),
      d_hits(static_cast<size_t>(N) * (row + 1), "hits");
  cuda::softmax_xent_forward_backward(d_dlogits.get(), d_probs.get(), d_loss.get(), d_hits.get(),
                                      d_row.get(), d_logits.get(), d_labels.get(), B, N, K,
                                      c.smoothing, nullptr);

  std::vector<float> want_probs(n), want_dlogits(n, 0.f), want_loss(N), want_hits(N);
  for (int k = 0; k < N; ++k) {
    const std::vector<float> z = net_slice(logits, B, N, K, k);
    std::vector<int32_t> lab(static_cast<size_t>(B));
    for (int b = 0; b < B; ++b) lab[b] = labels[static_cast<size_t>(b) * N + k];
    std::vector<float> p(z.size()), losses(static_cast<size_t>(B)), d(z.size(), 0.f);
    cpu::softmax_xent_forward<float>(p.data(), losses.data(), z.data(), lab.data(), B, K,
                                     c.smoothing);
    cpu::softmax_xent_backward<float>(d.data(), p.data(), lab.data(), B, K, 1.f / B, c.smoothing);
    put_net_slice(want_probs, p, B, N, K, k);
    put_net_slice(want_dlogits, d, B, N, K, k);
    double sum = 0, hits = 0;
    for (int b = 0; b < B; ++b) {
      sum += losses[b];
      const float* pb = p.data() + static_cast<size_t>(b) * K;
      hits += std::max_element(pb, pb + K) - pb == lab[b] ? 1 : 0;
    }
    want_loss[k] = static_cast<float>(sum / B);
    want_hits[k] = static_cast<float>(hits / B);
  }
  const std::vector<float> loss = to_host(d_loss), hits = to_host(d_hits);
  CS_EXPECT_CLOSE("probs", to_host(d_probs), want_probs, 1e-12);
  CS_EXPECT_CLOSE("dlogits", to_host(d_dlogits), want_dlogits, 1e-12);
  CS_EXPECT_CLOSE("loss row", std::vector<float>(loss.begin() + row * N, loss.end()), want_loss,
                  1e-12);
  CS_EXPECT_CLOSE("hit rate row", std::vector<float>(hits.begin() + row * N, hits.end()), want_hits,
                  0);
}

TEST_P(SoftmaxXent, EvaluationMatchesCpu) {
  CS_SKIP_WITHOUT_GPU();
  const XentCase c = GetParam();
  const int B = c.batch, N = c.nets, K = c.classes, first = 3, count = B + 5;
  const std::vector<float> logits = random_floats(static_cast<size_t>(B) * N * K, 22, -6, 6);
  std::vector<int> labels(static_cast<size_t>(B) * N);
  for (int b = 0; b < B; ++b)
    for (int k = 0; k < N; ++k) labels[static_cast<size_t>(b) * N + k] = (b * 5 + 1) % K;
  const size_t rows = static_cast<size_t>(N) * count;
  cuda::DeviceBuffer<uint8_t> top(rows * 3, "top"), hit(rows, "hit");
  cuda::DeviceBuffer<float> top_p(rows * 3, "top p"), true_p(rows, "true p"), loss(rows, "loss");
  const cuda::EvalRows out{top.get(), top_p.get(), true_p.get(), loss.get(), hit.get(), count};
  CUDA_CHECK(cudaMemset(top.get(), 0, top.bytes()));
  auto d_logits = to_device(logits);
  auto d_labels = to_device(labels);
  cuda::softmax_xent_evaluate(out, first, d_logits.get(), d_labels.get(), B, N, K, nullptr);
  const std::vector<uint8_t> got_top = to_host(top);
  const std::vector<float> got_p = to_host(top_p), got_true = to_host(true_p);
  for (int k = 0; k < N; ++k)
    for (int b = 0; b < B; ++b) {
      const float* z = logits.data() + (static_cast<size_t>(b) * N + k) * K;
      std::vector<float> p(static_cast<size_t>(K));
      float unused = 0;
      const int32_t label = labels[static_cast<size_t>(b) * N + k];
      cpu::softmax_xent_forward<float>(p.data(), &unused, z, &label, 1, K);
      std::vector<int> order(static_cast<size_t>(K));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int i, int j) { return p[i] > p[j]; });
      const size_t at = static_cast<size_t>(k) * count + first + b;
      for (int r = 0; r < std::min(3, K); ++r) {
        EXPECT_EQ(got_top[at * 3 + r], order[r]) << "net " << k << " image " << b << " rank " << r;
        EXPECT_NEAR(got_p[at * 3 + r], p[order[r]], 1e-6);  // expf may differ by an ulp or two
      }
      EXPECT_NEAR(got_true[at], p[label], 1e-6);
    }
}

INSTANTIATE_TEST_SUITE_P(Table, SoftmaxXent,
                         ::testing::Values(XentCase{1, 1, 10}, XentCase{7, 3, 10},
                                           XentCase{64, 1, 10}, XentCase{64, 3, 10},
                                           XentCase{300, 2, 2}, XentCase{5, 4, 47},
                                           XentCase{64, 3, 10, 0.1f}, XentCase{5, 4, 47, 0.3f}),
                         [](const auto& info) { return xent_name(info.param); });

// Logits that are 0 but for ln 9 at one class: that class gets probability 9 / 18 = 1/2, every
// other one 1/18, so an image's loss is ln 2 when that class is its label (a hit), else ln 18.
// 1000 images (more than a block's threads) in two chunks, a different hit rate per network.
TEST(EvaluateReduce, KnownLossesAndHits) {
  CS_SKIP_WITHOUT_GPU();
  const int N = 3, K = 10, count = 1000, chunk = 600;
  std::vector<float> logits(static_cast<size_t>(count) * N * K, 0.f);  // (count, nets, classes)
  std::vector<int> labels(static_cast<size_t>(count) * N);
  std::vector<uint8_t> want_hit(static_cast<size_t>(N) * count);
  std::vector<int> hits(N, 0);
  for (int i = 0; i < count; ++i)
    for (int n = 0; n < N; ++n) {
      const int label = (3 * i + n) % K;
      const bool hit = (i + n) % (n + 2) == 0;
      const size_t row = static_cast<size_t>(i) * N + n;
      logits[row * K + (hit ? label : (label + 1 + n) % K)] = std::log(9.f);
      labels[row] = label;
      want_hit[static_cast<size_t>(n) * count + i] = hit ? 1 : 0;
      hits[n] += hit ? 1 : 0;
    }
  const size_t rows = static_cast<size_t>(N) * count;
  cuda::DeviceBuffer<uint8_t> top(rows * 3, "top"), hit(rows, "hit");
  cuda::DeviceBuffer<float> top_p(rows * 3, "top p"), true_p(rows, "true p"), loss(rows, "loss"),
      net_loss(N, "net loss"), net_accuracy(N, "net accuracy");
  const cuda::EvalRows out{top.get(), top_p.get(), true_p.get(), loss.get(), hit.get(), count};
  auto d_logits = to_device(logits);
  auto d_labels = to_device(labels);
  for (int first = 0; first < count; first += chunk)
    cuda::softmax_xent_evaluate(out, first, d_logits.get() + static_cast<size_t>(first) * N * K,
                                d_labels.get() + static_cast<size_t>(first) * N,
                                std::min(chunk, count - first), N, K, nullptr);
  cuda::evaluate_reduce(net_loss.get(), net_accuracy.get(), out, N, nullptr);

  const double ln2 = std::log(2.0), ln18 = std::log(18.0);
  EXPECT_EQ(to_host(hit), want_hit);
  const std::vector<float> got_loss = to_host(loss);
  for (size_t r = 0; r < rows; ++r)
    ASSERT_NEAR(got_loss[r], want_hit[r] ? ln2 : ln18, 1e-5) << "row " << r;
  const std::vector<float> got_net_loss = to_host(net_loss), got_acc = to_host(net_accuracy);
  for (int n = 0; n < N; ++n) {
    const double want = (hits[n] * ln2 + (count - hits[n]) * ln18) / count;
    EXPECT_NEAR(got_net_loss[n], want, 1e-5 * want) << "network " << n;
    EXPECT_FLOAT_EQ(got_acc[n], static_cast<float>(hits[n]) / count) << "network " << n;
  }
}

class Optimizer : public ::testing::TestWithParam<OptimizerKind> {};

// With a weight decay, so the kernel's parameters shrink as the host's do.
TEST_P(Optimizer, MatchesOptimizerUpdateOnTheHost) {
  CS_SKIP_WITHOUT_GPU();
  OptimizerConfig cfg = OptimizerConfig::defaults(GetParam());
  cfg.weight_decay = 0.1f;
  const size_t n = 10007;
  std::vector<float> p = random_floats(n, 31), s0 = random_floats(n, 32, 0, 1),
                     s1 = random_floats(n, 33, 0, 1);
  auto d_p = to_device(p), d_s0 = to_device(s0), d_s1 = to_device(s1);
  cuda::DeviceBuffer<cuda::StepState> state(1, "state");
  for (long long t = 1; t <= 3; ++t) {
    const std::vector<float> g = random_floats(n, 40 + static_cast<uint64_t>(t));
    auto d_g = to_device(g);
    const OptimizerScalars s = optimizer_scalars(cfg, t, 1);
    cuda::set_step_state(state.get(), {0, 0, s}, nullptr);
    cuda::optimizer_step(d_p.get(), d_g.get(), d_s0.get(), d_s1.get(), n, &state.get()->scalars,
                         nullptr);
    for (size_t i = 0; i < n; ++i) optimizer_update(s, p[i], g[i], s0[i], s1[i]);
  }
  // Only the contraction of a * b + c into one FMA may differ.
  CS_EXPECT_CLOSE("params", to_host(d_p), p, 1e-12);
  CS_EXPECT_CLOSE("slot 0", to_host(d_s0), s0, 1e-12);
  CS_EXPECT_CLOSE("slot 1", to_host(d_s1), s1, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(AllSeven, Optimizer, ::testing::ValuesIn(kAllOptimizers),
                         [](const auto& info) { return to_string(info.param); });

TEST(EpochOrder, EqualsTheCpuOrder) {
  CS_SKIP_WITHOUT_GPU();
  const int count = 60000;
  cuda::EpochOrderSorter sorter(count);
  cuda::DeviceBuffer<int> order(count, "order");
  for (const auto& [seed, epoch, stream] :
       {std::tuple<uint64_t, int, int>{1, 0, 0}, {1, 3, 0}, {42, 1, 2}, {7, 0, 50}}) {
    sorter.sort(order.get(), seed, epoch, stream, nullptr);
    const std::vector<int> got = to_host(order);
    const std::vector<int32_t> want = epoch_order(seed, epoch, stream, count);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), want.begin()))
        << "seed " << seed << " epoch " << epoch << " stream " << stream;
  }
}

TEST(Gather, BatchFromEpochOrders) {
  CS_SKIP_WITHOUT_GPU();
  const Dataset d = random_dataset({2, 5, 3}, 100, 10, 51);
  const int size = d.shape.size(), nets = 3, batch = 7, first = 40;
  std::vector<int> orders;
  for (int k = 0; k < nets; ++k) {
    const std::vector<int32_t> o = epoch_order(9, 0, 1 + k, d.count);
    orders.insert(orders.end(), o.begin(), o.end());
  }
  auto images = to_device(d.images), labels = to_device(d.labels);
  auto d_order = to_device(orders);
  auto d_first = to_device(std::vector<int>{first - 5});
  for (const int rows : {1, nets}) {
    cuda::DeviceBuffer<float> x(static_cast<size_t>(batch) * rows * size, "x");
    cuda::DeviceBuffer<int> lab(static_cast<size_t>(batch) * nets, "labels");
    const cuda::BatchSource src{images.get(), labels.get(), size, d_order.get(), rows, d.count};
    cuda::gather_batch(x.get(), lab.get(), src, d_first.get(), 5, batch, rows, nets, nullptr);
    const std::vector<float> got = to_host(x);
    const std::vector<int> got_labels = to_host(lab);
    for (int b = 0; b < batch; ++b) {
      for (int k = 0; k < nets; ++k) {
        const int sample = orders[static_cast<size_t>(rows == 1 ? 0 : k) * d.count + first + b];
        EXPECT_EQ(got_labels[static_cast<size_t>(b) * nets + k], d.labels[sample]);
        if (k >= rows) continue;
        for (int i = 0; i < size; ++i)
          ASSERT_EQ(got[(static_cast<size_t>(b) * rows + k) * size + i],
                    static_cast<float>(d.image(sample)[i]) / 255.f);
      }
    }
  }
}

TEST(Gather, Segments) {
  CS_SKIP_WITHOUT_GPU();
  const std::vector<float> src = random_floats(5000, 61);
  auto d_src = to_device(src);
  std::vector<cuda::CopySegment> segs;
  std::vector<float> want;
  for (int i = 0; i < 70; ++i) {  // more than one launch's worth of segments
    const size_t from = static_cast<size_t>(i * 37 % 4000), len = static_cast<size_t>(i * 13 % 90);
    segs.push_back({d_src.get() + from, want.size(), len});
    want.insert(want.end(), src.begin() + static_cast<long>(from),
                src.begin() + static_cast<long>(from + len));
  }
  cuda::DeviceBuffer<float> dst(want.size(), "dst");
  cuda::gather_segments(dst.get(), segs.data(), static_cast<int>(segs.size()), nullptr);
  EXPECT_EQ(to_host(dst), want);
}

}  // namespace
}  // namespace test
}  // namespace cs
