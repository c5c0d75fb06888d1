#include "convscope/sweep_stats.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

namespace cs {

double quantile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) throw std::invalid_argument("quantile of an empty sample");
  const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

namespace {

// The values, NaNs left out, sorted.
template <typename T>
std::vector<double> sorted_numbers(std::span<const T> values) {
  std::vector<double> v;
  v.reserve(values.size());
  for (T x : values)
    if (!std::isnan(x)) v.push_back(x);
  std::sort(v.begin(), v.end());
  return v;
}

Distribution describe_sorted(const std::vector<double>& v) {
  Distribution d;
  if (v.empty()) return d;
  d.n = static_cast<int>(v.size());
  for (double x : v) d.mean += x;
  d.mean /= static_cast<double>(d.n);
  if (d.n > 1) {
    double ss = 0;
    for (double x : v) ss += (x - d.mean) * (x - d.mean);
    d.std = std::sqrt(ss / static_cast<double>(d.n - 1));
  }
  d.min = v.front();
  d.max = v.back();
  d.q1 = quantile_sorted(v, 0.25);
  d.median = quantile_sorted(v, 0.5);
  d.q3 = quantile_sorted(v, 0.75);
  return d;
}

}  // namespace

Distribution describe_distribution(std::span<const float> values) {
  return describe_sorted(sorted_numbers(values));
}

Distribution describe_distribution(std::span<const double> values) {
  return describe_sorted(sorted_numbers(values));
}

namespace {

double mean_of(std::span<const float> v) {
  double s = 0;
  for (float x : v) s += x;
  return s / static_cast<double>(v.size());
}

// The mean of n draws with replacement from `v`.
double resampled_mean(std::span<const float> v, std::mt19937_64& rng) {
  std::uniform_int_distribution<size_t> pick(0, v.size() - 1);
  double s = 0;
  for (size_t i = 0; i < v.size(); ++i) s += v[pick(rng)];
  return s / static_cast<double>(v.size());
}

}  // namespace

MeanDifference bootstrap_mean_difference(std::span<const float> a, std::span<const float> b,
                                         int resamples, uint64_t seed, double level) {
  if (a.empty() || b.empty()) throw std::invalid_argument("bootstrap of an empty sample");
  if (resamples < 2) throw std::invalid_argument("bootstrap needs at least 2 resamples");
  if (!(level > 0 && level < 1)) throw std::invalid_argument("confidence level outside (0, 1)");
  MeanDifference r;
  r.difference = mean_of(a) - mean_of(b);
  r.level = level;
  r.resamples = resamples;
  std::mt19937_64 rng(seed);
  std::vector<double> diffs(static_cast<size_t>(resamples));
  for (double& d : diffs) {
    const double ma = resampled_mean(a, rng);
    d = ma - resampled_mean(b, rng);
  }
  std::sort(diffs.begin(), diffs.end());
  const double tail = (1 - level) / 2;
  r.low = quantile_sorted(diffs, tail);
  r.high = quantile_sorted(diffs, 1 - tail);
  return r;
}

}  // namespace cs
