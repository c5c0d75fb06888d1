// Decoupled weight decay (OptimizerConfig::weight_decay): every optimizer's step with it equals
// the step without it less lr x weight_decay x the weights it started from, under a schedule's
// rate too; training with it keeps the weights smaller; its range and text; checkpoints, the
// store (version 10, and older stores read as without), sweeps.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "convscope/checkpoint.h"
#include "convscope/cpu_backend.h"
#include "convscope/ensemble_run.h"
#include "convscope/optimizer.h"
#include "convscope/store.h"
#include "convscope/sweep.h"
#include "convscope/trainer.h"
#include "run_test_util.h"
#include "store_test_util.h"
#include "synthetic_data.h"

namespace cs {
namespace {

// 48 images in batches of 16: three steps an epoch; two networks.
TrainConfig decay_config(OptimizerKind kind, float weight_decay) {
  TrainConfig cfg;
  cfg.group.spec = NetworkSpec::parse("c3x4:relu-d8:relu-d4", {1, 6, 6}, 4);
  cfg.group.optimizer = OptimizerConfig::defaults(kind);
  cfg.group.optimizer.weight_decay = weight_decay;
  cfg.group.seeds = {3, 4};
  cfg.group.batch_size = 16;
  cfg.epochs = 2;
  return cfg;
}

// Every tensor of every network in `role`, network by network.
std::vector<std::vector<float>> tensors(Backend& backend, const GroupConfig& group,
                                        TensorRole role) {
  std::vector<std::vector<float>> out;
  const std::vector<ParamInfo> params = group.spec.params();
  for (int n = 0; n < group.nets(); ++n)
    for (size_t p = 0; p < params.size(); ++p) {
      std::vector<float> t(static_cast<size_t>(params[p].size()));
      backend.read_tensor(n, static_cast<int>(p), role, t.data());
      out.push_back(std::move(t));
    }
  return out;
}

// One step from the same weights with and without weight decay, for every optimizer, at the
// fourth step of step:1:0.5 (so at half the rate): the gradients and optimizer slots are the
// same bit for bit (the gradient is taken before the decay), and the weights differ by
// lr x 0.5 x weight_decay x the weights before the step, for every network of the group.
TEST(WeightDecay, EachOptimizersStepLosesItsShareOfTheWeights) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  constexpr float kDecay = 0.9f;  // Adadelta's rate is 1
  for (const OptimizerKind kind : kAllOptimizers) {
    SCOPED_TRACE(to_string(kind));
    struct Stepped {
      std::vector<std::vector<float>> before, after, grads, slot0, slot1;
    };
    const auto one_step = [&](float weight_decay) {
      TrainConfig cfg = decay_config(kind, weight_decay);
      cfg.group.optimizer.schedule = LrSchedule::parse("step:1:0.5");
      std::unique_ptr<Backend> backend = make_cpu_backend(2);
      backend->configure(cfg.group, train, val);
      backend->set_step_count(3);
      backend->begin_epoch(1);
      Stepped s;
      s.before = tensors(*backend, cfg.group, TensorRole::Param);
      backend->train_step(0, 16);
      s.after = tensors(*backend, cfg.group, TensorRole::Param);
      s.grads = tensors(*backend, cfg.group, TensorRole::Grad);
      s.slot0 = tensors(*backend, cfg.group, TensorRole::Slot0);
      s.slot1 = tensors(*backend, cfg.group, TensorRole::Slot1);
      return s;
    };
    const Stepped plain = one_step(0), decayed = one_step(kDecay);
    EXPECT_EQ(decayed.before, plain.before);
    EXPECT_EQ(decayed.grads, plain.grads);
    EXPECT_EQ(decayed.slot0, plain.slot0);
    EXPECT_EQ(decayed.slot1, plain.slot1);
    const double shrink = OptimizerConfig::defaults(kind).lr * 0.5 * kDecay;
    double worst = 0, moved = 0;
    for (size_t t = 0; t < plain.before.size(); ++t)
      for (size_t i = 0; i < plain.before[t].size(); ++i) {
        const double want = plain.after[t][i] - shrink * plain.before[t][i];
        worst = std::max(worst, std::abs(decayed.after[t][i] - want));
        moved = std::max(moved, std::abs(shrink * plain.before[t][i]));
      }
    EXPECT_GT(moved, 1e-4) << "the decay is too small to be seen";
    EXPECT_LT(worst, 1e-6) << "largest distance from (1 - lr x decay) x w - update";
  }
}

// Two epochs of SGD with weight decay end with smaller weights than without, and the same
// run resumed from a checkpoint after its first epoch ends bit for bit as the run without a
// stop: the checkpoint keeps the decay.
TEST(WeightDecay, ItKeepsTheWeightsSmallAndCarriesOverACheckpoint) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  const auto norm = [](const std::vector<std::vector<float>>& ts) {
    double sum = 0;
    for (const auto& t : ts)
      for (const float v : t) sum += static_cast<double>(v) * v;
    return std::sqrt(sum);
  };
  TrainConfig cfg = decay_config(OptimizerKind::Sgd, 0);
  cfg.group.optimizer.lr = 0.2f;
  std::unique_ptr<Backend> plain = make_cpu_backend(2);
  Trainer(*plain, train, val, cfg).run();
  cfg.group.optimizer.weight_decay = 0.5f;
  std::unique_ptr<Backend> decayed = make_cpu_backend(2);
  Trainer(*decayed, train, val, cfg).run();
  EXPECT_LT(norm(tensors(*decayed, cfg.group, TensorRole::Param)),
            0.95 * norm(tensors(*plain, cfg.group, TensorRole::Param)));

  cfg.group.seeds = {3};
  std::unique_ptr<Backend> straight = make_cpu_backend(1);
  Trainer(*straight, train, val, cfg).run();
  store_test::TempDir dir;
  const std::string path = dir.file("epoch1.safetensors");
  test::save_run_after(path, cfg, 1, train, val);
  EXPECT_EQ(read_checkpoint_meta(path).optimizer.weight_decay, 0.5f);
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  Trainer trainer(*backend, train, val, cfg);
  resume_from_checkpoint(trainer, load_checkpoint(path, *backend, 0));
  trainer.run();
  EXPECT_EQ(tensors(*backend, cfg.group, TensorRole::Param),
            tensors(*straight, cfg.group, TensorRole::Param));
}

TEST(WeightDecay, TheOptimizerNamesItAndRefusesWhatCannotTrain) {
  OptimizerConfig o = OptimizerConfig::defaults(OptimizerKind::Adam);
  EXPECT_EQ(o.to_string().find("weight_decay"), std::string::npos) << "0 is not named";
  o.weight_decay = 0.01f;
  EXPECT_EQ(o.to_string(), "adam lr=0.001 beta1=0.9 beta2=0.999 epsilon=1e-07 weight_decay=0.01");
  EXPECT_EQ(o.problem(), "");
  o.lr = 0.5f;
  o.weight_decay = 2;  // lr x decay = 1: every weight to zero in one step
  std::string field;
  EXPECT_EQ(o.problem(&field),
            "lr x weight_decay must be below 1 (it would shrink every weight to zero or past it in "
            "one step), got 0.5 x 2");
  EXPECT_EQ(field, "weight_decay");
  o.weight_decay = -0.1f;
  EXPECT_EQ(o.problem(&field), "weight_decay must be at least 0, got -0.1");
  o.weight_decay = std::nanf("");
  EXPECT_EQ(o.problem(&field), "weight_decay must be at least 0, got nan");
}

// A stored run keeps its weight decay; a store of version 9, before it, reads its runs as
// without, read-only as it is, and gains the column when opened for writing; a damaged value is
// named.
TEST(WeightDecay, TheStoreKeepsARunsDecayAndReadsOlderRunsAsWithout) {
  using namespace store_test;
  TempDir dir;
  const std::string path = dir.file("s.db");
  EXPECT_EQ(older_store_run(path, kToVersion9, 9).setup.group.optimizer.weight_decay, 0.f);
  Store store(path);
  EXPECT_EQ(count_rows(path, "PRAGMA user_version"), kCurrentVersion);
  RunSetup setup = make_setup(2, 10, 1);
  setup.group.optimizer.weight_decay = 0.003f;
  const int64_t id = store.begin_run(setup);
  EXPECT_EQ(store.load_run_info(id).setup.group, setup.group);
  EXPECT_NE(store.list_runs().front().optimizer.find(" weight_decay=0.003"), std::string::npos);
  raw_sql(path, "UPDATE runs SET weight_decay = -2 WHERE id = 1");
  try {
    store.load_run_info(1);
    ADD_FAILURE() << "a damaged weight decay was read";
  } catch (const StoreError& e) {
    EXPECT_NE(
        std::string(e.what()).find("run 1 is damaged: weight_decay must be at least 0, got -2"),
        std::string::npos)
        << e.what();
  }
}

TEST(WeightDecay, ASweepVariesIt) {
  const std::vector<SweepConfig> configs = parse_sweep_grid("weight_decay=0,0.01");
  ASSERT_EQ(configs.size(), 2u);
  const SweepSettings settings;
  const Dataset train = test::synthetic(48, 1);
  EXPECT_EQ(sweep_train_config(configs[1], settings, train, 0, 1).group.optimizer.weight_decay,
            0.01f);
  try {
    sweep_train_config(parse_sweep_grid("weight_decay=-1")[0], settings, train, 0, 1);
    ADD_FAILURE() << "a negative weight decay was taken";
  } catch (const SweepError& e) {
    EXPECT_EQ(std::string(e.what()),
              "configuration 'weight_decay=-1': weight_decay must be at least 0, got -1");
  }
}

}  // namespace
}  // namespace cs
