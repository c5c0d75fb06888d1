// Label smoothing (convscope/label_smoothing.h): its range and its text; a CPU step trains toward
// the smoothed targets (a dense layer's weight gradient and the step's loss worked out by hand),
// while evaluation keeps the plain cross-entropy; it changes what a run learns; a checkpoint keeps
// it and a resumed run ends as the run without a stop; the store (version 12, older stores read as
// without); sweeps and the group check refuse what is out of range.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "convscope/checkpoint.h"
#include "convscope/cpu_backend.h"
#include "convscope/label_smoothing.h"
#include "convscope/shuffle.h"
#include "convscope/store.h"
#include "convscope/sweep.h"
#include "convscope/trainer.h"
#include "expect_close.h"
#include "run_test_util.h"
#include "store_test_util.h"
#include "synthetic_data.h"

namespace cs {
namespace {

using test::all_close;

GroupConfig dense_group(float smoothing) {
  GroupConfig g;
  g.spec = NetworkSpec::parse("d4", {1, 6, 6}, 4);
  g.optimizer = OptimizerConfig::defaults(OptimizerKind::Sgd);
  g.seeds = {9};
  g.batch_size = 8;
  g.label_smoothing = smoothing;
  return g;
}

TEST(LabelSmoothing, ItsRangeAndText) {
  EXPECT_EQ(label_smoothing_problem(0.f), "");
  EXPECT_EQ(label_smoothing_problem(0.1f), "");
  EXPECT_EQ(label_smoothing_problem(1.f),
            "a label smoothing of 1 is outside [0, 1) (0: none; 0.1 is usual)");
  EXPECT_NE(label_smoothing_problem(-0.1f), "");
  EXPECT_NE(label_smoothing_problem(std::nanf("")), "");
  EXPECT_EQ(label_smoothing_text(0.f), "none");
  EXPECT_EQ(label_smoothing_text(0.1f), "0.1");
  EXPECT_FLOAT_EQ(label_target(2, 2, 0.1f, 10), 0.91f);
  EXPECT_FLOAT_EQ(label_target(3, 2, 0.1f, 10), 0.01f);
  EXPECT_EQ(label_target(2, 2, 0.f, 10), 1.f);
  EXPECT_EQ(label_target(3, 2, 0.f, 10), 0.f);

  const Dataset train = test::synthetic(16, 1), val = test::synthetic(8, 2);
  auto backend = make_cpu_backend(1);
  try {
    backend->configure(dense_group(1.f), train, val);
    ADD_FAILURE() << "a smoothing of 1 was taken";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "a label smoothing of 1 is outside [0, 1) (0: none; 0.1 is usual)");
  }
}

// "d4" on 1x6x6 images, plain SGD, smoothing 0.2: after one step the weight gradient is, by hand,
// the batch mean of (softmax - target) times the input, and the step's loss the batch mean of
// -sum_j target_j log p_j; the validation loss of those weights is the plain cross-entropy.
TEST(LabelSmoothing, AStepTrainsTowardTheSmoothedTargetsAndValidationStaysPlain) {
  const Dataset train = test::synthetic(16, 1), val = test::synthetic(8, 2);
  constexpr float kSmoothing = 0.2f;
  const GroupConfig cfg = dense_group(kSmoothing);
  auto backend = make_cpu_backend(2);
  backend->configure(cfg, train, val);
  const std::vector<float> w = test::all_tensors(*backend, cfg, TensorRole::Param);
  backend->begin_epoch(0);
  backend->train_step(0, 8);
  const std::vector<int32_t> order = epoch_order(cfg.shuffle_seed, 0, 0, train.count);
  const int in = train.shape.size(), K = 4;
  std::vector<double> want(static_cast<size_t>(K) * in, 0.0);
  double want_loss = 0;
  const auto probabilities = [&](const uint8_t* img) {
    std::vector<double> z(K);
    double top = -1e300, sum = 0;
    for (int c = 0; c < K; ++c) {
      z[c] = w[static_cast<size_t>(K) * in + c];
      for (int i = 0; i < in; ++i) z[c] += w[static_cast<size_t>(c) * in + i] * (img[i] / 255.0);
      top = std::max(top, z[c]);
    }
    for (int c = 0; c < K; ++c) sum += std::exp(z[c] - top);
    for (int c = 0; c < K; ++c) z[c] = std::exp(z[c] - top) / sum;
    return z;
  };
  for (int b = 0; b < 8; ++b) {
    const uint8_t* img = train.image(order[b]);
    const std::vector<double> p = probabilities(img);
    for (int c = 0; c < K; ++c) {
      const double target =
          (c == train.labels[order[b]] ? 1 - kSmoothing : 0) + double(kSmoothing) / K;
      want_loss -= target * std::log(p[c]) / 8;
      for (int i = 0; i < in; ++i)
        want[static_cast<size_t>(c) * in + i] += (p[c] - target) / 8 * (img[i] / 255.0);
    }
  }
  const std::vector<float> grads = test::all_tensors(*backend, cfg, TensorRole::Grad);
  EXPECT_TRUE(all_close("fc1.weight gradient", grads.data(), want.data(), want.size(), 1e-6, 1e-4));
  const std::vector<float> losses = backend->take_losses();
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_NEAR(losses[0], want_loss, 1e-5);

  // Validation: the plain cross-entropy, as a network without smoothing with the same weights.
  GroupConfig plain = cfg;
  plain.label_smoothing = 0;
  auto other = make_cpu_backend(1);
  other->configure(plain, train, val);
  const std::vector<float> now = test::all_tensors(*backend, cfg, TensorRole::Param);
  const std::vector<ParamInfo> params = cfg.spec.params();
  size_t at = 0;
  for (size_t p = 0; p < params.size(); ++p) {
    other->write_tensor(0, static_cast<int>(p), TensorRole::Param, now.data() + at);
    at += static_cast<size_t>(params[p].size());
  }
  EvalResult a, b;
  backend->evaluate(a);
  other->evaluate(b);
  EXPECT_EQ(a.loss, b.loss);
  double plain_loss = 0;
  for (int i = 0; i < val.count; ++i) plain_loss -= std::log(a.true_probs[static_cast<size_t>(i)]);
  EXPECT_NEAR(a.loss[0], plain_loss / val.count, 1e-5);
}

// A smoothing changes what a run learns (with 0, the default, every other test trains as before).
TEST(LabelSmoothing, ItChangesWhatARunLearns) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  const auto trained = [&](float smoothing) {
    GroupConfig g = dense_group(smoothing);
    g.spec = NetworkSpec::parse("c3x4:relu-d8:relu-d4", train.shape, 4);
    g.optimizer = OptimizerConfig::defaults(OptimizerKind::Adam);
    auto backend = make_cpu_backend(2);
    backend->configure(g, train, val);
    backend->begin_epoch(0);
    for (int first = 0; first < 48; first += 8) backend->train_step(first, 8);
    return test::all_tensors(*backend, g, TensorRole::Param);
  };
  EXPECT_NE(trained(0.1f), trained(0.f));
}

// Stopped one step into its second epoch and resumed from the checkpoint (through a file), a run
// with smoothing ends as the run without a stop; the checkpoint names it, an older one reads as
// without, a bad value is refused.
TEST(LabelSmoothing, ACheckpointKeepsItAndAResumedRunEndsAsTheRunWithoutAStop) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  TrainConfig cfg;
  cfg.group = dense_group(0.15f);
  cfg.group.spec = NetworkSpec::parse("c3x4:relu-d8:relu-d4", train.shape, 4);
  cfg.group.shuffle_seed = cfg.group.seeds[0];  // as checkpoint_group() gives it
  cfg.group.batch_size = 16;
  cfg.epochs = 3;
  store_test::TempDir dir;
  const std::string path = dir.file("mid.safetensors");
  Checkpoint checkpoint;
  EXPECT_EQ(test::params_after_resume(cfg, train, val, 4, path, &checkpoint),
            test::params_straight(cfg, train, val));
  EXPECT_EQ(checkpoint.meta.label_smoothing, 0.15f);
  EXPECT_EQ(checkpoint_group(checkpoint.meta).label_smoothing, 0.15f);

  test::expect_later_metadata(
      path, "label_smoothing", "0.15",
      [](const CheckpointMeta& meta) { EXPECT_EQ(meta.label_smoothing, 0.f); }, "1.5",
      "metadata 'label_smoothing': a label smoothing of 1.5 is outside [0, 1)");
}

// A stored run keeps it; a store of version 11 reads its runs as without, read-only as it is, and
// gains the column when opened for writing; a damaged value is named.
TEST(LabelSmoothing, TheStoreKeepsItAndReadsOlderRunsAsWithout) {
  using namespace store_test;
  TempDir dir;
  const std::string path = dir.file("s.db");
  RunSetup setup = make_setup(2, 10, 1);
  setup.group.label_smoothing = 0.1f;
  {
    Store store(path);
    EXPECT_EQ(store.load_run_info(store.begin_run(setup)).setup.group, setup.group);
  }
  EXPECT_EQ(older_store_run(path, kToVersion11, 11).setup.group.label_smoothing, 0.f);
  Store store(path);
  EXPECT_EQ(count_rows(path, "PRAGMA user_version"), kCurrentVersion);
  EXPECT_EQ(store.load_run_info(store.begin_run(setup)).setup.group.label_smoothing, 0.1f);
  raw_sql(path, "UPDATE runs SET label_smoothing = 2 WHERE id = 1");
  try {
    store.load_run_info(1);
    ADD_FAILURE() << "a damaged smoothing was read";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("run 1 is damaged: a label smoothing of 2 is outside"),
              std::string::npos)
        << e.what();
  }
}

TEST(LabelSmoothing, ASweepVariesIt) {
  const std::vector<SweepConfig> configs = parse_sweep_grid("label_smoothing=0,0.1");
  ASSERT_EQ(configs.size(), 2u);
  SweepPlan plan;
  plan.configs = configs;
  const Dataset train = test::synthetic(48, 1);
  EXPECT_EQ(sweep_train_config(configs[0], plan.settings, train, 0, 1).group.label_smoothing, 0.f);
  EXPECT_EQ(sweep_train_config(configs[1], plan.settings, train, 0, 1).group.label_smoothing, 0.1f);
  try {
    sweep_train_config(parse_sweep_grid("label_smoothing=1")[0], plan.settings, train, 0, 1);
    ADD_FAILURE() << "a smoothing of 1 was taken";
  } catch (const SweepError& e) {
    EXPECT_STREQ(e.what(),
                 "configuration 'label_smoothing=1': a label smoothing of 1 is outside [0, 1) (0: "
                 "none; 0.1 is usual)");
  }
}

}  // namespace
}  // namespace cs
