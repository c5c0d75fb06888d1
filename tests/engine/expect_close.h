// Tensor comparison for the engine tests: |a - b| <= atol + rtol * |ref| for every element; the
// worst element (largest excess over its tolerance) is reported, and the check fails loudly.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <string>

namespace cs::test {

template <typename A, typename R>
::testing::AssertionResult all_close(const std::string& what, const A* got, const R* ref, size_t n,
                                     double atol, double rtol) {
  size_t worst = 0;
  double worst_excess = -1e300;
  for (size_t i = 0; i < n; ++i) {
    const double a = static_cast<double>(got[i]), r = static_cast<double>(ref[i]);
    const double excess =
        std::isnan(a) || std::isnan(r) ? 1e300 : std::abs(a - r) - (atol + rtol * std::abs(r));
    if (excess > worst_excess) {
      worst_excess = excess;
      worst = i;
    }
  }
  if (n == 0 || worst_excess <= 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << what << ": element " << worst << " of " << n << " is " << got[worst] << ", reference "
         << ref[worst] << " (|diff| " << std::abs(double(got[worst]) - double(ref[worst]))
         << " > atol " << atol << " + rtol " << rtol << " * |ref|)";
}

}  // namespace cs::test
