// The CPU backend against the Backend contract: groups in lockstep, shuffling, tensor access,
// snapshots, evaluation, every optimizer, spec errors. Small synthetic data keeps every test fast.
// DISABLED_MnistEpochTime times a real MNIST epoch (run it with --gtest_also_run_disabled_tests).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "convscope/cpu_backend.h"
#include "convscope/optimizer_math.h"
#include "cpu/thread_pool.h"
#include "expect_close.h"

namespace cs {
namespace {

using test::all_close;

// Each class lights a 3x3 square at its own place on a noisy background.
Dataset synthetic(int count, int classes, Shape3 shape, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Dataset d;
  d.name = "synthetic";
  d.shape = shape;
  d.count = count;
  d.classes = classes;
  d.images.resize(static_cast<size_t>(count) * shape.size());
  d.labels.resize(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const int label = static_cast<int>(rng() % classes);
    d.labels[i] = static_cast<uint8_t>(label);
    uint8_t* img = d.images.data() + static_cast<size_t>(i) * shape.size();
    for (int p = 0; p < shape.size(); ++p) img[p] = static_cast<uint8_t>(rng() % 80);
    const int cy = 1 + (label * 5) % (shape.h - 2), cx = 1 + (label * 3) % (shape.w - 2);
    for (int y = cy - 1; y <= cy + 1; ++y)
      for (int x = cx - 1; x <= cx + 1; ++x) img[y * shape.w + x] = 200 + rng() % 56;
  }
  return d;
}

// Every layer kind: same/valid, stride 2, average and max pooling, all activations, dropout.
const char* kMixedSpec = "c3x4:relu:same-a2-p0.2-c3x6:tanh:s2-m2-d12:sigmoid-p0.5-d4";
const Shape3 kShape{1, 12, 12};
constexpr int kClasses = 4;

GroupConfig config(const char* spec, std::vector<uint64_t> seeds, int batch = 16) {
  GroupConfig c;
  c.spec = NetworkSpec::parse(spec, kShape, kClasses);
  c.seeds = std::move(seeds);
  c.batch_size = batch;
  c.shuffle_seed = 7;
  return c;
}

void train(Backend& b, int count, int batch, int epochs) {
  for (int e = 0; e < epochs; ++e) {
    b.begin_epoch(e);
    for (int first = 0; first < count; first += batch)
      b.train_step(first, std::min(batch, count - first));
  }
}

// All tensors of one network and role, concatenated in ParamInfo order.
std::vector<float> tensors(Backend& b, const NetworkSpec& spec, int net, TensorRole role) {
  std::vector<float> all;
  const std::vector<ParamInfo> params = spec.params();
  for (size_t p = 0; p < params.size(); ++p) {
    std::vector<float> t(static_cast<size_t>(params[p].size()));
    b.read_tensor(net, static_cast<int>(p), role, t.data());
    all.insert(all.end(), t.begin(), t.end());
  }
  return all;
}

// Every task runs exactly once, on the thread its static block assigns, call after call, also
// when a call starts before the workers have first run (fresh pools).
TEST(ThreadPool, RunsEveryTaskOnce) {
  for (int threads : {1, 2, 3, 5})
    for (int pool_no = 0; pool_no < 30; ++pool_no) {
      cpu::ThreadPool pool(threads);
      for (int call = 0; call < 20; ++call) {
        const int tasks = (call * 7 + pool_no) % 23;
        std::vector<int> ran(static_cast<size_t>(tasks), 0), by(static_cast<size_t>(tasks), -1);
        pool.parallel_for(tasks, [&](int task, int thread) {
          ++ran[task];
          by[task] = thread;
        });
        for (int t = 0; t < tasks; ++t) {
          ASSERT_EQ(ran[t], 1) << threads << " threads, task " << t << " of " << tasks;
          ASSERT_GE(by[t], 0) << threads << " threads, task " << t << " of " << tasks;
          ASSERT_LT(by[t], tasks == 1 ? 1 : threads) << threads << " threads, task " << t;
        }
      }
    }
}

// A thread whose tasks take longer takes fewer of them: the others do not wait for it with
// tasks left (an evenly split range would give each thread half).
TEST(ThreadPool, ASlowThreadTakesFewerTasks) {
  cpu::ThreadPool pool(2);
  constexpr int kTasks = 40;
  std::atomic<int> by_slow{0};
  pool.parallel_for(kTasks, [&](int, int thread) {
    if (thread != 0) return;
    ++by_slow;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  });
  EXPECT_LT(by_slow.load(), kTasks / 2);
}

class CpuBackendTest : public testing::Test {
 protected:
  Dataset m_train = synthetic(100, kClasses, kShape, 1);
  Dataset m_val = synthetic(40, kClasses, kShape, 2);
};

TEST_F(CpuBackendTest, InfoAndInitialWeightsFromInitParameters) {
  auto b = make_cpu_backend(2);
  EXPECT_EQ(b->info().kind, "cpu");
  EXPECT_EQ(b->info().device, "2 CPU threads");
  const GroupConfig cfg = config(kMixedSpec, {3, 4});
  b->configure(cfg, m_train, m_val);
  EXPECT_EQ(b->step_count(), 0);
  for (int net = 0; net < 2; ++net) {
    std::vector<float> expected;
    for (const std::vector<float>& t : init_parameters(cfg.spec, cfg.seeds[net]))
      expected.insert(expected.end(), t.begin(), t.end());
    const std::vector<float> got = tensors(*b, cfg.spec, net, TensorRole::Param);
    EXPECT_EQ(got, expected);
  }
}

TEST_F(CpuBackendTest, GroupOfThreeEqualsThreeSingleNetworkRuns) {
  const std::vector<uint64_t> seeds{11, 22, 33};
  auto group = make_cpu_backend(2);  // 2 threads: each network's batch split in two chunks
  const GroupConfig cfg = config(kMixedSpec, seeds, 32);  // 100 samples: the last batch has 4
  group->configure(cfg, m_train, m_val);
  train(*group, m_train.count, cfg.batch_size, 2);
  const std::vector<float> group_losses = group->take_losses();
  ASSERT_EQ(group_losses.size(), 8u * 3);
  for (int k = 0; k < 3; ++k) {
    SCOPED_TRACE("network " + std::to_string(k));
    auto single = make_cpu_backend(1);
    single->configure(config(kMixedSpec, {seeds[k]}, 32), m_train, m_val);
    train(*single, m_train.count, cfg.batch_size, 2);
    const std::vector<float> losses = single->take_losses();
    std::vector<float> column;
    for (size_t s = 0; s < losses.size(); ++s) column.push_back(group_losses[s * 3 + k]);
    EXPECT_TRUE(all_close("losses", column.data(), losses.data(), losses.size(), 1e-5, 1e-5));
    for (TensorRole role :
         {TensorRole::Param, TensorRole::Grad, TensorRole::Slot0, TensorRole::Slot1}) {
      const std::vector<float> g = tensors(*group, cfg.spec, k, role);
      const std::vector<float> s = tensors(*single, cfg.spec, 0, role);
      EXPECT_TRUE(all_close("tensors", g.data(), s.data(), s.size(), 1e-5, 1e-4));
    }
  }
  EXPECT_EQ(group->step_count(), 8);
}

TEST_F(CpuBackendTest, PerNetShuffleGivesEachNetworkItsOwnOrder) {
  auto run = [&](bool per_net, int nets) {
    auto b = make_cpu_backend(2);
    GroupConfig cfg = config(kMixedSpec, std::vector<uint64_t>(nets, 5));
    cfg.per_net_shuffle = per_net;
    b->configure(cfg, m_train, m_val);
    train(*b, m_train.count, cfg.batch_size, 1);
    std::vector<std::vector<float>> params;
    for (int k = 0; k < nets; ++k) params.push_back(tensors(*b, cfg.spec, k, TensorRole::Param));
    return params;
  };
  // Same seed, shared order: identical networks. Per-network orders: different networks, and
  // network 0 follows stream 1 exactly as a lone network with per_net_shuffle does.
  const auto shared = run(false, 2);
  EXPECT_EQ(shared[0], shared[1]);
  const auto own = run(true, 2);
  EXPECT_NE(own[0], own[1]);
  EXPECT_NE(own[0], shared[0]);
  const auto lone = run(true, 1);
  EXPECT_TRUE(all_close("network 0", own[0].data(), lone[0].data(), lone[0].size(), 1e-6, 1e-5));
}

TEST_F(CpuBackendTest, ReadWriteTensorRoundTripAndUse) {
  auto b = make_cpu_backend(2);
  const GroupConfig cfg = config(kMixedSpec, {1, 2});
  b->configure(cfg, m_train, m_val);
  const std::vector<ParamInfo> params = cfg.spec.params();
  const std::vector<float> other = tensors(*b, cfg.spec, 0, TensorRole::Param);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1, 1);
  for (TensorRole role :
       {TensorRole::Param, TensorRole::Grad, TensorRole::Slot0, TensorRole::Slot1})
    for (size_t p = 0; p < params.size(); ++p) {
      std::vector<float> in(static_cast<size_t>(params[p].size())), out(in.size());
      for (float& v : in) v = u(rng);
      b->write_tensor(1, static_cast<int>(p), role, in.data());
      b->read_tensor(1, static_cast<int>(p), role, out.data());
      EXPECT_EQ(in, out) << params[p].name;
    }
  EXPECT_EQ(tensors(*b, cfg.spec, 0, TensorRole::Param), other);  // network 0 untouched
  EXPECT_THROW(b->read_tensor(2, 0, TensorRole::Param, nullptr), std::out_of_range);

  // All-zero weights give uniform probabilities: the first loss is ln(classes) exactly.
  for (size_t p = 0; p < params.size(); ++p) {
    const std::vector<float> zeros(static_cast<size_t>(params[p].size()), 0.f);
    b->write_tensor(1, static_cast<int>(p), TensorRole::Param, zeros.data());
  }
  b->set_step_count(41);
  b->begin_epoch(0);
  b->train_step(0, 16);
  EXPECT_EQ(b->step_count(), 42);
  EXPECT_NEAR(b->take_losses()[1], std::log(static_cast<float>(kClasses)), 1e-6);
}

TEST_F(CpuBackendTest, SnapshotContents) {
  auto b = make_cpu_backend(2);
  const GroupConfig cfg = config("c3x4:relu-m2-c3x5:tanh:same-d8:relu-d4", {1, 2});
  b->configure(cfg, m_train, m_val);
  b->begin_epoch(0);
  b->train_step(0, 16);
  b->train_step(16, 16);
  const int net = 1, probe = 3;
  const std::vector<float> before = tensors(*b, cfg.spec, net, TensorRole::Param);
  b->request_snapshot(net, probe);
  EXPECT_EQ(b->snapshots().take(), nullptr);
  b->train_step(32, 16);
  const Snapshot* s = b->snapshots().take();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->step, 2);  // the third step, before its update
  EXPECT_EQ(s->net, net);
  EXPECT_EQ(s->probe, probe);
  EXPECT_EQ(s->label, m_val.labels[probe]);
  ASSERT_EQ(s->input.size(), static_cast<size_t>(kShape.size()));
  EXPECT_EQ(s->input[5], m_val.image(probe)[5] / 255.f);
  ASSERT_EQ(s->probs.size(), static_cast<size_t>(kClasses));
  float total = 0;
  for (float p : s->probs) total += p;
  EXPECT_NEAR(total, 1.f, 1e-5);
  EXPECT_NEAR(s->loss, -std::log(s->probs[s->label]), 1e-5);

  const std::vector<std::string> names{"conv1", "pool1", "conv2", "fc1", "fc2"};
  const std::vector<Shape3> shapes = cfg.spec.output_shapes();
  ASSERT_EQ(s->layers.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    const LayerSnapshot& l = s->layers[i];
    EXPECT_EQ(l.name, names[i]);
    EXPECT_EQ(l.kind, cfg.spec.layers[i].kind);
    EXPECT_EQ(l.out_shape, shapes[i]);
    EXPECT_EQ(l.kernel, cfg.spec.layers[i].kernel);
    EXPECT_EQ(l.activation.size(), static_cast<size_t>(shapes[i].size()));
    EXPECT_EQ(l.dactivation.size(), static_cast<size_t>(shapes[i].size()));
  }
  EXPECT_TRUE(s->layers[1].weight.empty());
  EXPECT_EQ(s->layers[2].weight_shape, (std::vector<int>{5, 4, 3, 3}));
  // The last layer's output is the logits: d(loss)/d(logits) = softmax - onehot.
  const LayerSnapshot& last = s->layers.back();
  for (int c = 0; c < kClasses; ++c)
    EXPECT_NEAR(last.dactivation[c], s->probs[c] - (c == s->label ? 1.f : 0.f), 1e-6);
  // Relu outputs are never negative, and weights are the step's, before its update.
  EXPECT_GE(*std::min_element(s->layers[0].activation.begin(), s->layers[0].activation.end()), 0);
  std::vector<float> weights, dweights;
  for (const LayerSnapshot& l : s->layers) {
    weights.insert(weights.end(), l.weight.begin(), l.weight.end());
    weights.insert(weights.end(), l.bias.begin(), l.bias.end());
    dweights.insert(dweights.end(), l.dweight.begin(), l.dweight.end());
    dweights.insert(dweights.end(), l.dbias.begin(), l.dbias.end());
  }
  EXPECT_EQ(weights, before);
  EXPECT_EQ(dweights, tensors(*b, cfg.spec, net, TensorRole::Grad));
  EXPECT_NE(weights, tensors(*b, cfg.spec, net, TensorRole::Param));

  // Captured now: current weights, and the same probabilities that evaluate() reports.
  b->capture_snapshot(net, probe);
  const Snapshot* now = b->snapshots().take();
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(now->step, 3);
  const std::vector<float> current = tensors(*b, cfg.spec, net, TensorRole::Param);
  EXPECT_EQ(now->layers[0].weight, std::vector<float>(current.begin(), current.begin() + 36));
  EvalResult eval;
  b->evaluate(eval);
  EXPECT_NEAR(now->probs[now->label], eval.true_probs[net * m_val.count + probe], 1e-6);

  // A snapshot made elsewhere (the app's drawn probe) is published as the backend's own, and a
  // requested one not taken yet does not come after it.
  Snapshot drawn = *now;
  drawn.probe = -1;
  b->request_snapshot(net, probe);
  b->publish_snapshot(drawn);
  b->train_step(48, 16);
  const Snapshot* published = b->snapshots().take();
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(published->probe, -1);
  EXPECT_EQ(published->layers[0].weight, now->layers[0].weight);
  EXPECT_EQ(b->snapshots().take(), nullptr);
}

TEST_F(CpuBackendTest, EvaluateIsConsistent) {
  auto b = make_cpu_backend(2);
  const GroupConfig cfg = config(kMixedSpec, {1, 2, 3});
  b->configure(cfg, m_train, m_val);
  train(*b, m_train.count, cfg.batch_size, 1);
  EvalResult r;
  b->evaluate(r);
  ASSERT_EQ(r.nets, 3);
  ASSERT_EQ(r.count, m_val.count);
  ASSERT_EQ(r.top_labels.size(), 3u * m_val.count * 3);
  for (int k = 0; k < 3; ++k) {
    double loss = 0, hits = 0;
    for (int i = 0; i < m_val.count; ++i) {
      const size_t at = static_cast<size_t>(k) * m_val.count + i;
      const float* p = &r.top_probs[at * 3];
      EXPECT_GE(p[0], p[1]);
      EXPECT_GE(p[1], p[2]);
      EXPECT_NE(r.top_labels[at * 3], r.top_labels[at * 3 + 1]);
      if (r.top_labels[at * 3] == m_val.labels[i]) {
        ++hits;
        EXPECT_EQ(p[0], r.true_probs[at]);
      }
      loss -= std::log(r.true_probs[at]);
    }
    EXPECT_FLOAT_EQ(r.accuracy[k], static_cast<float>(hits / m_val.count));
    EXPECT_NEAR(r.loss[k], loss / m_val.count, 1e-4);
  }
}

// Outputs that overflow (an infinite bias) give every class a probability that is not a number;
// the ranking then puts class 0 first, but no image is right, class 0's included.
TEST_F(CpuBackendTest, AnImageWhoseProbabilitiesAreNotNumbersIsNeverRight) {
  auto b = make_cpu_backend(1);
  const GroupConfig cfg = config(kMixedSpec, {1});
  b->configure(cfg, m_train, m_val);
  const std::vector<ParamInfo> params = cfg.spec.params();
  const int bias = static_cast<int>(params.size()) - 1;
  std::vector<float> values(static_cast<size_t>(params.back().size()), 0.f);
  values[0] = std::numeric_limits<float>::infinity();
  b->write_tensor(0, bias, TensorRole::Param, values.data());
  EvalResult r;
  b->evaluate(r);
  ASSERT_GT(std::count(m_val.labels.begin(), m_val.labels.end(), 0), 0);
  EXPECT_EQ(r.top_labels[0], 0);
  EXPECT_TRUE(std::isnan(r.top_probs[0]));
  EXPECT_EQ(r.accuracy[0], 0.f);
}

TEST_F(CpuBackendTest, TrainingReducesTheLossOnSeparableData) {
  auto b = make_cpu_backend(2);
  const Dataset train = synthetic(512, kClasses, kShape, 3),
                val = synthetic(200, kClasses, kShape, 4);
  const GroupConfig cfg = config("c3x6:relu-m2-d16:relu-d4", {9});
  b->configure(cfg, train, val);
  EvalResult before, after;
  b->evaluate(before);
  cs::train(*b, train.count, cfg.batch_size, 10);  // 320 steps
  b->evaluate(after);
  const std::vector<float> losses = b->take_losses();
  ASSERT_EQ(losses.size(), 320u);
  EXPECT_LT(after.loss[0], 0.2f * before.loss[0]);
  EXPECT_GT(after.accuracy[0], 0.95f);
  EXPECT_LT(losses.back(), losses.front());
}

TEST_F(CpuBackendTest, EveryOptimizerUpdatesByItsRuleAndMakesProgress) {
  for (OptimizerKind kind : kAllOptimizers) {
    SCOPED_TRACE(to_string(kind));
    auto b = make_cpu_backend(2);
    GroupConfig cfg = config("c3x4:relu-m2-d16:relu-d4", {5});
    cfg.optimizer = OptimizerConfig::defaults(kind);
    b->configure(cfg, m_train, m_val);
    const std::vector<float> p0 = tensors(*b, cfg.spec, 0, TensorRole::Param);
    std::vector<float> s0 = tensors(*b, cfg.spec, 0, TensorRole::Slot0);
    std::vector<float> s1 = tensors(*b, cfg.spec, 0, TensorRole::Slot1);
    EXPECT_EQ(s0[0], kind == OptimizerKind::Adagrad ? cfg.optimizer.initial_accumulator : 0.f);
    EvalResult before, after;
    b->evaluate(before);
    b->begin_epoch(0);
    b->train_step(0, 16);
    // The first step applies optimizer_update with t = 1 to every element.
    std::vector<float> p = p0;
    const std::vector<float> g = tensors(*b, cfg.spec, 0, TensorRole::Grad);
    const OptimizerScalars sc = optimizer_scalars(cfg.optimizer, 1, 1);
    for (size_t i = 0; i < p.size(); ++i) optimizer_update(sc, p[i], g[i], s0[i], s1[i]);
    EXPECT_EQ(tensors(*b, cfg.spec, 0, TensorRole::Param), p);
    EXPECT_EQ(tensors(*b, cfg.spec, 0, TensorRole::Slot0), s0);
    if (cfg.optimizer.slots() == 2) {
      EXPECT_EQ(tensors(*b, cfg.spec, 0, TensorRole::Slot1), s1);
    }
    for (int first = 16; first < m_train.count; first += 16)
      b->train_step(first, std::min(16, m_train.count - first));
    train(*b, m_train.count, cfg.batch_size, 20);
    b->evaluate(after);
    std::printf("%s: validation loss %.4f -> %.4f\n", to_string(kind).c_str(), before.loss[0],
                after.loss[0]);
    EXPECT_LT(after.loss[0], 0.95f * before.loss[0]);
  }
}

TEST_F(CpuBackendTest, ImpossibleSpecThrowsSpecError) {
  auto b = make_cpu_backend(2);
  GroupConfig cfg = config("c3x4:relu-d4", {1});
  cfg.spec.layers[0].kernel = 13;  // larger than the 12x12 input
  EXPECT_THROW(b->configure(cfg, m_train, m_val), SpecError);
  cfg = config("c3x4:relu-m2-d4", {1});
  cfg.spec.layers[1].kernel = 20;  // pooling leaves nothing
  EXPECT_THROW(b->configure(cfg, m_train, m_val), SpecError);
}

// One epoch of the reference network on MNIST (Adam, batch 64), like the PyTorch peer
// bench/torch_reference.py. Environment: CONVSCOPE_BENCH_NETS (group size, default 1),
// CONVSCOPE_BENCH_THREADS (default 2), CONVSCOPE_BENCH_STEPS (default: the whole epoch).
// Prints wall and process CPU seconds; CPU time is the steadier measure on a busy machine.
int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

TEST(CpuBackendBench, DISABLED_MnistEpochTime) {
  const DatasetPair data = load_idx_folder(default_mnist_dir(), "mnist");
  const int nets = env_int("CONVSCOPE_BENCH_NETS", 1);
  const int threads = env_int("CONVSCOPE_BENCH_THREADS", 2);
  GroupConfig cfg;
  cfg.seeds.resize(static_cast<size_t>(nets));
  for (int k = 0; k < nets; ++k) cfg.seeds[k] = 1 + k;
  const int steps_per_epoch = (data.train.count + cfg.batch_size - 1) / cfg.batch_size;
  const int steps = std::min(env_int("CONVSCOPE_BENCH_STEPS", steps_per_epoch), steps_per_epoch);
  auto b = make_cpu_backend(threads);
  b->configure(cfg, data.train, data.test);
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  b->begin_epoch(0);
  for (int s = 0; s < steps; ++s)
    b->train_step(s * cfg.batch_size,
                  std::min(cfg.batch_size, data.train.count - s * cfg.batch_size));
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EvalResult eval;
  b->evaluate(eval);
  double acc = 0;
  for (float a : eval.accuracy) acc += a / nets;
  std::printf(
      "{\"peer\":\"convscope-cpu\",\"nets\":%d,\"threads\":%d,\"steps\":%d,"
      "\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"seconds_per_net_epoch\":%.3f,"
      "\"val_accuracy\":%.4f}\n",
      nets, threads, steps, seconds, cpu, seconds / nets * steps_per_epoch / steps, acc);
}

}  // namespace
}  // namespace cs
