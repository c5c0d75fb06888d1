// Trainer: epoch bookkeeping, divergence handling and snapshot forwarding against a scripted
// backend (resuming and the run's history: test_trainer_history.cpp), then the real thing: the CPU
// backend on the real MNIST reaches the target accuracy.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <numeric>
#include <string>
#include <thread>

#include "convscope/cpu_backend.h"
#include "convscope/trainer.h"
#include "scripted_backend.h"

namespace cs {
namespace {

TEST(Trainer, EpochsStepsAndPartialLastBatch) {
  ScriptedBackend b;
  const Dataset train = tiny(100), val = tiny(10);
  Trainer t(b, train, val, tiny_config(2, 32, 2));
  EXPECT_EQ(t.steps_per_epoch(), 4);
  t.run();
  EXPECT_TRUE(t.finished());
  EXPECT_EQ(b.epochs_begun, (std::vector<int>{0, 1}));
  const std::vector<std::pair<int, int>> one_epoch = {{0, 32}, {32, 32}, {64, 32}, {96, 4}};
  ASSERT_EQ(b.steps.size(), 8u);
  EXPECT_TRUE(std::equal(one_epoch.begin(), one_epoch.end(), b.steps.begin()));
  EXPECT_EQ(b.evaluations, 2);
  ASSERT_EQ(t.epochs().size(), 2u);
  EXPECT_EQ(t.losses().size(), 8u);  // every step's loss drained, in order
  EXPECT_FLOAT_EQ(t.losses()[4].loss, 1.f / 5);
  EXPECT_FLOAT_EQ(t.epochs()[1].train_loss, (1.f / 5 + 1.f / 6 + 1.f / 7 + 1.f / 8) / 4);
  EXPECT_FLOAT_EQ(t.epochs()[1].train_accuracy, 0.5f);
  EXPECT_FLOAT_EQ(t.epochs()[0].val_accuracy, 0.9f);
  EXPECT_EQ(t.samples_seen(), 200);
  EXPECT_FALSE(t.step());
}

// An epoch's seconds are its steps' time: a pause between steps (the app paused, a save) and the
// validation passes inside it do not count.
TEST(Trainer, AnEpochsSecondsAreItsStepsTime) {
  ScriptedBackend b;
  b.step_time = std::chrono::milliseconds(50);
  b.eval_time = std::chrono::milliseconds(250);
  const Dataset train = tiny(64), val = tiny(10);
  TrainConfig cfg = tiny_config(1, 16, 1);
  cfg.eval_every = 1;  // a pass after each of the first 3 steps, and the epoch's own
  Trainer t(b, train, val, cfg);
  t.step();
  t.step();
  const double two_steps = t.epoch_seconds();
  EXPECT_GE(two_steps, 0.1);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // paused
  EXPECT_EQ(t.epoch_seconds(), two_steps);
  t.run();
  ASSERT_EQ(t.epochs().size(), 1u);
  EXPECT_EQ(b.evaluations, 4);
  EXPECT_GE(t.epochs()[0].seconds, 0.2);  // 4 steps of 50 ms
  EXPECT_LT(t.epochs()[0].seconds, 0.7);  // not the pause (1 s), nor the passes (4 x 250 ms)
}

TEST(Trainer, DivergenceRestoresLastFinishedEpoch) {
  ScriptedBackend b;
  const Dataset train = tiny(64), val = tiny(10);
  TrainConfig cfg = tiny_config(3, 16, 1);
  cfg.loss_every = 100;  // NaN found only when the epoch's losses are drained
  Trainer t(b, train, val, cfg);
  b.nan_at_step = 6;                     // second epoch, third step
  for (int i = 0; i < 4; ++i) t.step();  // epoch 1 done: every weight is 1 + 4
  try {
    for (int i = 0; i < 4; ++i) t.step();
    FAIL() << "no DivergenceError";
  } catch (const DivergenceError& e) {
    EXPECT_EQ(e.step(), 6);
    EXPECT_NE(std::string(e.what()).find("step 7 (epoch 2); its weights were restored to the end "
                                         "of epoch 1"),
              std::string::npos)
        << e.what();
  }
  for (const auto& [key, v] : b.params)
    for (float x : v) ASSERT_EQ(x, 5.f);
  EXPECT_EQ(t.epochs().size(), 1u);  // history kept
  EXPECT_EQ(t.epoch(), 1);
  EXPECT_EQ(t.step_in_epoch(), 0);  // the broken epoch starts over
  // The step counts go back with the weights: a checkpoint saved now says step 4, not 7.
  EXPECT_EQ(t.global_step(), 4);
  EXPECT_EQ(b.step_count(), 4);
  EXPECT_EQ(t.samples_seen(), 64);
}

// The steps undone take their losses and passes with them (steps 5 and 6 were drained before the
// NaN of step 7), so the run trained on from there has one loss per step, as a checkpoint saved
// after the rollback has.
TEST(Trainer, DivergenceTakesTheHistoryBackWithTheWeights) {
  ScriptedBackend b;
  const Dataset train = tiny(64), val = tiny(10);
  TrainConfig cfg = tiny_config(3, 16, 1);
  cfg.loss_every = 100;
  cfg.eval_every = 5;  // a pass after step 5, inside the epoch that diverges
  Trainer t(b, train, val, cfg);
  LearningHistory passes(val.labels);
  t.record_history(&passes);
  b.nan_at_step = 6;
  EXPECT_THROW(t.run(), DivergenceError);
  std::vector<long long> steps;
  for (const LossPoint& p : t.losses()) steps.push_back(p.step);
  EXPECT_EQ(steps, (std::vector<long long>{0, 1, 2, 3}));
  ASSERT_EQ(t.history().evaluations.size(), 1u);  // epoch 1's end; step 5's pass is gone
  EXPECT_EQ(t.history().evaluations[0].step, 4);
  ASSERT_EQ(passes.passes(), 1);
  EXPECT_EQ(passes.points()[0].step, 4);
  EXPECT_EQ(passes.top1s().size(), 10u);

  b.nan_at_step = -1;
  t.run();
  steps.clear();
  for (const LossPoint& p : t.losses()) steps.push_back(p.step);
  std::vector<long long> every(12);
  std::iota(every.begin(), every.end(), 0);
  EXPECT_EQ(steps, every);
  std::vector<long long> pass_steps;
  for (const EvalPoint& p : passes.points()) pass_steps.push_back(p.step);
  EXPECT_EQ(pass_steps, (std::vector<long long>{4, 5, 8, 10, 12}));
  EXPECT_EQ(t.history().evaluations.size(), 5u);
}

// A step whose update overflows after its loss was taken: every loss is finite, the weights are
// not. Before a save they are found, as a divergence after that step, and the run goes back to
// its last good state (a save would write weights no load takes).
TEST(Trainer, WeightsThatOverflowedAreADivergenceBeforeASave) {
  ScriptedBackend b;
  const Dataset train = tiny(64), val = tiny(10);
  TrainConfig cfg = tiny_config(3, 16, 2);
  Trainer t(b, train, val, cfg);
  b.inf_weight_at_step = 5;
  for (int i = 0; i < 6; ++i) t.step();  // epoch 1 (4 steps), then steps 5 and 6
  t.drain_losses();                      // every loss finite: nothing found
  EXPECT_EQ(t.global_step(), 6);
  try {
    t.drain_for_save();
    FAIL() << "no DivergenceError";
  } catch (const DivergenceError& e) {
    EXPECT_EQ(e.step(), 5);
    EXPECT_NE(std::string(e.what()).find("the weights of network 1 became NaN or infinite after "
                                         "step 6 (epoch 2); its weights were restored to the end "
                                         "of epoch 1"),
              std::string::npos)
        << e.what();
  }
  for (const auto& [key, v] : b.params)
    for (float x : v) ASSERT_EQ(x, 5.f);
  EXPECT_EQ(t.global_step(), 4);
  EXPECT_EQ(t.losses().size(), 4u);
  t.drain_for_save();  // finite again: nothing to say
}

// An optimizer slot that overflows (Adam's second moment of a huge gradient) while the weights
// stay finite: a save would write a state no load takes, so it is a divergence too.
TEST(Trainer, AnOptimizerStateThatOverflowedIsADivergenceBeforeASave) {
  ScriptedBackend b;
  const Dataset train = tiny(64), val = tiny(10);
  Trainer t(b, train, val, tiny_config(3, 16, 2));
  ASSERT_EQ(t.config().group.optimizer.slots(), 2);
  b.inf_slot_at_step = 5;
  for (int i = 0; i < 6; ++i) t.step();
  try {
    t.drain_for_save();
    FAIL() << "no DivergenceError";
  } catch (const DivergenceError& e) {
    EXPECT_NE(std::string(e.what()).find("the optimizer state of network 1 became NaN or "
                                         "infinite after step 6 (epoch 2)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(b.slots.at({1, 0})[0], 0.f);  // the end of epoch 1's
  EXPECT_EQ(t.global_step(), 4);
}

// A weight that is not finite behind a ReLU leaves every loss finite (the unit's output is 0).
// At the epoch's end it is found before the state becomes the good one: the run goes back to
// the previous good state, not to these weights.
TEST(Trainer, WeightsNotFiniteAtAnEpochsEndAreADivergence) {
  ScriptedBackend b;
  const Dataset train = tiny(64), val = tiny(10);
  Trainer t(b, train, val, tiny_config(3, 16, 2));
  b.inf_weight_at_step = 3;  // the last step of epoch 1
  for (int i = 0; i < 3; ++i) t.step();
  try {
    t.step();
    FAIL() << "no DivergenceError";
  } catch (const DivergenceError& e) {
    EXPECT_NE(std::string(e.what()).find("the weights of network 1 became NaN or infinite after "
                                         "step 4 (epoch 1); its weights were restored to its "
                                         "initialization"),
              std::string::npos)
        << e.what();
  }
  for (const auto& [key, v] : b.params)
    for (float x : v) ASSERT_EQ(x, 1.f);
  EXPECT_EQ(t.global_step(), 0);
  EXPECT_TRUE(t.epochs().empty());  // epoch 1 not recorded
  EXPECT_TRUE(t.history().empty());
  t.drain_for_save();
}

// Weights still finite but so large that the validation logits overflow: the epoch's pass is not
// finite, and its weights do not become the state a later divergence goes back to.
TEST(Trainer, ANonFiniteValidationLossIsADivergence) {
  ScriptedBackend b;
  const Dataset train = tiny(64), val = tiny(10);
  Trainer t(b, train, val, tiny_config(3, 16, 1));
  for (int i = 0; i < 4; ++i) t.step();  // epoch 1: every weight is 5
  b.eval_loss = INFINITY;
  try {
    for (int i = 0; i < 4; ++i) t.step();
    FAIL() << "no DivergenceError";
  } catch (const DivergenceError& e) {
    EXPECT_EQ(e.step(), 7);
    EXPECT_NE(std::string(e.what()).find("the validation loss of network 0 became NaN or infinite "
                                         "after step 8 (epoch 2); its weights were restored to the "
                                         "end of epoch 1"),
              std::string::npos)
        << e.what();
  }
  for (const auto& [key, v] : b.params)
    for (float x : v) ASSERT_EQ(x, 5.f);
  EXPECT_EQ(t.epochs().size(), 1u);
  EXPECT_EQ(t.global_step(), 4);
  ASSERT_EQ(t.history().evaluations.size(), 1u);
  EXPECT_EQ(t.history().evaluations[0].step, 4);
}

// A pass every few steps with the training losses drained more seldom (a GPU's): a NaN training
// loss before the pass is said as the training loss it is, at its own step, not as the pass's.
TEST(Trainer, ANaNTrainingLossIsSaidBeforeThePassItSpoils) {
  ScriptedBackend b;
  const Dataset train = tiny(64), val = tiny(10);
  TrainConfig cfg = tiny_config(1, 16, 1);
  cfg.loss_every = 100;
  cfg.eval_every = 2;
  Trainer t(b, train, val, cfg);
  b.nan_at_step = 0;
  b.eval_loss = NAN;  // the NaN weights' pass
  try {
    t.run();
    FAIL() << "no DivergenceError";
  } catch (const DivergenceError& e) {
    EXPECT_NE(std::string(e.what()).find("the loss of network 0 became NaN or infinite at step 1 "
                                         "(epoch 1); its weights were restored to its "
                                         "initialization"),
              std::string::npos)
        << e.what();
  }
}

EvalResult evaluation(std::vector<float> loss, std::vector<float> accuracy) {
  EvalResult e;
  e.nets = static_cast<int>(loss.size());
  e.loss = std::move(loss);
  e.accuracy = std::move(accuracy);
  return e;
}

struct NotLearningCase {
  const char* name;
  EvalResult eval;
  int classes;
  long long steps;
  const char* says;  // "" when no warning
};

class NotLearning : public testing::TestWithParam<NotLearningCase> {};

TEST_P(NotLearning, WarnsOnlyWhenAccuracyAndLossAreBothAtChance) {
  const NotLearningCase& c = GetParam();
  const std::string warning = not_learning_warning(c.eval, c.classes, c.steps);
  if (*c.says == 0)
    EXPECT_EQ(warning, "");
  else
    EXPECT_NE(warning.find(c.says), std::string::npos) << warning;
}

INSTANTIATE_TEST_SUITE_P(
    Trainer, NotLearning,
    testing::Values(
        NotLearningCase{"Learning", evaluation({0.3f}, {0.91f}), 10, 938, ""},
        NotLearningCase{"DeadNetwork", evaluation({2.591f}, {0.0982f}), 10, 157,
                        "not learning after 157 steps: its validation accuracy, 9.82%, is no "
                        "better than guessing among 10 classes, and its loss is 2.591"},
        NotLearningCase{"ExplodedLogits", evaluation({4.2e29f}, {0.1032f}), 10, 938,
                        "its loss is 4.2e+29 (an untrained network's is 2.303)"},
        NotLearningCase{"TooEarlyToTell", evaluation({2.3f}, {0.1f}), 10, kNotLearningSteps - 1,
                        ""},
        NotLearningCase{"AccuracyAboveChance", evaluation({2.4f}, {0.16f}), 10, 938, ""},
        NotLearningCase{"LossFalling", evaluation({2.1f}, {0.1f}), 10, 938, ""},
        NotLearningCase{"HundredClasses", evaluation({4.5f}, {0.012f}), 100, 938,
                        "guessing among 100 classes"},
        NotLearningCase{"OneOfThree", evaluation({0.3f, 2.4f, 0.2f}, {0.9f, 0.1f, 0.95f}), 10, 938,
                        "network 1 of 3 is not learning"},
        NotLearningCase{"SixOfSeven",
                        evaluation({2.4f, 2.5f, 2.4f, 2.3f, 2.4f, 0.2f, 2.6f},
                                   {0.1f, 0.09f, 0.11f, 0.1f, 0.1f, 0.95f, 0.1f}),
                        10, 938,
                        "6 of 7 networks (0, 1, 2, 3, 4, ...) are not learning after 938 steps: "
                        "validation accuracy at most 11.00%, no better than guessing among 10 "
                        "classes, and a loss of at least 2.3"},
        NotLearningCase{"AllOfTwo", evaluation({2.4f, 2.5f}, {0.1f, 0.1f}), 10, 938,
                        "all 2 networks are not learning"}),
    [](const testing::TestParamInfo<NotLearningCase>& info) {
      return std::string(info.param.name);
    });

TEST(Trainer, EpochsCarryTheNotLearningWarning) {
  const Dataset train = tiny(kNotLearningSteps), val = tiny(10);
  ScriptedBackend stuck;
  stuck.eval_loss = 2.5f;
  stuck.eval_accuracy = 0.1f;
  Trainer t(stuck, train, val, tiny_config(2, 1, 2));  // 100 steps an epoch
  t.run();
  ASSERT_EQ(t.epochs().size(), 2u);
  for (const EpochMetrics& m : t.epochs())
    EXPECT_NE(m.warning.find("all 2 networks are not learning"), std::string::npos) << m.warning;

  ScriptedBackend learning;
  Trainer fine(learning, train, val, tiny_config(1, 1, 2));
  fine.run();
  EXPECT_EQ(fine.epochs().back().warning, "");
  ScriptedBackend early;  // stuck too, but 4 steps say nothing yet
  early.eval_loss = 2.5f;
  early.eval_accuracy = 0.1f;
  Trainer soon(early, train, val, tiny_config(1, 32, 2));
  soon.run();
  EXPECT_EQ(soon.epochs().back().warning, "");
}

TEST(Trainer, SnapshotRequestsReachTheNextStepOnly) {
  ScriptedBackend b;
  const Dataset train = tiny(64), val = tiny(10);
  Trainer t(b, train, val, tiny_config(1, 16, 2));
  t.request_snapshot(1, 7);
  t.request_snapshot(0, 99);  // out of range: ignored
  t.request_snapshot(5, 0);   // no such network: ignored
  t.step();
  t.step();
  ASSERT_EQ(b.snapshot_requests.size(), 1u);
  EXPECT_EQ(b.snapshot_requests[0], std::make_pair(1, 7));
}

TEST(Trainer, RefusesANegativeEvalEvery) {
  ScriptedBackend b;
  const Dataset train = tiny(32), val = tiny(4);
  TrainConfig cfg = tiny_config(1, 16, 1);
  cfg.eval_every = -1;
  EXPECT_THROW(Trainer(b, train, val, cfg), InputError);
}

TEST(Trainer, RejectsMismatchedInput) {
  ScriptedBackend b;
  const Dataset train = tiny(64), val = tiny(10);
  TrainConfig cfg = tiny_config(1, 16, 1);
  cfg.group.spec = NetworkSpec::reference();  // expects 28x28
  EXPECT_THROW(Trainer(b, train, val, cfg), InputError);
}

// One check_group() for the trainer and every backend: each bad setup is refused with the same
// InputError (the same words) by the trainer and by the CPU backend's configure().
struct BadSetup {
  const char* name;
  void (*spoil)(TrainConfig&, Dataset& train, Dataset& val);
  const char* message;  // a part of the message
};

class BadSetups : public testing::TestWithParam<BadSetup> {};

TEST_P(BadSetups, AreRefusedAlikeByTheTrainerAndTheBackend) {
  TrainConfig cfg = tiny_config(1, 16, 2);
  Dataset train = tiny(64), val = tiny(10);
  GetParam().spoil(cfg, train, val);
  std::string from_check, from_trainer, from_backend;
  try {
    check_group(cfg.group, train, val);
  } catch (const InputError& e) {
    from_check = e.what();
  }
  EXPECT_NE(from_check.find(GetParam().message), std::string::npos) << from_check;
  ScriptedBackend scripted;
  try {
    Trainer t(scripted, train, val, cfg);
  } catch (const InputError& e) {
    from_trainer = e.what();
  }
  EXPECT_EQ(from_trainer, from_check);
  EXPECT_TRUE(scripted.params.empty());  // refused before the backend was configured
  std::unique_ptr<Backend> cpu = make_cpu_backend(1);
  try {
    cpu->configure(cfg.group, train, val);
  } catch (const InputError& e) {
    from_backend = e.what();
  }
  EXPECT_EQ(from_backend, from_check);
}

INSTANTIATE_TEST_SUITE_P(
    CheckGroup, BadSetups,
    testing::Values(
        BadSetup{"NoNetwork", [](TrainConfig& c, Dataset&, Dataset&) { c.group.seeds.clear(); },
                 "at least one network"},
        BadSetup{"ZeroBatch", [](TrainConfig& c, Dataset&, Dataset&) { c.group.batch_size = 0; },
                 "batch size must be at least 1"},
        BadSetup{"EmptyTraining", [](TrainConfig&, Dataset& t, Dataset&) { t = Dataset{}; },
                 "is empty"},
        BadSetup{"ValidationShape",
                 [](TrainConfig&, Dataset&, Dataset& v) {
                   v.shape = {1, 4, 16};  // as many pixels, another shape
                 },
                 "has 1x4x16 images but the network expects 1x8x8"},
        BadSetup{"MissingLabels", [](TrainConfig&, Dataset& t, Dataset&) { t.labels.pop_back(); },
                 "inconsistent sizes"},
        BadSetup{"TooManyClasses",
                 [](TrainConfig& c, Dataset&, Dataset&) {
                   c.group.spec.classes = 256;
                   c.group.spec.layers.back().units = 256;
                 },
                 "a network of 256 classes: at most 255"},
        BadSetup{"LabelOutsideClasses",
                 [](TrainConfig&, Dataset&, Dataset& v) { v.labels[3] = 10; },
                 "has label 10 but the network has 10 classes"}),
    [](const testing::TestParamInfo<BadSetup>& info) { return std::string(info.param.name); });

TEST(CheckGroup, RefusesAnImpossibleArchitectureAsASpecError) {
  TrainConfig cfg = tiny_config(1, 16, 1);
  cfg.group.spec.layers.back().units = 3;  // the last layer must give the 10 classes
  EXPECT_THROW(check_group(cfg.group, tiny(64), tiny(10)), SpecError);
  EXPECT_NO_THROW(check_group(tiny_config(1, 16, 1).group, tiny(64), tiny(10)));
}

TEST(CheckGroup, TrainerRefusesZeroEpochs) {
  ScriptedBackend b;
  const Dataset train = tiny(64), val = tiny(10);
  EXPECT_THROW(Trainer(b, train, val, tiny_config(0, 16, 1)), InputError);
}

// The acceptance run of the foundation: reference network, Adam 1e-3, batch 64, real MNIST.
// The targets are for the training procedure, not for one lucky seed: three networks (seeds
// 1, 2, 3) train in lockstep and their mean validation accuracy must reach them.
TEST(TrainerMnist, ReferenceNetworkReachesTargetAccuracy) {
  const std::string dir = default_mnist_dir();
  ASSERT_TRUE(std::filesystem::exists(dir + "/train-images-idx3-ubyte"))
      << "MNIST is missing in " << dir << ": run scripts/fetch-mnist.sh";
  const DatasetPair data = load_idx_folder(dir, "mnist");
  std::unique_ptr<Backend> backend = make_cpu_backend(2);
  TrainConfig cfg;
  cfg.group.optimizer = OptimizerConfig::defaults(OptimizerKind::Adam);
  cfg.group.seeds = {1, 2, 3};
  cfg.epochs = 5;
  Trainer t(*backend, data.train, data.test, cfg);
  t.run();
  ASSERT_EQ(t.epochs().size(), 5u);
  for (const EpochMetrics& m : t.epochs())
    std::printf(
        "epoch %d: train loss %.4f, val loss %.4f, val acc %.2f%% (nets %.2f%% %.2f%% %.2f%%), "
        "%.1f s\n",
        m.epoch, m.train_loss, m.val_loss, 100 * m.val_accuracy, 100 * m.net_val_accuracy[0],
        100 * m.net_val_accuracy[1], 100 * m.net_val_accuracy[2], m.seconds);
  EXPECT_GE(t.epochs()[0].val_accuracy, 0.975);
  EXPECT_GE(t.epochs()[4].val_accuracy, 0.988);
  EXPECT_EQ(t.last_eval().count, 10000);  // the whole validation set, no subsampling
}

}  // namespace
}  // namespace cs
