// Shared by the CPU op tests (test_ops_gradcheck*.cpp): random tensors, central-difference
// gradient checks, and the gradient rule of convscope/op_conventions.h (activation gradients start
// as kGarbage and must be overwritten, parameter gradients start at kPrior and get added to).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "convscope/spec.h"
#include "expect_close.h"

namespace cs::cpu::gradcheck_test {

using test::all_close;
using Vd = std::vector<double>;
using Vf = std::vector<float>;

inline constexpr double kEps = 1e-6;

inline Vd random_vec(size_t n, std::mt19937_64& rng, double lo = -1, double hi = 1) {
  std::uniform_real_distribution<double> u(lo, hi);
  Vd v(n);
  for (double& x : v) x = u(rng);
  return v;
}

inline Vf to_float(const Vd& v) {
  return Vf(v.begin(), v.end());
}

inline constexpr double kGarbage = 1e3;  // what activation gradient buffers hold before backward
inline constexpr double kPrior = 0.5;    // what parameter gradient buffers hold before backward

// Scratch memory of n elements followed by kScratchTail sentinels, for checking that an op
// never writes past the scratch size it asks for (whatever vector width the build has).
inline constexpr size_t kScratchTail = 64;
inline constexpr double kSentinel = -7.25;  // exact in float and double

template <typename T>
std::vector<T> scratch_with_tail(size_t n) {
  return std::vector<T>(n + kScratchTail, static_cast<T>(kSentinel));
}

template <typename T>
::testing::AssertionResult tail_untouched(const std::vector<T>& scratch) {
  for (size_t i = scratch.size() - kScratchTail; i < scratch.size(); ++i)
    if (scratch[i] != static_cast<T>(kSentinel))
      return ::testing::AssertionFailure()
             << "scratch written " << i - (scratch.size() - kScratchTail) << " past its end";
  return ::testing::AssertionSuccess();
}

inline Vd plus(const Vd& v, double c) {
  Vd r = v;
  for (double& x : r) x += c;
  return r;
}

inline double dot(const Vd& a, const Vd& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// Central differences of loss() with respect to x at up to 24 random indices, against analytic.
inline ::testing::AssertionResult gradcheck(const std::string& what, Vd& x, const Vd& analytic,
                                            const std::function<double()>& loss,
                                            std::mt19937_64& rng) {
  std::vector<size_t> idx(x.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::shuffle(idx.begin(), idx.end(), rng);
  idx.resize(std::min<size_t>(idx.size(), 24));
  Vd numeric, picked;
  for (size_t i : idx) {
    const double saved = x[i];
    x[i] = saved + kEps;
    const double up = loss();
    x[i] = saved - kEps;
    const double down = loss();
    x[i] = saved;
    numeric.push_back((up - down) / (2 * kEps));
    picked.push_back(analytic[i]);
  }
  return all_close(what, picked.data(), numeric.data(), picked.size(), 1e-7, 1e-6);
}

template <typename T>
T activate(T x, Activation a) {
  switch (a) {
    case Activation::None:
      return x;
    case Activation::Relu:
      return std::max(x, T(0));
    case Activation::Tanh:
      return std::tanh(x);
    case Activation::Sigmoid:
      return 1 / (1 + std::exp(-x));
  }
  return x;
}

// The input, weight and bias gradients of a layer against central differences of loss().
inline void expect_layer_gradients(Vd& x, Vd& wt, Vd& bias, const Vd& dx, const Vd& dw,
                                   const Vd& db, const std::function<double()>& loss,
                                   std::mt19937_64& rng) {
  EXPECT_TRUE(gradcheck("dinp", x, dx, loss, rng));
  EXPECT_TRUE(gradcheck("dweight", wt, dw, loss, rng));
  EXPECT_TRUE(gradcheck("dbias", bias, db, loss, rng));
}

// A layer's float gradients against its double ones: dinp overwritten, the parameter gradients
// added to the kPrior they started at.
inline void expect_float_layer_gradients(const Vf& dxf, const Vf& dwf, const Vf& dbf, const Vd& dx,
                                         const Vd& dw, const Vd& db) {
  const Vd want_dw = plus(dw, kPrior), want_db = plus(db, kPrior);
  EXPECT_TRUE(all_close("float dinp", dxf.data(), dx.data(), dx.size(), 1e-4, 1e-3));
  EXPECT_TRUE(all_close("float dweight", dwf.data(), want_dw.data(), dw.size(), 1e-4, 1e-3));
  EXPECT_TRUE(all_close("float dbias", dbf.data(), want_db.data(), db.size(), 1e-4, 1e-3));
}

}  // namespace cs::cpu::gradcheck_test
