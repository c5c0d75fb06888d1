// Dropout (convscope/dropout.h): the spec's text and limits; the mask, which keeps 1 - rate of the
// values and is a pure function of the network's seed, the step, the layer and the place; the op
// against central differences in double; a CPU step that trains through exactly the mask on the
// place of each sample (a dense layer's weight gradient worked out by hand); evaluation,
// prediction and snapshots untouched by it; a checkpoint resumed in mid-epoch drops as the run
// without a stop did; a group of networks equals its networks alone on any thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "convscope/checkpoint.h"
#include "convscope/cpu_backend.h"
#include "convscope/dropout.h"
#include "convscope/trainer.h"
#include "cpu/ops/dropout.h"
#include "gradcheck_util.h"
#include "run_test_util.h"
#include "store_test_util.h"
#include "synthetic_data.h"

namespace cs {
namespace {

using namespace cpu::gradcheck_test;

std::string spec_error(const std::string& text) {
  try {
    NetworkSpec::parse(text, {1, 6, 6}, 4);
  } catch (const SpecError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(DropoutSpec, ItsTextReadsBackAndItsLimitsAreNamed) {
  const NetworkSpec s = NetworkSpec::parse("c3x4:relu-p0.25-d8:relu-p0.5-d4", {1, 6, 6}, 4);
  ASSERT_EQ(s.layers.size(), 5u);
  EXPECT_EQ(s.layers[1], LayerSpec::dropout(0.25f));
  EXPECT_EQ(s.layers[3].rate, 0.5f);
  EXPECT_EQ(s.to_string(), "c3x4:relu-p0.25-d8:relu-p0.5-d4");
  EXPECT_EQ(NetworkSpec::parse(s.to_string(), {1, 6, 6}, 4), s);
  EXPECT_EQ(NetworkSpec::parse("d8-p0.3-d4", {1, 6, 6}, 4).to_string(), "d8-p0.3-d4");
  // A small rate is written in exponent form, whose '-' is not a layer separator.
  for (const char* text : {"d8-p0.0001-d4", "d8-p2.5e-05-d4", "d8-p1E-3-d4"}) {
    const NetworkSpec small = NetworkSpec::parse(text, {1, 6, 6}, 4);
    ASSERT_EQ(small.layers.size(), 3u) << text;
    EXPECT_EQ(NetworkSpec::parse(small.to_string(), {1, 6, 6}, 4), small) << small.to_string();
  }
  EXPECT_EQ(NetworkSpec::parse("d8-p0.0001-d4", {1, 6, 6}, 4).to_string(), "d8-p1e-04-d4");
  EXPECT_EQ(NetworkSpec::parse("d8-p2.5e-05-d4", {1, 6, 6}, 4).layers[1].rate, 2.5e-5f);
  EXPECT_EQ(describe(s.layers[1]), "dropout 0.25");
  EXPECT_EQ(s.layer_names(),
            (std::vector<std::string>{"conv1", "dropout1", "fc1", "dropout2", "fc2"}));
  const std::vector<Shape3> shapes = s.output_shapes();
  EXPECT_EQ(shapes[1], shapes[0]);
  EXPECT_EQ(shapes[3], shapes[2]);
  // No parameters of its own: the same tensors, named alike, as without it.
  const NetworkSpec plain = NetworkSpec::parse("c3x4:relu-d8:relu-d4", {1, 6, 6}, 4);
  ASSERT_EQ(s.params().size(), plain.params().size());
  for (size_t p = 0; p < plain.params().size(); ++p) {
    EXPECT_EQ(s.params()[p].name, plain.params()[p].name);
    EXPECT_EQ(s.params()[p].shape, plain.params()[p].shape);
  }

  EXPECT_EQ(spec_error("d8-p0-d4"),
            "layer 2: a dropout rate must lie between 0 and 1 (both excluded), got 0");
  EXPECT_EQ(spec_error("d8-p1-d4"),
            "layer 2: a dropout rate must lie between 0 and 1 (both excluded), got 1");
  EXPECT_EQ(spec_error("d8-p-0.5-d4"), "layer 2: expected a number for the dropout rate, got ''");
  EXPECT_EQ(spec_error("d8-pnan-d4"),
            "layer 2: a dropout rate must lie between 0 and 1 (both excluded), got nan");
  EXPECT_EQ(spec_error("d8-p0.5x-d4"),
            "layer 2: expected a number for the dropout rate, got '0.5x'");
  EXPECT_EQ(spec_error("d8-p0.5:relu-d4"), "layer 2: dropout takes no options, got 'p0.5:relu'");
  EXPECT_EQ(spec_error("d8-d4-p0.5"),
            "layer 3: the last layer must be dense 4 (one logit per class), got dropout 0.5 with "
            "output 4x1x1");
  // What a layer follows is looked for behind dropouts.
  EXPECT_EQ(spec_error("d8-p0.5-m2-d4"), "layer 3: pooling cannot follow a dense layer");
  EXPECT_EQ(spec_error("x1-d4"), "layer 1: unknown layer 'x1' (expected c, m, a, d or p)");
}

TEST(DropoutMask, KeepsOneMinusTheRateAndIsAPureFunctionOfItsPlace) {
  for (float rate : {0.1f, 0.5f, 0.8f}) {
    const DropoutMask m = dropout_mask({7, 3}, 2, rate);
    EXPECT_EQ(m.scale, 1.f / (1.f - rate));
    EXPECT_EQ(m.threshold, static_cast<uint32_t>(std::lround(rate * double(1 << 24))));
    constexpr int kValues = 400000;
    int kept = 0;
    for (int i = 0; i < kValues; ++i) kept += dropout_keeps(m, static_cast<uint64_t>(i));
    // 1 - rate within 5 standard deviations of a binomial count
    const double sd = std::sqrt(kValues * rate * (1 - rate));
    EXPECT_NEAR(kept, kValues * (1 - rate), 5 * sd) << "rate " << rate;
  }
  // The same place gives the same answer; another seed, step, layer or place another mask.
  const auto pattern = [](DropoutStep at, int layer, uint64_t first) {
    std::vector<bool> keeps;
    const DropoutMask m = dropout_mask(at, layer, 0.5f);
    for (uint64_t i = first; i < first + 256; ++i) keeps.push_back(dropout_keeps(m, i));
    return keeps;
  };
  const std::vector<bool> base = pattern({7, 3}, 2, 0);
  EXPECT_EQ(pattern({7, 3}, 2, 0), base);
  EXPECT_NE(pattern({8, 3}, 2, 0), base);
  EXPECT_NE(pattern({7, 4}, 2, 0), base);
  EXPECT_NE(pattern({7, 3}, 3, 0), base);
  EXPECT_NE(pattern({7, 3}, 2, 256), base);
  // The value rule: kept values scaled, the others 0.
  const DropoutMask m = dropout_mask({7, 3}, 2, 0.5f);
  for (uint64_t i = 0; i < 64; ++i)
    EXPECT_EQ(dropout_value(m, i, 3.f), dropout_keeps(m, i) ? 6.f : 0.f);
}

// The op in double against central differences of L = sum(r * out), and the float op against it.
TEST(DropoutOp, GradientsMatchCentralDifferencesAndTheFloatOp) {
  std::mt19937_64 rng(5);
  constexpr long long kFirst = 70, kN = 300;
  const DropoutMask m = dropout_mask({11, 2}, 1, 0.3f);
  Vd x = random_vec(kN, rng);
  const Vd r = random_vec(kN, rng);
  const auto loss = [&] {
    Vd out(kN);
    cpu::dropout_forward(out.data(), x.data(), m, kFirst, kN);
    return dot(r, out);
  };
  Vd dx(kN, kGarbage);
  cpu::dropout_backward(dx.data(), r.data(), m, kFirst, kN);
  EXPECT_TRUE(gradcheck("dinp", x, dx, loss, rng));
  int zeros = 0;
  for (long long i = 0; i < kN; ++i) zeros += dx[i] == 0;
  EXPECT_GT(zeros, 0) << "nothing dropped";
  EXPECT_LT(zeros, kN) << "everything dropped";

  const Vf xf = to_float(x), rf = to_float(r);
  Vf outf(kN), dxf(kN, static_cast<float>(kGarbage));
  Vd out(kN);
  cpu::dropout_forward(outf.data(), xf.data(), m, kFirst, kN);
  cpu::dropout_forward(out.data(), x.data(), m, kFirst, kN);
  cpu::dropout_backward(dxf.data(), rf.data(), m, kFirst, kN);
  EXPECT_TRUE(all_close("float out", outf.data(), out.data(), kN, 1e-6, 1e-6));
  EXPECT_TRUE(all_close("float dinp", dxf.data(), dx.data(), kN, 1e-6, 1e-6));
}

// "p0.5-d4" on 1x6x6 images, plain SGD, two networks: after one step of 40 samples each dense
// layer's weight gradient is, by hand, the mean over the batch of d(loss)/d(logits) times the
// dropped input, the mask of its network's seed at step 1, sample b's values at b * 36 + i (the
// CPU runs the batch in sub-batches: their samples keep their places).
TEST(DropoutTraining, AStepTrainsThroughTheMaskOfItsSeedStepAndPlace) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(8, 2);
  GroupConfig cfg;
  cfg.spec = NetworkSpec::parse("p0.5-d4", train.shape, 4);
  cfg.optimizer = OptimizerConfig::defaults(OptimizerKind::Sgd);
  cfg.seeds = {9, 10};
  cfg.batch_size = 40;  // sub-batches of 16 from samples 0, 16 and 32 (kSubBatch)
  auto backend = make_cpu_backend(2);
  backend->configure(cfg, train, val);
  const std::vector<float> w0 = test::all_tensors(*backend, cfg, TensorRole::Param);
  backend->begin_epoch(0);
  backend->train_step(0, 40);
  const std::vector<int32_t> order = epoch_order(cfg.shuffle_seed, 0, 0, train.count);
  const int in = train.shape.size(), kClasses = 4, weights = kClasses * in;
  const std::vector<float> grads = test::all_tensors(*backend, cfg, TensorRole::Grad);
  const size_t per_net = static_cast<size_t>(weights + kClasses);
  for (int net = 0; net < 2; ++net) {
    SCOPED_TRACE("network " + std::to_string(net));
    const DropoutMask m = dropout_mask({cfg.seeds[net], 1}, 0, 0.5f);
    std::vector<double> want(weights, 0.0);
    const float* w = w0.data() + net * per_net;
    for (int b = 0; b < 40; ++b) {
      const uint8_t* img = train.image(order[b]);
      std::vector<double> x(in), logits(kClasses);
      for (int i = 0; i < in; ++i)
        x[i] = dropout_value(m, static_cast<uint64_t>(b) * in + i, img[i] / 255.f);
      double top = -1e300, sum = 0;
      for (int c = 0; c < kClasses; ++c) {
        logits[c] = w[weights + c];
        for (int i = 0; i < in; ++i) logits[c] += w[c * in + i] * x[i];
        top = std::max(top, logits[c]);
      }
      for (int c = 0; c < kClasses; ++c) sum += std::exp(logits[c] - top);
      for (int c = 0; c < kClasses; ++c) {
        const double p = std::exp(logits[c] - top) / sum;
        const double dlogit = (p - (c == train.labels[order[b]] ? 1 : 0)) / 40;
        for (int i = 0; i < in; ++i) want[c * in + i] += dlogit * x[i];
      }
    }
    EXPECT_TRUE(all_close("fc1.weight gradient", grads.data() + net * per_net, want.data(), weights,
                          1e-6, 1e-4));
  }
}

// Evaluation, prediction and snapshots see the network without its dropout layers: the same
// numbers as the network with them taken out, on the same weights.
TEST(DropoutTraining, EvaluationAndPredictionPassThrough) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  GroupConfig with;
  with.spec = NetworkSpec::parse("c3x4:relu-p0.5-d8:relu-p0.25-d4", train.shape, 4);
  with.seeds = {3, 4};
  with.batch_size = 16;
  GroupConfig without = with;
  without.spec = NetworkSpec::parse("c3x4:relu-d8:relu-d4", train.shape, 4);
  auto a = make_cpu_backend(2), b = make_cpu_backend(2);
  a->configure(with, train, val);
  b->configure(without, train, val);
  a->begin_epoch(0);
  for (int first = 0; first < 48; first += 16) a->train_step(first, 16);
  for (int net = 0; net < 2; ++net)
    for (size_t p = 0; p < with.spec.params().size(); ++p) {
      std::vector<float> t(static_cast<size_t>(with.spec.params()[p].size()));
      a->read_tensor(net, static_cast<int>(p), TensorRole::Param, t.data());
      b->write_tensor(net, static_cast<int>(p), TensorRole::Param, t.data());
    }
  EvalResult ea, eb;
  a->evaluate(ea);
  b->evaluate(eb);
  EXPECT_EQ(ea.loss, eb.loss);
  EXPECT_EQ(ea.top_probs, eb.top_probs);
  std::vector<float> x(static_cast<size_t>(val.shape.size()));
  for (size_t i = 0; i < x.size(); ++i) x[i] = val.image(0)[i] / 255.f;
  std::vector<float> pa(4), pb(4);
  a->predict(1, x.data(), 1, pa.data(), nullptr);
  b->predict(1, x.data(), 1, pb.data(), nullptr);
  EXPECT_EQ(pa, pb);
  a->capture_snapshot(1, 0);
  const Snapshot* s = a->snapshots().take();
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->layers.size(), 5u);
  EXPECT_EQ(s->layers[1].name, "dropout1");
  EXPECT_EQ(s->layers[1].activation, s->layers[0].activation) << "the probe passes through";
  EXPECT_EQ(s->layers[0].dactivation, s->layers[1].dactivation) << "and so does its gradient";
}

// A group of three equals each network trained alone, on one thread and on two (where each
// network's batch is split between the threads).
TEST(DropoutTraining, AGroupEqualsItsNetworksAloneOnAnyThreadCount) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  GroupConfig cfg;
  cfg.spec = NetworkSpec::parse("c3x4:relu:same-p0.2-m2-d8:relu-p0.5-d4", train.shape, 4);
  cfg.optimizer = OptimizerConfig::defaults(OptimizerKind::Adam);
  cfg.seeds = {5, 6, 7};
  cfg.batch_size = 16;
  const auto train_epochs = [&](const GroupConfig& g, int threads) {
    auto backend = make_cpu_backend(threads);
    backend->configure(g, train, val);
    for (int e = 0; e < 2; ++e) {
      backend->begin_epoch(e);
      for (int first = 0; first < 48; first += 16) backend->train_step(first, 16);
    }
    return test::all_tensors(*backend, g, TensorRole::Param);
  };
  const std::vector<float> group = train_epochs(cfg, 2);
  // (not bit for bit: two threads add a step's gradient up from two halves of the batch)
  const std::vector<float> one_thread = train_epochs(cfg, 1);
  EXPECT_TRUE(all_close("one thread against two", one_thread.data(), group.data(), group.size(),
                        1e-6, 1e-5));
  const size_t per_net = group.size() / 3;
  for (int net = 0; net < 3; ++net) {
    GroupConfig alone = cfg;
    alone.seeds = {cfg.seeds[net]};
    const std::vector<float> single = train_epochs(alone, 1);
    EXPECT_TRUE(all_close("network " + std::to_string(net), group.data() + net * per_net,
                          single.data(), per_net, 1e-6, 1e-5));
  }
  GroupConfig plain = cfg;
  plain.spec = NetworkSpec::parse("c3x4:relu:same-m2-d8:relu-d4", train.shape, 4);
  EXPECT_NE(train_epochs(plain, 2), group) << "the dropout layers changed nothing";
}

// Stopped one step into its second epoch and resumed from the checkpoint (through a file), a run
// with dropout ends with the weights of the run without a stop.
TEST(DropoutTraining, AResumedRunDropsAsTheRunWithoutAStop) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  TrainConfig cfg;
  cfg.group.spec = NetworkSpec::parse("c3x4:relu-p0.3-d8:relu-p0.5-d4", train.shape, 4);
  cfg.group.optimizer = OptimizerConfig::defaults(OptimizerKind::Adam);
  cfg.group.seeds = {3};
  cfg.group.shuffle_seed = 3;  // as checkpoint_group() gives it
  cfg.group.batch_size = 16;
  cfg.epochs = 3;
  store_test::TempDir dir;
  Checkpoint checkpoint;
  EXPECT_EQ(test::params_after_resume(cfg, train, val, 4, dir.file("mid.safetensors"), &checkpoint),
            test::params_straight(cfg, train, val));
  EXPECT_EQ(checkpoint.meta.spec, cfg.group.spec);
}

}  // namespace
}  // namespace cs
