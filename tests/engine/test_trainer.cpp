// Trainer: epoch bookkeeping, divergence handling and snapshot forwarding against a scripted
// backend, then the real thing: the CPU backend on the real MNIST reaches the target accuracy.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "convscope/cpu_backend.h"
#include "convscope/trainer.h"

namespace cs {
namespace {

// A backend that records what the trainer asks of it and reports scripted losses.
class ScriptedBackend : public Backend {
 public:
  long long nan_at_step = -1;  // global step whose loss is NaN
  std::vector<int> epochs_begun;
  std::vector<std::pair<int, int>> steps;  // (first, count)
  std::vector<std::pair<int, int>> snapshot_requests;
  int evaluations = 0;
  float eval_loss = 0.25f, eval_accuracy = 0.9f;             // every network's, at every pass
  std::map<std::pair<int, int>, std::vector<float>> params;  // (net, tensor) -> values

  BackendInfo info() const override { return {"scripted", "test"}; }
  void configure(const GroupConfig& cfg, const Dataset&, const Dataset& val) override {
    m_cfg = cfg;
    m_val_count = val.count;
    const std::vector<ParamInfo> p = cfg.spec.params();
    for (int n = 0; n < cfg.nets(); ++n)
      for (size_t i = 0; i < p.size(); ++i)
        params[{n, static_cast<int>(i)}].assign(static_cast<size_t>(p[i].size()), 1.f);
  }
  const GroupConfig& config() const override { return m_cfg; }
  void begin_epoch(int epoch) override { epochs_begun.push_back(epoch); }
  void train_step(int first, int count) override {
    steps.emplace_back(first, count);
    ++step_counter;
    const bool nan = static_cast<long long>(steps.size()) - 1 == nan_at_step;
    for (auto& [key, v] : params)
      for (float& x : v) x = nan ? NAN : x + 1.f;  // weights change every step
    for (int n = 0; n < m_cfg.nets(); ++n) {
      m_losses.push_back(nan ? NAN : 1.f / static_cast<float>(steps.size()));
      m_accs.push_back(0.5f);
    }
  }
  std::vector<float> take_losses() override { return std::exchange(m_losses, {}); }
  std::vector<float> take_accuracies() override { return std::exchange(m_accs, {}); }
  void evaluate(EvalResult& out) override {
    ++evaluations;
    out.nets = m_cfg.nets();
    out.count = m_val_count;
    out.loss.assign(out.nets, eval_loss);
    out.accuracy.assign(out.nets, eval_accuracy);
    // Image i's top-1 is (steps + i) % 2: every image flips between passes an odd number of
    // steps apart (labels are 0, so even images are right after an even number of steps).
    out.top_labels.assign(static_cast<size_t>(out.nets) * out.count * 3, 0);
    for (int n = 0; n < out.nets; ++n)
      for (int i = 0; i < out.count; ++i)
        out.top_labels[(static_cast<size_t>(n) * out.count + i) * 3] =
            static_cast<uint8_t>((steps.size() + i) % 2);
  }
  void request_snapshot(int net, int probe) override { snapshot_requests.emplace_back(net, probe); }
  void capture_snapshot(int, int) override {}
  SnapshotExchange& snapshots() override { return m_exchange; }
  void predict(int, const float*, int, float*, float*) override {
    throw std::logic_error("the trainer does not predict");
  }
  void input_gradient(int, const float*, int, const int*, float*) override {
    throw std::logic_error("the trainer does not compute saliency");
  }
  void read_tensor(int net, int param, TensorRole role, float* out) override {
    if (role != TensorRole::Param) return;
    const std::vector<float>& v = params.at({net, param});
    std::copy(v.begin(), v.end(), out);
  }
  void write_tensor(int net, int param, TensorRole role, const float* in) override {
    if (role != TensorRole::Param) return;
    std::vector<float>& v = params.at({net, param});
    std::copy(in, in + v.size(), v.begin());
  }
  long long step_count() const override { return step_counter; }
  void set_step_count(long long t) override { step_counter = t; }
  long long step_counter = 0;  // the optimizer's step count (Adam's bias correction)

 private:
  GroupConfig m_cfg;
  int m_val_count = 0;
  std::vector<float> m_losses, m_accs;
  SnapshotExchange m_exchange;
};

Dataset tiny(int count) {
  Dataset d;
  d.name = "tiny";
  d.shape = {1, 8, 8};
  d.count = count;
  d.images.assign(static_cast<size_t>(count) * 64, 0);
  d.labels.assign(static_cast<size_t>(count), 0);
  return d;
}

TrainConfig tiny_config(int epochs, int batch, int nets) {
  TrainConfig cfg;
  cfg.group.spec = NetworkSpec::parse("c3x2:relu-d10", {1, 8, 8});
  cfg.group.batch_size = batch;
  cfg.group.seeds.resize(static_cast<size_t>(nets), 3);
  cfg.epochs = epochs;
  cfg.loss_every = 3;
  return cfg;
}

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

TEST(Trainer, ResumeAtContinuesTheStepAndEpochCount) {
  ScriptedBackend b;
  const Dataset train = tiny(64), val = tiny(10);
  TrainConfig cfg = tiny_config(4, 16, 1);
  cfg.loss_every = 1;
  Trainer t(b, train, val, cfg);
  t.resume_at(2, 100);  // as after loading a checkpoint written at epoch 2, step 100
  EXPECT_EQ(t.epoch(), 2);
  t.step();
  ASSERT_EQ(t.losses().size(), 1u);
  EXPECT_EQ(t.losses()[0].step, 100);
  EXPECT_EQ(b.epochs_begun, (std::vector<int>{2}));
  t.run();
  EXPECT_EQ(t.epochs().size(), 2u);  // epochs 3 and 4 remain
  EXPECT_EQ(t.epochs().back().epoch, 4);
}

// A state read 2 steps into epoch 2 (a checkpoint saved mid-epoch): the epoch goes on from its
// third batch in its own order, and its train loss is the mean of all its steps'.
TEST(Trainer, ResumeAtMidEpochGoesOnWhereTheEpochWas) {
  ScriptedBackend b;
  const Dataset train = tiny(64), val = tiny(10);
  TrainConfig cfg = tiny_config(3, 16, 1);
  cfg.loss_every = 1;
  Trainer t(b, train, val, cfg);
  RunHistory history;
  history.losses = {{0, 1.f, 0.5f},   {1, 1.f, 0.5f},  {2, 1.f, 0.5f}, {3, 1.f, 0.5f},  // epoch 1
                    {4, 0.5f, 0.25f}, {5, 0.3f, 0.75f}};                                // epoch 2
  b.epochs_begun.clear();
  t.resume_at(1, 6, history, 32);
  EXPECT_EQ(b.epochs_begun, (std::vector<int>{1}));  // epoch 2's order
  EXPECT_EQ(t.epoch_position(), 32);
  EXPECT_EQ(t.step_in_epoch(), 2);
  t.step();
  EXPECT_EQ(b.steps.back(), std::make_pair(32, 16));  // its third batch
  EXPECT_EQ(b.epochs_begun.size(), 1u);               // not begun again
  t.step();
  ASSERT_EQ(t.epochs().size(), 1u);
  EXPECT_EQ(t.epochs()[0].epoch, 2);
  // Steps 6 and 7 here are the backend's first two: losses 1 and 1/2, accuracy 0.5.
  EXPECT_FLOAT_EQ(t.epochs()[0].train_loss, (0.5f + 0.3f + 1.f + 0.5f) / 4);
  EXPECT_FLOAT_EQ(t.epochs()[0].train_accuracy, (0.25f + 0.75f + 0.5f + 0.5f) / 4);
  EXPECT_EQ(t.epoch_position(), 0);
  t.step();
  EXPECT_EQ(b.steps.back(), std::make_pair(0, 16));  // epoch 3 from its start
  EXPECT_EQ(b.epochs_begun, (std::vector<int>{1, 2}));

  // A diverging step after a mid-epoch resume goes back to the state resumed from, its place in
  // the epoch included.
  ScriptedBackend c;
  Trainer u(c, train, val, cfg);
  c.nan_at_step = 1;  // the second step after resuming
  u.resume_at(1, 6, history, 32);
  u.step();
  try {
    u.step();
    ADD_FAILURE() << "no DivergenceError";
  } catch (const DivergenceError& e) {
    EXPECT_NE(std::string(e.what()).find("restored to those of step 6, where the run was resumed"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(u.global_step(), 6);
  EXPECT_EQ(u.epoch_position(), 32);
  for (const auto& [key, v] : c.params)
    for (float x : v) ASSERT_EQ(x, 1.f);

  // Positions this training set cannot have.
  for (const auto& [position, step] :
       std::vector<std::pair<int, long long>>{{64, 8}, {10, 8}, {-16, 8}, {48, 2}}) {
    ScriptedBackend d;
    Trainer v(d, train, val, cfg);
    EXPECT_THROW(v.resume_at(1, step, history, position), InputError) << position;
  }
}

TEST(Trainer, EvalEveryAddsPassesAtTheRightStepsAndRecordsTheHistory) {
  ScriptedBackend b;
  const Dataset train = tiny(100), val = tiny(10);
  TrainConfig cfg = tiny_config(2, 16, 1);  // 7 steps per epoch: 7 and 14 end the epochs
  cfg.eval_every = 3;
  Trainer t(b, train, val, cfg);
  LearningHistory history(val.labels);
  t.record_history(&history);
  t.run();
  // Steps 3, 6, 9 and 12 within epochs, 7 and 14 at their ends: one pass each.
  const std::vector<long long> steps = {3, 6, 7, 9, 12, 14};
  const std::vector<int> epochs = {0, 0, 1, 1, 1, 2};
  const std::vector<double> positions = {0.48, 0.96, 1, 1.32, 1.80, 2};  // 16 of 100 per step
  const std::vector<EvaluationRecord>& passes = t.history().evaluations;
  ASSERT_EQ(passes.size(), steps.size());
  ASSERT_EQ(history.passes(), 6);
  EXPECT_EQ(b.evaluations, 6);
  for (size_t p = 0; p < steps.size(); ++p) {
    EXPECT_EQ(passes[p].step, steps[p]) << "pass " << p;
    EXPECT_DOUBLE_EQ(passes[p].epoch, positions[p]) << "pass " << p;
    EXPECT_EQ(passes[p].epoch_end, steps[p] == 7 || steps[p] == 14) << "pass " << p;
    const EvalPoint& point = history.points()[p];
    EXPECT_EQ(point.eval_index, static_cast<int>(p));
    EXPECT_EQ(point.step, steps[p]) << "pass " << p;
    EXPECT_EQ(point.epoch, epochs[p]) << "pass " << p;
    EXPECT_DOUBLE_EQ(point.epoch_position, positions[p]) << "pass " << p;
  }
  EXPECT_EQ(t.epochs().size(), 2u);
  // Image 0 is right after an even number of steps: wrong, right, wrong, wrong, right, right.
  EXPECT_EQ(history.top1(0, 0), 1);
  EXPECT_TRUE(history.correct(0, 1));
  EXPECT_EQ(history.times_forgotten(0), 1);
  EXPECT_EQ(history.first_learned(0), 1);
  EXPECT_EQ(history.stable_since(0), 4);
  EXPECT_EQ(history.times_forgotten(1), 2);  // right, wrong, right, right, wrong, wrong
  EXPECT_EQ(history.stable_since(1), -1);
}

TEST(Trainer, HistoryContinuesAcrossTrainersAndEvaluate) {
  ScriptedBackend b;
  const Dataset train = tiny(32), val = tiny(4);
  LearningHistory history(val.labels);
  {
    Trainer t(b, train, val, tiny_config(1, 16, 1));
    t.record_history(&history);
    t.run();  // one pass, at step 2
  }
  Trainer t(b, train, val, tiny_config(2, 16, 1));
  t.resume_at(1, 2);
  t.record_history(&history);
  t.evaluate();  // at the step of the history's last pass: not another pass
  EXPECT_EQ(history.passes(), 1);
  t.step();
  t.evaluate();  // a pass outside the schedule counts
  t.evaluate();  // once
  t.run();
  ASSERT_EQ(history.passes(), 3);
  EXPECT_EQ(history.points()[1].eval_index, 1);
  EXPECT_EQ(history.points()[1].step, 3);
  EXPECT_DOUBLE_EQ(history.points()[1].epoch_position, 1.5);
  EXPECT_EQ(history.points()[2].eval_index, 2);
  EXPECT_EQ(history.points()[2].step, 4);
  EXPECT_EQ(history.points()[2].epoch, 2);
  // This trainer's run: evaluate() at step 2 (a record, though not a second learning pass), then
  // the passes at steps 3 and 4.
  ASSERT_EQ(t.history().evaluations.size(), 3u);
  EXPECT_EQ(t.history().evaluations[0].step, 2);
  EXPECT_DOUBLE_EQ(t.history().evaluations[1].epoch, 1.5);
  EXPECT_THROW(t.record_history(&history, 1), std::invalid_argument);
}

TEST(Trainer, RunHistoryHasEveryStepAndPassAndGoesOnAfterResume) {
  ScriptedBackend b;
  const Dataset train = tiny(48), val = tiny(4);
  TrainConfig cfg = tiny_config(2, 16, 2);  // 3 steps an epoch, two networks
  cfg.eval_every = 2;
  Trainer t(b, train, val, cfg);
  t.run();
  const RunHistory& h = t.history();
  ASSERT_EQ(h.losses.size(), 6u);
  for (size_t s = 0; s < h.losses.size(); ++s) {
    EXPECT_EQ(h.losses[s].step, static_cast<long long>(s));
    EXPECT_FLOAT_EQ(h.losses[s].loss, 1.f / static_cast<float>(s + 1));
    EXPECT_FLOAT_EQ(h.losses[s].accuracy, 0.5f);
  }
  const std::vector<long long> steps = {2, 3, 4, 6};
  const std::vector<double> epochs = {2.0 / 3, 1, 1 + 1.0 / 3, 2};
  ASSERT_EQ(h.evaluations.size(), steps.size());
  for (size_t p = 0; p < steps.size(); ++p) {
    const EvaluationRecord& e = h.evaluations[p];
    EXPECT_EQ(e.step, steps[p]) << "pass " << p;
    EXPECT_DOUBLE_EQ(e.epoch, epochs[p]) << "pass " << p;
    EXPECT_EQ(e.epoch_end, p % 2 == 1) << "pass " << p;
    EXPECT_FLOAT_EQ(static_cast<float>(e.val_loss), 0.25f);
    EXPECT_FLOAT_EQ(static_cast<float>(e.val_accuracy), 0.9f);
    EXPECT_EQ(e.warning, "");  // accuracy 90%: learning
    if (!e.epoch_end) {
      EXPECT_EQ(e.train_accuracy, -1) << "pass " << p;
    }
  }
  EXPECT_DOUBLE_EQ(h.evaluations[3].train_loss, t.epochs()[1].train_loss);
  EXPECT_DOUBLE_EQ(h.evaluations[3].train_accuracy, 0.5);

  // Losses arrive every loss_every (3) steps; drain_losses() takes the rest at once.
  Trainer partial(b, train, val, tiny_config(1, 16, 1));
  partial.step();
  partial.step();
  EXPECT_TRUE(partial.history().losses.empty());
  partial.drain_losses();
  EXPECT_EQ(partial.history().losses.size(), 2u);

  // A checkpoint loaded into the next trainer: its history goes on.
  Trainer next(b, train, val, tiny_config(3, 16, 2));
  next.resume_at(2, 6, h);
  next.evaluate();  // the same weights as the last pass: that record, not another
  ASSERT_EQ(next.history().evaluations.size(), 4u);
  EXPECT_TRUE(next.history().evaluations.back().epoch_end);
  EXPECT_DOUBLE_EQ(next.history().evaluations.back().train_accuracy, 0.5);
  next.run();
  const RunHistory& more = next.history();
  ASSERT_EQ(more.losses.size(), 9u);
  EXPECT_EQ(more.losses.back().step, 8);
  ASSERT_EQ(more.evaluations.size(), 5u);
  EXPECT_EQ(more.evaluations.back().step, 9);
  EXPECT_DOUBLE_EQ(more.evaluations.back().epoch, 3);
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
