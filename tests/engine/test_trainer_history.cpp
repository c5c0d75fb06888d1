// Trainer: resuming (at a step, an epoch's end or inside an epoch), validation passes every N
// steps, and the run's history of losses and passes across trainers, against a scripted backend.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "convscope/trainer.h"
#include "scripted_backend.h"

namespace cs {
namespace {

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
  EXPECT_EQ(t.epoch_seconds(), 0);                   // between epochs
  t.resume_at(1, 6, history, 32, 100.0);             // its first two steps took 100 s
  EXPECT_EQ(b.epochs_begun, (std::vector<int>{1}));  // epoch 2's order
  EXPECT_EQ(t.epoch_position(), 32);
  EXPECT_EQ(t.step_in_epoch(), 2);
  EXPECT_GE(t.epoch_seconds(), 100.0);
  t.step();
  EXPECT_EQ(b.steps.back(), std::make_pair(32, 16));  // its third batch
  EXPECT_EQ(b.epochs_begun.size(), 1u);               // not begun again
  t.step();
  ASSERT_EQ(t.epochs().size(), 1u);
  EXPECT_EQ(t.epochs()[0].epoch, 2);
  // Steps 6 and 7 here are the backend's first two: losses 1 and 1/2, accuracy 0.5.
  EXPECT_FLOAT_EQ(t.epochs()[0].train_loss, (0.5f + 0.3f + 1.f + 0.5f) / 4);
  EXPECT_FLOAT_EQ(t.epochs()[0].train_accuracy, (0.25f + 0.75f + 0.5f + 0.5f) / 4);
  // Its time: the 100 s before the resume and the two steps here.
  EXPECT_GE(t.epochs()[0].seconds, 100.0);
  EXPECT_LT(t.epochs()[0].seconds, 160.0);
  EXPECT_EQ(t.epoch_position(), 0);
  EXPECT_EQ(t.epoch_seconds(), 0);
  t.step();
  EXPECT_EQ(b.steps.back(), std::make_pair(0, 16));  // epoch 3 from its start
  EXPECT_EQ(b.epochs_begun, (std::vector<int>{1, 2}));

  // A diverging step after a mid-epoch resume goes back to the state resumed from, its place in
  // the epoch and its time so far included.
  ScriptedBackend c;
  Trainer u(c, train, val, cfg);
  c.nan_at_step = 1;  // the second step after resuming
  c.step_time = std::chrono::milliseconds(30);
  u.resume_at(1, 6, history, 32, 40.0);
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
  EXPECT_EQ(u.epoch_seconds(), 40.0);  // not the undone steps' time
  for (const auto& [key, v] : c.params)
    for (float x : v) ASSERT_EQ(x, 1.f);

  // Resumed at that step with its epoch started over (other training images): no epoch's end,
  // which the message says rather than "the end of epoch 1".
  ScriptedBackend d;
  Trainer w(d, train, val, cfg);
  d.nan_at_step = 0;
  w.resume_at(1, 6, history, 0, 0, 0, false);
  try {
    w.step();
    ADD_FAILURE() << "no DivergenceError";
  } catch (const DivergenceError& e) {
    EXPECT_NE(std::string(e.what()).find("restored to those of step 6, where the run was resumed"),
              std::string::npos)
        << e.what();
  }

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
  EXPECT_EQ(history.forgetting_counts()[0], 1);
  EXPECT_EQ(history.first_learned_all()[0], 1);
  EXPECT_EQ(history.stable_since_all()[0], 4);
  EXPECT_EQ(history.forgetting_counts()[1], 2);  // right, wrong, right, right, wrong, wrong
  EXPECT_EQ(history.stable_since_all()[1], -1);
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

}  // namespace
}  // namespace cs
