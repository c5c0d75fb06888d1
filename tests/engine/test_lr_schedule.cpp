// Learning-rate schedules: each decay's factor at chosen steps, the text form and its errors,
// the backend taking the scheduled rate, and a resumed run taking the rates of the run without a
// stop.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "convscope/checkpoint.h"
#include "convscope/cpu_backend.h"
#include "convscope/ensemble_run.h"
#include "convscope/lr_schedule.h"
#include "convscope/optimizer.h"
#include "convscope/store.h"
#include "convscope/trainer.h"
#include "run_test_util.h"
#include "store_test_util.h"
#include "synthetic_data.h"

namespace cs {
namespace {

constexpr long long kSteps = 10;  // steps an epoch in the factor tests

struct FactorCase {
  const char* schedule;
  long long step;  // 1-based
  double factor;
};

TEST(LrSchedule, EachDecayGivesItsFactorAtItsSteps) {
  const double pi = std::numbers::pi;
  const FactorCase cases[] = {
      {"constant", 1, 1.0},
      {"constant", 1000, 1.0},
      // x0.5 every 2 epochs: steps 1-20 are epochs 0-1, 21 begins epoch 2.
      {"step:2:0.5", 1, 1.0},
      {"step:2:0.5", 20, 1.0},
      {"step:2:0.5", 21, 0.5},
      {"step:2:0.5", 41, 0.25},
      {"step:0.5:0.5", 6, 0.5},  // half an epoch: every 5 steps
      {"exp:1:0.9", 1, 1.0},
      {"exp:1:0.9", 6, std::pow(0.9, 0.5)},
      {"exp:1:0.9", 11, 0.9},
      {"exp:2:0.9", 11, std::pow(0.9, 0.5)},
      // cosine over 4 epochs (40 steps) to 0, then 0; to 0.1 of the rate.
      {"cosine:4", 1, 1.0},
      {"cosine:4", 11, 0.5 * (1 + std::cos(pi / 4))},
      {"cosine:4", 21, 0.5},
      {"cosine:4", 41, 0.0},
      {"cosine:4", 400, 0.0},
      {"cosine:4:0.1", 21, 0.55},
      {"cosine:4:0.1", 41, 0.1},
      // a warm-up of half an epoch (5 steps) from 1/5 up; then the decay's own factor.
      {"warmup:0.5", 1, 0.2},
      {"warmup:0.5", 4, 0.8},
      {"warmup:0.5", 5, 1.0},
      {"warmup:0.5", 100, 1.0},
      {"warmup:0.5+step:1:0.5", 3, 0.6},
      {"warmup:0.5+step:1:0.5", 11, 0.5},
      {"warmup:0.01", 1, 1.0},  // less than a step: at least one step, so none
  };
  // Periods that are not whole steps do not drift: a fifth of an epoch of 938 steps (187.6) ends
  // its 5th period on step 939 (938 trained), its 50th on step 9381, as 0.2 epochs say.
  const LrSchedule fifth = LrSchedule::parse("step:0.2:0.5");
  EXPECT_EQ(fifth.factor(938, 938), std::pow(0.5, 4));
  EXPECT_EQ(fifth.factor(939, 938), std::pow(0.5, 5));
  EXPECT_EQ(fifth.factor(9380, 938), std::pow(0.5, 49));
  EXPECT_EQ(fifth.factor(9381, 938), std::pow(0.5, 50));
  // Nor end a step early far on: every epoch of 60,000 steps (batches of 1), the 17th ends with
  // step 1,020,000 (a margin of a millionth of the periods once took it for the 17th's end).
  const LrSchedule everyEpoch = LrSchedule::parse("step:1:0.5");
  EXPECT_EQ(everyEpoch.factor(1'020'000, 60'000), std::pow(0.5, 16));
  EXPECT_EQ(everyEpoch.factor(1'020'001, 60'000), std::pow(0.5, 17));
  const LrSchedule tenths = LrSchedule::parse("step:0.1:0.5");  // 0.1f: not a short binary
  EXPECT_EQ(tenths.factor(5'994'000, 60'000), std::pow(0.5, 998));
  EXPECT_EQ(tenths.factor(5'994'001, 60'000), std::pow(0.5, 999));
  // The rates are floats (0.9f is 0.9 to within 3e-8).
  for (const FactorCase& c : cases)
    EXPECT_NEAR(LrSchedule::parse(c.schedule).factor(c.step, kSteps), c.factor, 1e-7)
        << c.schedule << " at step " << c.step;
}

TEST(LrSchedule, TextReadsBackAsTheSameSchedule) {
  const std::pair<const char*, const char*> cases[] = {
      {"constant", "constant"},
      {"none", "constant"},
      {"step:2:0.5", "step:2:0.5"},
      {"exponential:1:0.9", "exp:1:0.9"},
      {"cosine:10:0", "cosine:10"},
      {"cosine:10:0.01", "cosine:10:0.01"},
      {"warmup:1", "warmup:1"},
      {"cosine:10 + warmup:0.5", "warmup:0.5+cosine:10"},
      // Written in exponent form: its '+' does not join two parts.
      {"warmup:100000", "warmup:1e+05"},
      {"step:100000:0.0001", "step:1e+05:1e-04"},
      {"warmup:1e+05 + cosine:1E+5:2.5e-05", "warmup:1e+05+cosine:1e+05:2.5e-05"},
  };
  for (const auto& [text, canonical] : cases) {
    const LrSchedule s = LrSchedule::parse(text);
    EXPECT_EQ(s.to_string(), canonical) << text;
    EXPECT_EQ(LrSchedule::parse(s.to_string()), s) << text;
  }
  // Fields a decay does not use do not make two schedules differ.
  LrSchedule unused;
  unused.epochs = 7;
  unused.rate = 0.3f;
  EXPECT_EQ(unused, LrSchedule());
  EXPECT_TRUE(unused.constant());
  EXPECT_NE(LrSchedule::parse("cosine:10"), LrSchedule::parse("cosine:10:0.1"));
}

TEST(LrSchedule, AMalformedOrImpossibleScheduleIsRefusedSayingWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "unknown part ''"},
      {"linear:3", "unknown part 'linear:3'"},
      {"warmup:1+constant",
       "unknown part 'constant' (known: step:E:R, exp:E:R, cosine:E[:R], "
       "warmup:W, or constant alone)"},
      {"cosine", "write cosine:EPOCHS[:FINAL]"},
      {"step:1", "write step:EPOCHS:RATE"},
      {"warmup", "write warmup:EPOCHS"},
      {"cosine:ten", "'ten' is not a number"},
      {"cosine:0", "cosine's epochs must be more than 0"},
      {"step:1:0", "step's rate must be in (0, 1], got 0"},
      {"exp:2:1.5", "exp's rate must be in (0, 1], got 1.5"},
      {"cosine:5:2", "cosine's final fraction must be in [0, 1], got 2"},
      {"warmup:-1", "the warm-up must be 0 to 100000 epochs, got -1"},
      {"cosine:10+step:1:0.5", "more than one decay"},
      {"warmup:1+warmup:2", "more than one warm-up"},
  };
  for (const auto& [text, why] : cases) {
    try {
      LrSchedule::parse(text);
      ADD_FAILURE() << "'" << text << "' was accepted";
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(std::string("learning-rate schedule '") + text + "'"), std::string::npos)
          << what;
      EXPECT_NE(what.find(why), std::string::npos) << what;
    }
  }
}

TEST(LrSchedule, TheOptimizerNamesAndChecksItsSchedule) {
  OptimizerConfig o = OptimizerConfig::defaults(OptimizerKind::Sgd);
  EXPECT_EQ(o.to_string(), "sgd lr=0.01");
  o.schedule = LrSchedule::parse("warmup:1+cosine:10");
  EXPECT_EQ(o.to_string(), "sgd lr=0.01 schedule=warmup:1+cosine:10");
  o.schedule.rate = 3;
  std::string field;
  EXPECT_EQ(o.problem(&field), "cosine's final fraction must be in [0, 1], got 3");
  EXPECT_EQ(field, "lr_schedule");
}

// 48 images in batches of 16: three steps an epoch.
TrainConfig sgd_config(const std::string& schedule, float lr) {
  TrainConfig cfg;
  cfg.group.spec = NetworkSpec::parse("c3x4:relu-d8:relu-d4", {1, 6, 6}, 4);
  cfg.group.optimizer = OptimizerConfig::defaults(OptimizerKind::Sgd);
  cfg.group.optimizer.lr = lr;
  cfg.group.optimizer.schedule = LrSchedule::parse(schedule);
  cfg.group.seeds = {3, 4};
  cfg.group.batch_size = 16;
  cfg.epochs = 2;
  cfg.loss_every = 1;
  return cfg;
}

std::vector<std::vector<float>> weights(Backend& backend, const NetworkSpec& spec, int nets) {
  std::vector<std::vector<float>> out;
  for (int n = 0; n < nets; ++n)
    for (const NamedTensor& t : network_weights(backend, spec, n)) out.push_back(t.data);
  return out;
}

// One step of epoch 1 (the fourth) under step:1:0.5 changes the weights exactly as a constant
// rate of half as much does, for every network of the group; under the constant rate itself,
// it does not.
TEST(LrSchedule, TheBackendStepsWithTheScheduledRate) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  const auto one_step = [&](const std::string& schedule, float lr) {
    const TrainConfig cfg = sgd_config(schedule, lr);
    std::unique_ptr<Backend> backend = make_cpu_backend(2);
    backend->configure(cfg.group, train, val);
    backend->set_step_count(3);
    backend->begin_epoch(1);
    backend->train_step(0, 16);
    return weights(*backend, cfg.group.spec, cfg.group.nets());
  };
  const auto scheduled = one_step("step:1:0.5", 0.08f);
  EXPECT_EQ(scheduled, one_step("constant", 0.04f));
  EXPECT_NE(scheduled, one_step("constant", 0.08f));
}

// Trained 2 epochs straight, or 1, saved, loaded and 1 more: the same weights bit for bit, as
// the schedule depends on the step count alone; the trainer reports each step's rate, and its
// history keeps it, through the checkpoint too.
TEST(LrSchedule, AResumedRunTakesTheRatesOfTheRunWithoutAStop) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  TrainConfig cfg = sgd_config("warmup:0.5+cosine:2:0.1", 0.05f);
  cfg.group.seeds = {3};
  std::unique_ptr<Backend> straight = make_cpu_backend(1);
  Trainer reference(*straight, train, val, cfg);
  std::vector<double> rates;
  while (!reference.finished()) {
    rates.push_back(reference.learning_rate());
    reference.step();
  }
  ASSERT_EQ(rates.size(), 6u);  // warm-up over 2 steps; the cosine over 6 to 0.1
  const double lr = static_cast<double>(0.05f);
  for (int t = 1; t <= 6; ++t)
    EXPECT_NEAR(rates[t - 1],
                lr * std::min(1.0, t / 2.0) *
                    (0.1 + 0.9 * 0.5 * (1 + std::cos(std::numbers::pi * (t - 1) / 6.0))),
                1e-8)
        << "step " << t;
  const std::vector<LossPoint>& recorded = reference.history().losses;
  ASSERT_EQ(recorded.size(), 6u);
  for (size_t s = 0; s < recorded.size(); ++s)
    EXPECT_EQ(recorded[s].lr, static_cast<float>(rates[s])) << "step " << s;

  store_test::TempDir dir;
  const std::string path = dir.file("epoch1.safetensors");
  test::save_run_after(path, cfg, 1, train, val);
  const CheckpointMeta meta = read_checkpoint_meta(path);
  EXPECT_EQ(meta.optimizer.schedule.to_string(), "warmup:0.5+cosine:2:0.1");
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  Trainer trainer(*backend, train, val, cfg);
  resume_from_checkpoint(trainer, load_checkpoint(path, *backend, 0));
  EXPECT_DOUBLE_EQ(trainer.learning_rate(), rates[3]);
  trainer.run();
  EXPECT_EQ(weights(*backend, cfg.group.spec, 1), weights(*straight, cfg.group.spec, 1));
  ASSERT_EQ(trainer.history().losses.size(), 6u);
  for (size_t s = 0; s < recorded.size(); ++s)
    EXPECT_EQ(trainer.history().losses[s].lr, recorded[s].lr) << "step " << s;
}

// A stored run keeps its schedule; a store of version 8, before schedules, reads its runs as
// constant, read-only as it is, and gains the column when opened for writing.
TEST(LrSchedule, TheStoreKeepsARunsScheduleAndReadsOlderRunsAsConstant) {
  using namespace store_test;
  TempDir dir;
  const std::string path = dir.file("s.db");
  EXPECT_EQ(older_store_run(path, kToVersion8, 8).setup.group.optimizer.schedule, LrSchedule());
  Store store(path);
  EXPECT_EQ(count_rows(path, "PRAGMA user_version"), kCurrentVersion);
  EXPECT_TRUE(store.load_run_info(1).setup.group.optimizer.schedule.constant());
  RunSetup setup = make_setup(2, 10, 1);
  setup.group.optimizer.schedule = LrSchedule::parse("warmup:0.5+cosine:3:0.1");
  const int64_t id = store.begin_run(setup);
  EXPECT_EQ(store.load_run_info(id).setup.group, setup.group);
  EXPECT_NE(store.list_runs().front().optimizer.find(" schedule=warmup:0.5+cosine:3:0.1"),
            std::string::npos);
  raw_sql(path, "UPDATE runs SET lr_schedule = 'cosine:-1' WHERE id = 1");
  try {
    store.load_run_info(1);
    ADD_FAILURE() << "a damaged schedule was read";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("run 1 is damaged: learning-rate schedule 'cosine:-1'"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cs
