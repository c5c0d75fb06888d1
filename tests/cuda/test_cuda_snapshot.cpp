// Snapshots from the CUDA backend equal the CPU backend's: requested during a step (taken
// between backward and the update) and captured while paused, for one network of a group, with
// one shared and with per-network sample orders; the ring never blocks training when nobody
// reads.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "convscope/backends.h"
#include "gpu_test_util.h"

namespace cs::test {
namespace {

// The GPU publishes from a host callback of its copy stream: wait for it (bounded).
const Snapshot* wait_for_snapshot(Backend& b) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (const Snapshot* s = b.snapshots().take()) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return nullptr;
}

void expect_same_snapshot(const Snapshot& g, const Snapshot& c) {
  EXPECT_EQ(g.step, c.step);
  EXPECT_EQ(g.epoch, c.epoch);
  EXPECT_EQ(g.net, c.net);
  EXPECT_EQ(g.probe, c.probe);
  EXPECT_EQ(g.label, c.label);
  EXPECT_NEAR(g.loss, c.loss, 1e-5 * (1 + c.loss));
  EXPECT_EQ(g.input_shape, c.input_shape);
  CS_EXPECT_CLOSE("input", g.input, c.input, 0);
  CS_EXPECT_CLOSE("probs", g.probs, c.probs, 1e-10);
  ASSERT_EQ(g.layers.size(), c.layers.size());
  for (size_t l = 0; l < g.layers.size(); ++l) {
    const LayerSnapshot &a = g.layers[l], &b = c.layers[l];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.out_shape, b.out_shape);
    EXPECT_EQ(a.kernel, b.kernel);
    EXPECT_EQ(a.weight_shape, b.weight_shape);
    CS_EXPECT_CLOSE(b.name + " activation", a.activation, b.activation, 1e-10);
    CS_EXPECT_CLOSE(b.name + " dactivation", a.dactivation, b.dactivation, 1e-8);
    CS_EXPECT_CLOSE(b.name + " weight", a.weight, b.weight, 1e-10);
    CS_EXPECT_CLOSE(b.name + " dweight", a.dweight, b.dweight, 1e-8);
    CS_EXPECT_CLOSE(b.name + " bias", a.bias, b.bias, 1e-10);
    CS_EXPECT_CLOSE(b.name + " dbias", a.dbias, b.dbias, 1e-8);
  }
}

struct Pair {
  std::unique_ptr<Backend> gpu = make_cuda_backend(0), cpu = make_cpu_backend(2);
  GroupConfig cfg;
  Dataset train = random_dataset({1, 28, 28}, 100, 10, 81);
  Dataset val = random_dataset({1, 28, 28}, 20, 10, 82);

  explicit Pair(const char* spec, bool per_net_shuffle = false) {
    cfg.spec = NetworkSpec::parse(spec);
    cfg.optimizer = OptimizerConfig::defaults(OptimizerKind::Sgd);
    cfg.seeds = {3, 4, 5};
    cfg.batch_size = 7;
    cfg.per_net_shuffle = per_net_shuffle;
    for (Backend* b : {gpu.get(), cpu.get()}) {
      b->configure(cfg, train, val);
      b->begin_epoch(2);
    }
  }
  void step(int first) {
    gpu->train_step(first, 7);
    cpu->train_step(first, 7);
  }
};

class SnapshotMatchesCpu : public ::testing::TestWithParam<const char*> {};

// Waits for the GPU's snapshot and compares it, and the step it was taken at, with the CPU's.
void expect_matching_snapshots(Pair& p, long long step) {
  const Snapshot* g = wait_for_snapshot(*p.gpu);
  const Snapshot* c = p.cpu->snapshots().take();
  ASSERT_NE(g, nullptr) << "no snapshot arrived from the GPU";
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(g->step, step);
  expect_same_snapshot(*g, *c);
}

TEST_P(SnapshotMatchesCpu, RequestedDuringAStep) {
  CS_SKIP_WITHOUT_GPU();
  Pair p(GetParam());
  p.step(0);
  p.gpu->request_snapshot(1, 4);
  p.cpu->request_snapshot(1, 4);
  p.step(7);
  expect_matching_snapshots(p, 1);
}

TEST_P(SnapshotMatchesCpu, CapturedWhilePaused) {
  CS_SKIP_WITHOUT_GPU();
  Pair p(GetParam());
  for (int first = 0; first < 21; first += 7) p.step(first);
  p.gpu->capture_snapshot(2, 9);
  p.cpu->capture_snapshot(2, 9);
  expect_matching_snapshots(p, 3);
}

INSTANTIATE_TEST_SUITE_P(Specs, SnapshotMatchesCpu,
                         ::testing::Values("c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10",
                                           "c4x3:tanh:same-a2-d16:sigmoid-d10", "d20:relu-d10"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

// With an order per network the first convolution reads one input per network in training but
// the probe's single image in the snapshot pass; the weight gradients shown are from each
// network's own batch.
TEST(Snapshot, PerNetworkOrdersMatchCpu) {
  CS_SKIP_WITHOUT_GPU();
  Pair p("c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10", true);
  p.step(0);
  p.gpu->request_snapshot(2, 4);
  p.cpu->request_snapshot(2, 4);
  p.step(7);
  ASSERT_NO_FATAL_FAILURE(expect_matching_snapshots(p, 1));

  p.step(14);
  p.gpu->capture_snapshot(1, 9);
  p.cpu->capture_snapshot(1, 9);
  expect_matching_snapshots(p, 3);
}

// A snapshot made elsewhere (the app's drawn probe) is published after the backend's own still
// on their way (its copy stream's callbacks write the same exchange), and a requested one not
// taken yet never comes after it.
TEST(Snapshot, APublishedSnapshotComesAfterTheBackendsOwn) {
  CS_SKIP_WITHOUT_GPU();
  Pair p("c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10");
  p.step(0);
  p.cpu->capture_snapshot(0, 3);
  Snapshot drawn = *p.cpu->snapshots().take();
  drawn.probe = -1;
  p.gpu->capture_snapshot(2, 9);  // on its way
  p.gpu->request_snapshot(1, 4);
  p.gpu->publish_snapshot(drawn);
  p.gpu->train_step(7, 7);
  (void)p.gpu->take_losses();
  const Snapshot* last = wait_for_snapshot(*p.gpu);
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->probe, -1);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // time for a late one to arrive
  EXPECT_EQ(p.gpu->snapshots().take(), nullptr);
}

TEST(Snapshot, UnreadSnapshotsNeverBlockTraining) {
  CS_SKIP_WITHOUT_GPU();
  Pair p("c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10");
  for (int s = 0; s < 13; ++s) {  // far more requests than ring slots, nobody reading
    p.gpu->request_snapshot(s % 3, s);
    p.gpu->train_step(s * 7, 7);
  }
  (void)p.gpu->take_losses();
  const Snapshot* last = wait_for_snapshot(*p.gpu);
  ASSERT_NE(last, nullptr);
  EXPECT_GE(last->step, 0);
  EXPECT_LE(last->step, 12);
}

}  // namespace
}  // namespace cs::test
