// Statistics of networks' figures: the distribution of a sample (a sweep configuration's final
// per-network accuracies, an ensemble's accuracies and calibration errors), and a bootstrap
// confidence interval for the difference between two sweep configurations (sweep.h), so that
// "A beats B" can be told apart from seed-to-seed noise.
#pragma once

#include <cstdint>
#include <span>

namespace cs {

// Five-number summary, mean and sample standard deviation (0 for n = 1) of `values`, NaNs left
// out (n counts the rest). Quartiles and median interpolate linearly between order statistics
// (R's type 7, numpy's default). All zero when no value is left.
struct Distribution {
  int n = 0;
  double mean = 0, std = 0;
  double min = 0, q1 = 0, median = 0, q3 = 0, max = 0;
};
Distribution describe_distribution(std::span<const double> values);
Distribution describe_distribution(std::span<const float> values);

// The `q`-quantile (0..1) of sorted `values` (type 7); throws std::invalid_argument when empty.
double quantile_sorted(std::span<const double> sorted, double q);

// mean(a) - mean(b) and its percentile bootstrap interval at `level` (0.95: the 2.5% and 97.5%
// quantiles of `resamples` differences, each of the means of n_a draws from a and n_b draws from
// b with replacement). The two samples are resampled independently. Seeded: the same inputs give
// the same interval. Throws std::invalid_argument for an empty sample, resamples < 2 or a level
// outside (0, 1).
struct MeanDifference {
  double difference = 0, low = 0, high = 0, level = 0.95;
  int resamples = 0;
  bool excludes_zero() const { return low > 0 || high < 0; }
};
MeanDifference bootstrap_mean_difference(std::span<const float> a, std::span<const float> b,
                                         int resamples = 10000, uint64_t seed = 1,
                                         double level = 0.95);

}  // namespace cs
