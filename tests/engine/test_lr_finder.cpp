// The learning-rate range test (lr_finder.h): rates growing exponentially from the minimum to the
// maximum, as the backend took them (its first update at the minimum, the next faster); the
// smoothed loss as a debiased moving average; the stop at divergence and the suggestion of a
// tenth of the rate where the smoothed loss was lowest; network 0 of a group only; a caller's
// stop; several epochs; the settings it refuses.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "convscope/cpu_backend.h"
#include "convscope/lr_finder.h"
#include "synthetic_data.h"

namespace cs {
namespace {

// 48 images of 1x6x6 in batches of 16: three steps an epoch.
GroupConfig finder_group(OptimizerKind kind) {
  GroupConfig g;
  g.spec = NetworkSpec::parse("c3x4:relu-d8:relu-d4", {1, 6, 6}, 4);
  g.optimizer = OptimizerConfig::defaults(kind);
  g.seeds = {3, 4, 5};
  g.batch_size = 16;
  return g;
}

TEST(LrFinder, TheRatesGrowFromTheMinimumToTheMaximumAcrossEpochs) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  std::unique_ptr<Backend> backend = make_cpu_backend(2);
  LrFinderSettings s;
  s.min_lr = 1e-4;
  s.max_lr = 1e-2;
  s.steps = 31;  // more than ten epochs of three steps
  s.divergence = 1e9;
  const LrFinderResult r =
      find_learning_rate(*backend, finder_group(OptimizerKind::Sgd), train, val, s);
  EXPECT_EQ(backend->config().nets(), 1) << "network 0 of the group only";
  EXPECT_EQ(backend->config().seeds[0], 3u);
  ASSERT_EQ(r.points.size(), 31u);
  EXPECT_FALSE(r.diverged);
  for (size_t i = 0; i < r.points.size(); ++i)
    EXPECT_NEAR(r.points[i].lr, 1e-4 * std::pow(100.0, i / 30.0), 1e-6 * r.points[i].lr) << i;
  // The debiased moving average of the losses so far.
  double average = 0;
  for (size_t i = 0; i < r.points.size(); ++i) {
    average = 0.98 * average + 0.02 * r.points[i].loss;
    EXPECT_NEAR(r.points[i].smoothed, average / (1 - std::pow(0.98, i + 1)), 1e-9) << i;
  }
}

// The backend takes the growing rate: the test's first update is a step at the minimum rate (so
// its second loss equals a plain run's at that rate), and its second update is larger.
TEST(LrFinder, TheFirstUpdateIsAtTheMinimumRateAndTheNextFaster) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  LrFinderSettings s;
  s.min_lr = 0.01;
  s.max_lr = 1;
  s.steps = 10;
  GroupConfig group = finder_group(OptimizerKind::Sgd);
  std::unique_ptr<Backend> finder = make_cpu_backend(1);
  const LrFinderResult r = find_learning_rate(*finder, group, train, val, s);
  ASSERT_GE(r.points.size(), 3u);
  group.seeds = {3};
  group.optimizer.lr = 0.01f;
  std::unique_ptr<Backend> plain = make_cpu_backend(1);
  plain->configure(group, train, val);
  plain->begin_epoch(0);
  for (int first = 0; first < 48; first += 16) plain->train_step(first, 16);
  const std::vector<float> losses = plain->take_losses();
  EXPECT_EQ(r.points[0].loss, losses[0]);
  EXPECT_EQ(r.points[1].loss, losses[1]);
  EXPECT_NE(r.points[2].loss, losses[2]);
}

// Plain SGD up to a rate of 10 blows the logits up (tanh units, which do not die as ReLUs do):
// the test stops once the smoothed loss passes 4 times its lowest, and suggests a tenth of the
// rate where it was lowest.
TEST(LrFinder, ItStopsWhereTheLossDivergesAndSuggestsATenthOfTheLowest) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  std::unique_ptr<Backend> backend = make_cpu_backend(2);
  LrFinderSettings s;
  s.min_lr = 1e-3;
  s.max_lr = 10;
  s.steps = 200;
  GroupConfig group = finder_group(OptimizerKind::Sgd);
  group.spec = NetworkSpec::parse("c3x4:tanh-d8:tanh-d4", {1, 6, 6}, 4);
  const LrFinderResult r = find_learning_rate(*backend, group, train, val, s);
  EXPECT_TRUE(r.diverged);
  ASSERT_GE(r.points.size(), 10u);
  EXPECT_LT(r.points.size(), 200u);
  size_t lowest = 0;
  for (size_t i = 0; i < r.points.size(); ++i)
    if (r.points[i].smoothed < r.points[lowest].smoothed) lowest = i;
  EXPECT_LT(lowest + 1, r.points.size()) << "the loss rose after its lowest";
  EXPECT_EQ(r.lowest_lr, r.points[lowest].lr);
  EXPECT_DOUBLE_EQ(r.suggested_lr, r.points[lowest].lr / 10);
  EXPECT_GT(r.points.back().smoothed, 4 * r.points[lowest].smoothed) << "the step it stopped at";
  EXPECT_EQ(r.diverged_step, static_cast<int>(r.points.size()));
  EXPECT_EQ(r.diverged_lr, r.points.back().lr);

  // A loss that went from its lowest straight to NaN (the step not recorded): the lowest is the
  // last point, yet the loss did not fall on past the test's maximum.
  LrFinderResult to_nan = r;
  to_nan.points.resize(lowest + 1);
  EXPECT_EQ(to_nan.lowest_lr, to_nan.points.back().lr);
  EXPECT_FALSE(to_nan.still_falling());
  to_nan.diverged = false;  // reached the maximum so: it was
  EXPECT_TRUE(to_nan.still_falling());
}

TEST(LrFinder, TheCallerMayStopItAndBadSettingsAreRefused) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  int heard = 0;
  const LrFinderResult r = find_learning_rate(
      *backend, finder_group(OptimizerKind::Adam), train, val, LrFinderSettings{},
      [&heard](const LrFinderPoint&) { return ++heard < 5; });
  EXPECT_EQ(r.points.size(), 5u);
  EXPECT_EQ(r.suggested_lr, 0) << "too few points to suggest a rate";

  const auto problem = [](double min_lr, double max_lr, int steps, double divergence) {
    return lr_finder_problem({min_lr, max_lr, steps, divergence});
  };
  EXPECT_EQ(problem(1e-6, 1, 100, 4), "");
  EXPECT_EQ(problem(0, 1, 100, 4), "the minimum learning rate must be at least 1e-30");
  // 1e-300 is a double, not a float: its rates were 0, then NaN.
  EXPECT_EQ(problem(1e-300, 1, 100, 4), "the minimum learning rate must be at least 1e-30");
  EXPECT_EQ(problem(1e-30, 10, 100, 4), "");
  EXPECT_EQ(problem(1e-3, 1e-3, 100, 4), "the maximum learning rate must be above the minimum");
  EXPECT_EQ(problem(1e-3, 11, 100, 4), "the maximum learning rate must be at most 10");
  EXPECT_EQ(problem(1e-3, 1, 9, 4), "the steps must be in [10, 10000]");
  EXPECT_EQ(problem(1e-3, 1, 100, 1), "the divergence factor must be above 1");
  // A run refuses lr x weight_decay >= 1; so does the test at its maximum rate.
  EXPECT_EQ(lr_finder_problem({1e-3, 5, 100, 4}, 0.1f), "");
  EXPECT_EQ(lr_finder_problem({1e-3, 10, 100, 4}, 0.1f),
            "the maximum learning rate times the weight decay (0.1) must be below 1, so the "
            "maximum below 10");
  GroupConfig decayed = finder_group(OptimizerKind::Adam);
  decayed.optimizer.weight_decay = 0.5f;
  EXPECT_THROW(find_learning_rate(*backend, decayed, train, val, {1e-3, 2, 20, 4}), InputError);
  EXPECT_THROW(
      find_learning_rate(*backend, finder_group(OptimizerKind::Adam), train, val, {1e-3, 1, 5, 4}),
      InputError);
}

}  // namespace
}  // namespace cs
