// Sweep statistics: the distribution summary against hand-computed quartiles, and the bootstrap
// interval of a difference of means on cases whose answer is known.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "convscope/sweep_stats.h"

namespace cs {
namespace {

// `n` accuracies around `mean` with standard deviation `sd` (seeded).
std::vector<float> accuracies(int n, double mean, double sd, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(mean, sd);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = static_cast<float>(noise(rng));
  return v;
}

TEST(SweepStats, DistributionOfFourValues) {
  const std::vector<float> v{4, 1, 3, 2};  // order does not matter
  const Distribution d = describe_distribution(v);
  EXPECT_EQ(d.n, 4);
  EXPECT_DOUBLE_EQ(d.mean, 2.5);
  EXPECT_NEAR(d.std, 1.2909944487, 1e-9);  // sqrt(5/3)
  EXPECT_DOUBLE_EQ(d.min, 1);
  EXPECT_DOUBLE_EQ(d.q1, 1.75);  // position 0.75 between 1 and 2
  EXPECT_DOUBLE_EQ(d.median, 2.5);
  EXPECT_DOUBLE_EQ(d.q3, 3.25);
  EXPECT_DOUBLE_EQ(d.max, 4);
  // Doubles (an ensemble's calibration errors) alike.
  const std::vector<double> twice{8, 2, 6, 4};
  const Distribution e = describe_distribution(twice);
  EXPECT_EQ(e.n, 4);
  EXPECT_DOUBLE_EQ(e.mean, 2 * d.mean);
  EXPECT_DOUBLE_EQ(e.std, 2 * d.std);
  EXPECT_DOUBLE_EQ(e.q1, 2 * d.q1);
  EXPECT_DOUBLE_EQ(e.max, 8);
}

TEST(SweepStats, DistributionOfOneValueAndOfNone) {
  const std::vector<float> one{0.75f};
  const Distribution d = describe_distribution(one);
  EXPECT_EQ(d.n, 1);
  EXPECT_DOUBLE_EQ(d.std, 0);
  EXPECT_DOUBLE_EQ(d.q1, 0.75);
  EXPECT_DOUBLE_EQ(d.q3, 0.75);
  EXPECT_EQ(describe_distribution(std::span<const float>()).n, 0);
  EXPECT_EQ(describe_distribution(std::span<const double>()).n, 0);
  // NaNs are left out (a class without images has no accuracy).
  const float nan = std::nanf("");
  const std::vector<float> gaps{nan, 0.5f, nan, 0.75f};
  const Distribution g = describe_distribution(gaps);
  EXPECT_EQ(g.n, 2);
  EXPECT_DOUBLE_EQ(g.min, 0.5);
  EXPECT_DOUBLE_EQ(g.median, 0.625);
  EXPECT_DOUBLE_EQ(g.max, 0.75);
  EXPECT_EQ(describe_distribution(std::vector<float>{nan}).n, 0);
}

TEST(SweepStats, QuantileInterpolates) {
  const std::vector<double> v{10, 20, 30};
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0), 10);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.25), 15);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 1), 30);
  EXPECT_THROW(quantile_sorted({}, 0.5), std::invalid_argument);
}

TEST(SweepStats, ConstantSamplesGiveAPointInterval) {
  const std::vector<float> a(7, 0.5f), b(5, 0.25f);
  const MeanDifference r = bootstrap_mean_difference(a, b);
  EXPECT_DOUBLE_EQ(r.difference, 0.25);
  EXPECT_DOUBLE_EQ(r.low, 0.25);
  EXPECT_DOUBLE_EQ(r.high, 0.25);
  EXPECT_TRUE(r.excludes_zero());
  EXPECT_EQ(r.resamples, 10000);
}

TEST(SweepStats, TwoPointSampleHandComputed) {
  // A resample of {0, 1} has mean 0 (p 1/4), 0.5 (p 1/2) or 1 (p 1/4): the 2.5% quantile of
  // 10,000 resampled means is 0 and the 97.5% quantile is 1.
  const std::vector<float> a{0, 1}, b{0};
  const MeanDifference r = bootstrap_mean_difference(a, b);
  EXPECT_DOUBLE_EQ(r.difference, 0.5);
  EXPECT_DOUBLE_EQ(r.low, 0);
  EXPECT_DOUBLE_EQ(r.high, 1);
  EXPECT_FALSE(r.excludes_zero());  // low == 0 is not beyond zero
}

TEST(SweepStats, IdenticalDistributionsContainZero) {
  const std::vector<float> a = accuracies(30, 0.985, 0.002, 1);
  const MeanDifference same = bootstrap_mean_difference(a, a);
  EXPECT_DOUBLE_EQ(same.difference, 0);
  EXPECT_LT(same.low, 0);
  EXPECT_GT(same.high, 0);
  // Two draws from one distribution (different seeds) are within seed noise too.
  const MeanDifference r = bootstrap_mean_difference(a, accuracies(30, 0.985, 0.002, 2));
  EXPECT_LE(r.low, 0);
  EXPECT_GE(r.high, 0);
  EXPECT_FALSE(r.excludes_zero());
}

TEST(SweepStats, SeparatedDistributionsExcludeZero) {
  const std::vector<float> a = accuracies(20, 0.990, 0.002, 3), b = accuracies(20, 0.980, 0.002, 4);
  const MeanDifference ab = bootstrap_mean_difference(a, b);
  EXPECT_GT(ab.low, 0);
  EXPECT_LT(ab.low, ab.difference);
  EXPECT_GT(ab.high, ab.difference);
  EXPECT_NEAR(ab.difference, 0.01, 0.003);
  const MeanDifference ba = bootstrap_mean_difference(b, a);
  EXPECT_LT(ba.high, 0);
  EXPECT_TRUE(ba.excludes_zero());
}

TEST(SweepStats, IntervalShrinksWithMoreNetworks) {
  double previous = 1e9;
  for (int n : {5, 20, 80, 320}) {
    const MeanDifference r = bootstrap_mean_difference(accuracies(n, 0.985, 0.002, 10 + n),
                                                       accuracies(n, 0.984, 0.002, 20 + n));
    const double width = r.high - r.low;
    EXPECT_LT(width, previous) << "n = " << n;
    previous = width;
  }
  EXPECT_LT(previous, 0.001);  // 320 per side: about 4 x 0.002 / sqrt(160)
}

TEST(SweepStats, SeededAndReproducible) {
  const std::vector<float> a = accuracies(10, 0.98, 0.003, 5), b = accuracies(12, 0.98, 0.003, 6);
  const MeanDifference r1 = bootstrap_mean_difference(a, b, 2000, 42);
  const MeanDifference r2 = bootstrap_mean_difference(a, b, 2000, 42);
  const MeanDifference r3 = bootstrap_mean_difference(a, b, 2000, 43);
  EXPECT_EQ(r1.low, r2.low);
  EXPECT_EQ(r1.high, r2.high);
  EXPECT_NE(r1.low, r3.low);
  EXPECT_EQ(r1.difference, r3.difference);
}

TEST(SweepStats, RejectsBadArguments) {
  const std::vector<float> a{0.5f};
  EXPECT_THROW(bootstrap_mean_difference({}, a), std::invalid_argument);
  EXPECT_THROW(bootstrap_mean_difference(a, {}), std::invalid_argument);
  EXPECT_THROW(bootstrap_mean_difference(a, a, 1), std::invalid_argument);
  EXPECT_THROW(bootstrap_mean_difference(a, a, 100, 1, 1.0), std::invalid_argument);
  EXPECT_THROW(bootstrap_mean_difference(a, a, 100, 1, 0.0), std::invalid_argument);
}

}  // namespace
}  // namespace cs
