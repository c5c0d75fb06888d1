// Sweep definitions (grid and JSON parsing, expansion, keys, training set-ups), the division of a
// sweep into units over ranks, and the binary reports the ranks send to rank 0.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "convscope/sweep.h"
#include "convscope/sweep_run.h"

namespace cs {
namespace {

std::vector<std::string> keys(const std::vector<SweepConfig>& configs) {
  std::vector<std::string> out;
  for (const SweepConfig& c : configs) out.push_back(c.key());
  return out;
}

// Expects `f` to throw SweepError whose message contains `text`.
template <class F>
void expect_sweep_error(F f, const std::string& text) {
  try {
    f();
    ADD_FAILURE() << "no SweepError; expected one with '" << text << "'";
  } catch (const SweepError& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST(SweepGrid, EveryCombinationLastAxisFastestWithSortedKeys) {
  const auto configs = parse_sweep_grid(
      " optimizer = adam , rmsprop ; lr=0.0005,0.001,0.002; arch=d16:relu-d10,c3x4-m2-d10 ");
  ASSERT_EQ(configs.size(), 12u);
  EXPECT_EQ(configs[0].key(), "arch=d16:relu-d10;lr=0.0005;optimizer=adam");
  EXPECT_EQ(configs[1].key(), "arch=c3x4-m2-d10;lr=0.0005;optimizer=adam");
  EXPECT_EQ(configs[2].key(), "arch=d16:relu-d10;lr=0.001;optimizer=adam");
  EXPECT_EQ(configs[11].key(), "arch=c3x4-m2-d10;lr=0.002;optimizer=rmsprop");
  const auto all = keys(configs);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 12u);
  // The axes in another order: the same configurations, with the same keys.
  const auto reordered = parse_sweep_grid(
      "arch=d16:relu-d10,c3x4-m2-d10; lr=0.0005,0.001,0.002;optimizer=adam,rmsprop");
  const auto a = keys(configs), b = keys(reordered);
  EXPECT_EQ(std::set<std::string>(a.begin(), a.end()), std::set<std::string>(b.begin(), b.end()));
  EXPECT_EQ(parse_sweep_grid("batch-size=32")[0].key(), "batch_size=32");
}

TEST(SweepGrid, MalformedGridsAreRefusedInWords) {
  expect_sweep_error([] { parse_sweep_grid("lr=0.1; learning=0.2"); },
                     "unknown sweep parameter 'learning'");
  expect_sweep_error([] { parse_sweep_grid("lr=0.1,,0.2"); }, "'lr' has an empty value");
  expect_sweep_error([] { parse_sweep_grid("lr=0.1; lr=0.2"); }, "'lr' is given twice");
  expect_sweep_error([] { parse_sweep_grid("lr=0.1,0.1"); }, "appears twice");
  expect_sweep_error([] { parse_sweep_grid("lr"); }, "not name=value");
  expect_sweep_error([] { parse_sweep_grid(" ; "); }, "the grid is empty");
}

TEST(SweepJson, GridAndListForms) {
  const auto grid = parse_sweep_json(
      R"({"grid": {"lr": [0.001, "0.002"], "optimizer": ["adam", "sgd"]}})", "s.json");
  EXPECT_EQ(keys(grid),
            (std::vector<std::string>{"lr=0.001;optimizer=adam", "lr=0.001;optimizer=sgd",
                                      "lr=0.002;optimizer=adam", "lr=0.002;optimizer=sgd"}));
  const auto list = parse_sweep_json(
      R"({"configs": [{"optimizer": "sgd", "arch": "d10"}, {"batch_size": 16}]})", "s.json");
  EXPECT_EQ(keys(list), (std::vector<std::string>{"arch=d10;optimizer=sgd", "batch_size=16"}));
  expect_sweep_error([] { parse_sweep_json("{", "s.json"); }, "s.json: not valid JSON");
  expect_sweep_error([] { parse_sweep_json(R"({"grid": {}, "configs": []})", "s.json"); },
                     "either \"grid\" or \"configs\"");
  expect_sweep_error([] { parse_sweep_json(R"({"grid": {"lr": 0.1}})", "s.json"); },
                     "must be a list");
  expect_sweep_error([] { parse_sweep_json(R"({"configs": [{"lr": [1]}]})", "s.json"); },
                     "strings or numbers");
  expect_sweep_error([] { parse_sweep_json(R"({"configs": [{"lr": 1}, {"lr": 1}]})", "x"); },
                     "appears twice");
  expect_sweep_error([] { parse_sweep_file("/nonexistent/sweep.json"); }, "no such file");
  // Only a regular file of JSON text is read: not a folder, nor a device that never ends.
  expect_sweep_error([] { parse_sweep_file("/tmp"); }, "/tmp: not a regular file");
  expect_sweep_error([] { parse_sweep_file("/dev/zero"); }, "/dev/zero: not a regular file");
  const std::string big = testing::TempDir() + "convscope-big-sweep.json";
  std::ofstream(big) << "{";
  std::filesystem::resize_file(big, kMaxSweepFileBytes + 1);  // sparse: 16 MB and a byte
  expect_sweep_error([&] { parse_sweep_file(big); }, "larger than 16 MB");
  std::filesystem::remove(big);
}

TEST(SweepPlan, DefinitionIsCanonicalAndRoundTrips) {
  SweepPlan p;
  p.configs = parse_sweep_grid("lr=0.1,0.2; optimizer=sgd");
  p.settings = {.nets = 7,
                .epochs = 3,
                .batch_size = 32,
                .seed = 1ull << 63,
                .data = "mnist",
                .limit_train = 500};
  const SweepPlan q = SweepPlan::from_definition(p.definition());
  EXPECT_EQ(q.definition(), p.definition());
  EXPECT_EQ(keys(q.configs), keys(p.configs));
  EXPECT_EQ(q.settings.seed, 1ull << 63);
  EXPECT_EQ(q.settings.nets, 7);
  SweepPlan r = p;
  r.settings.nets = 8;
  EXPECT_NE(r.definition(), p.definition());
  expect_sweep_error([] { SweepPlan::from_definition("{\"nets\": 1}"); }, "damaged sweep");
}

TEST(SweepPlan, TrainConfigAppliesTheParametersAndTheGlobalSeeds) {
  Dataset train;
  train.shape = {1, 8, 8};
  train.classes = 4;
  SweepSettings s{.nets = 10, .epochs = 2, .batch_size = 64, .seed = 100, .data = "x"};
  const SweepConfig c = parse_sweep_grid(
      "optimizer=rmsprop; lr=0.25; arch=d8:relu-d4; "
      "batch_size=16; momentum=0.5; lr_schedule=warmup:1+step:2:0.5")[0];
  const TrainConfig cfg = sweep_train_config(c, s, train, 4, 3);
  EXPECT_EQ(cfg.group.spec.to_string(), NetworkSpec::parse("d8:relu-d4", {1, 8, 8}, 4).to_string());
  EXPECT_EQ(cfg.group.optimizer.kind, OptimizerKind::RmsProp);
  EXPECT_FLOAT_EQ(cfg.group.optimizer.lr, 0.25f);
  EXPECT_FLOAT_EQ(cfg.group.optimizer.momentum, 0.5f);
  EXPECT_FLOAT_EQ(cfg.group.optimizer.rho, OptimizerConfig::defaults(OptimizerKind::RmsProp).rho);
  EXPECT_EQ(cfg.group.optimizer.schedule.to_string(), "warmup:1+step:2:0.5");
  EXPECT_EQ(cfg.group.batch_size, 16);
  EXPECT_EQ(cfg.epochs, 2);
  EXPECT_EQ(cfg.group.shuffle_seed, 100u);
  EXPECT_EQ(cfg.group.seeds, (std::vector<uint64_t>{104, 105, 106}));  // networks 4, 5, 6
  const SweepConfig plain = parse_sweep_grid("lr=0.01")[0];
  EXPECT_EQ(sweep_train_config(plain, s, train, 0, 1).group.optimizer.kind, OptimizerKind::Adam);
  expect_sweep_error([&] { sweep_train_config(parse_sweep_grid("lr=fast")[0], s, train, 0, 1); },
                     "lr 'fast' is not a number");
  expect_sweep_error(
      [&] { sweep_train_config(parse_sweep_grid("optimizer=lbfgs")[0], s, train, 0, 1); },
      "configuration 'optimizer=lbfgs'");
  expect_sweep_error([&] { sweep_train_config(parse_sweep_grid("beta1=2")[0], s, train, 0, 1); },
                     "beta1");
  expect_sweep_error(
      [&] { sweep_train_config(parse_sweep_grid("lr_schedule=cosine")[0], s, train, 0, 1); },
      "configuration 'lr_schedule=cosine': learning-rate schedule 'cosine': 'cosine': write "
      "cosine:EPOCHS[:FINAL]");
  expect_sweep_error(
      [&] { sweep_train_config(parse_sweep_grid("batch_size=2.5")[0], s, train, 0, 1); },
      "whole number");
  EXPECT_THROW(sweep_train_config(parse_sweep_grid("arch=c9x4-d4")[0], s, train, 0, 1), SpecError);
}

// Before the data is loaded (the app's New sweep dialog), every value but the architecture:
// the first configuration that does not fit is named as given, its architecture too.
TEST(SweepPlan, ValuesAreCheckedWithoutTheData) {
  SweepPlan p;
  p.configs = parse_sweep_grid("arch=c9x4-d4,nonsense; lr=0.1");
  check_sweep_values(p);  // the architectures are the data's to check
  p.configs = parse_sweep_grid("arch=c5x8-d10; lr=0.1,-1");
  expect_sweep_error([&] { check_sweep_values(p); }, "configuration 'arch=c5x8-d10;lr=-1'");
  p.configs = parse_sweep_grid("arch=nonsense; batch_size=0");
  expect_sweep_error([&] { check_sweep_values(p); }, "batch_size");
}

// A new plan's hyperparameter that no configuration's optimizer uses would be ignored: refused.
// One that some configurations use is the grid's to give; a stored sweep resumes as it was
// (sweep_train_config() does not refuse it).
TEST(SweepPlan, AHyperparameterNoConfigurationUsesIsRefused) {
  const auto plan = [](const std::string& grid) {
    SweepPlan p;
    p.configs = parse_sweep_grid(grid);
    return p;
  };
  expect_sweep_error([&] { check_parameters_used(plan("momentum=0.5,0.9")); },
                     "momentum: no configuration's optimizer uses it (adam does not use momentum "
                     "(its hyperparameters: lr, beta1, beta2, epsilon))");
  expect_sweep_error([&] { check_parameters_used(plan("optimizer=sgd,adadelta; beta1=0.5")); },
                     "beta1: no configuration's optimizer uses it (sgd does not use beta1");
  check_parameters_used(plan("optimizer=adam,momentum; momentum=0.5,0.9; lr=0.1; weight_decay=0"));
  check_parameters_used(plan("optimizer=rmsprop; rho=0.8; momentum=0.5; epsilon=1e-6"));
  expect_sweep_error([&] { check_parameters_used(plan("initial_accumulator=0.2")); },
                     "initial_accumulator: no configuration's optimizer uses it");
  check_parameters_used(plan("optimizer=adagrad; initial_accumulator=0.2; arch=c5x8-d10"));
  Dataset train;
  SweepSettings s;
  EXPECT_FLOAT_EQ(
      sweep_train_config(plan("momentum=0.5").configs[0], s, train, 0, 1).group.optimizer.momentum,
      0.5f);
}

TEST(SweepUnits, ConfigurationsRoundRobinThenNetworkSlices) {
  // At least as many configurations as ranks: whole configurations, round-robin.
  EXPECT_EQ(assign_sweep_units({0, 2, 3, 5}, 10, 3),
            (std::vector<SweepUnit>{{0, 0, 10, 0}, {2, 0, 10, 1}, {3, 0, 10, 2}, {5, 0, 10, 0}}));
  // One configuration over three ranks: 10 networks as 4 + 3 + 3.
  EXPECT_EQ(assign_sweep_units({7}, 10, 3),
            (std::vector<SweepUnit>{{7, 0, 4, 0}, {7, 4, 3, 1}, {7, 7, 3, 2}}));
  // Two configurations over five ranks: ranks 0, 2, 4 share the first, ranks 1, 3 the second.
  EXPECT_EQ(assign_sweep_units({1, 4}, 5, 5),
            (std::vector<SweepUnit>{
                {1, 0, 2, 0}, {1, 2, 2, 2}, {1, 4, 1, 4}, {4, 0, 3, 1}, {4, 3, 2, 3}}));
  // More ranks than networks: no rank gets an empty slice.
  EXPECT_EQ(assign_sweep_units({0}, 2, 3), (std::vector<SweepUnit>{{0, 0, 1, 0}, {0, 1, 1, 1}}));
  EXPECT_TRUE(assign_sweep_units({}, 4, 3).empty());
  EXPECT_THROW(assign_sweep_units({0}, 4, 0), std::invalid_argument);
}

SweepReport sample_report() {
  SweepReport r;
  r.unit = {3, 2, 2, 1};
  r.epoch = 4;
  r.train_loss = 0.125;
  r.train_accuracy = 0.75;
  r.seconds = 1.5;
  r.eval.nets = 2;
  r.eval.count = 3;
  r.eval.loss = {0.5f, 0.25f};
  r.eval.accuracy = {0.9f, 0.8f};
  for (int i = 0; i < 18; ++i) {
    r.eval.top_labels.push_back(static_cast<uint8_t>(i % 10));
    r.eval.top_probs.push_back(0.05f * i);
  }
  r.eval.true_probs = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
  r.weights = {1.f, -2.f, 3.5f};
  return r;
}

TEST(SweepReport, RoundTripsExactly) {
  const SweepReport r = sample_report();
  const SweepReport back = decode_sweep_report(encode_sweep_report(r));
  EXPECT_EQ(back.kind, r.kind);
  EXPECT_EQ(back.unit, r.unit);
  EXPECT_EQ(back.epoch, 4);
  EXPECT_EQ(back.train_loss, r.train_loss);
  EXPECT_EQ(back.train_accuracy, r.train_accuracy);
  EXPECT_EQ(back.seconds, r.seconds);
  EXPECT_EQ(back.eval.loss, r.eval.loss);
  EXPECT_EQ(back.eval.accuracy, r.eval.accuracy);
  EXPECT_EQ(back.eval.top_labels, r.eval.top_labels);
  EXPECT_EQ(back.eval.top_probs, r.eval.top_probs);
  EXPECT_EQ(back.eval.true_probs, r.eval.true_probs);
  EXPECT_EQ(back.weights, r.weights);
  SweepReport failed;
  failed.kind = SweepReport::Kind::Failed;
  failed.unit = {1, 0, 5, 2};
  failed.error = "loss diverged";
  EXPECT_EQ(decode_sweep_report(encode_sweep_report(failed)).error, "loss diverged");
  SweepReport place;  // where a unit stands inside an epoch
  place.kind = SweepReport::Kind::Place;
  place.unit = {2, 0, 4, 1};
  place.epoch = 1;
  place.position = 96;
  place.step = 7;
  place.seconds = 2.25;
  place.losses = {{5, 0.5f, 0.25f, 0.001f}, {6, 0.375f, -1.f, 0.0005f}};
  place.weights = {1.f, 2.f};
  place.slots = {0.5f};
  const SweepReport back_place = decode_sweep_report(encode_sweep_report(place));
  EXPECT_EQ(back_place.kind, SweepReport::Kind::Place);
  EXPECT_EQ(back_place.position, 96);
  EXPECT_EQ(back_place.step, 7);
  EXPECT_EQ(back_place.seconds, 2.25);
  ASSERT_EQ(back_place.losses.size(), 2u);
  EXPECT_EQ(back_place.losses[1].step, 6);
  EXPECT_EQ(back_place.losses[1].loss, 0.375f);
  EXPECT_EQ(back_place.losses[1].accuracy, -1.f);
  EXPECT_EQ(back_place.losses[0].lr, 0.001f);  // the steps' rates go with them
  EXPECT_EQ(back_place.losses[1].lr, 0.0005f);
  EXPECT_EQ(back_place.slots, place.slots);
  place.position = 0;  // a place is inside an epoch
  expect_sweep_error([&] { decode_sweep_report(encode_sweep_report(place)); }, "impossible place");
}

TEST(SweepReport, DamagedReportsAreRefused) {
  const std::string good = encode_sweep_report(sample_report());
  expect_sweep_error([&] { decode_sweep_report(good.substr(0, good.size() - 1)); }, "ends early");
  expect_sweep_error([&] { decode_sweep_report(good + "x"); }, "after the end");
  std::string magic = good;
  magic[0] = 'X';
  expect_sweep_error([&] { decode_sweep_report(magic); }, "not a sweep report");
  std::string version = good;
  version[4] = 9;
  expect_sweep_error([&] { decode_sweep_report(version); }, "version 9");
  SweepReport mismatched = sample_report();
  mismatched.eval.true_probs.pop_back();
  expect_sweep_error([&] { decode_sweep_report(encode_sweep_report(mismatched)); },
                     "does not match");
  expect_sweep_error([] { decode_sweep_report(""); }, "ends early");
}

}  // namespace
}  // namespace cs
