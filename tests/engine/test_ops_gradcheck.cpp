// CPU ops against naive references and central differences.
//
// Every op is templated on the scalar type. In double precision its backward pass is checked
// against central differences of its own forward pass (eps 1e-6) at random indices, for the
// input, weight and bias gradients, using the loss L = sum(r * out) with random r. The float op
// (the backend's) is compared with a naive double-precision reference forward, and its
// gradients with the double op's. The gradient rule of convscope/op_conventions.h is checked
// on the way: activation gradients start as garbage (they must be overwritten), parameter
// gradients start at a prior value (the gradient must be added to it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <ostream>
#include <random>
#include <vector>

#include "cpu/gemm.h"
#include "cpu/ops/activation.h"
#include "cpu/ops/conv2d.h"
#include "cpu/ops/dense.h"
#include "cpu/ops/pool.h"
#include "cpu/ops/softmax_xent.h"
#include "expect_close.h"

namespace cs::cpu {
namespace {

using test::all_close;
using Vd = std::vector<double>;
using Vf = std::vector<float>;

constexpr double kEps = 1e-6;

Vd random_vec(size_t n, std::mt19937_64& rng, double lo = -1, double hi = 1) {
  std::uniform_real_distribution<double> u(lo, hi);
  Vd v(n);
  for (double& x : v) x = u(rng);
  return v;
}

Vf to_float(const Vd& v) {
  return Vf(v.begin(), v.end());
}

constexpr double kGarbage = 1e3;  // what activation gradient buffers hold before backward
constexpr double kPrior = 0.5;    // what parameter gradient buffers hold before backward

Vd plus(const Vd& v, double c) {
  Vd r = v;
  for (double& x : r) x += c;
  return r;
}

double dot(const Vd& a, const Vd& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// Central differences of loss() with respect to x at up to 24 random indices, against analytic.
::testing::AssertionResult gradcheck(const std::string& what, Vd& x, const Vd& analytic,
                                     const std::function<double()>& loss, std::mt19937_64& rng) {
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

// ---------------------------------------------------------------------------------------------
// GEMM

TEST(Gemm, MatchesNaiveProductsWithTailsTransposesAndGatheredRows) {
  std::mt19937_64 rng(1);
  struct Case {
    int m, n, k;
  };
  for (const Case c : {Case{1, 1, 1}, Case{8, 16, 25}, Case{13, 37, 300}, Case{7, 5, 9},
                       Case{16, 200, 64}, Case{33, 10, 129}}) {
    SCOPED_TRACE(testing::Message() << c.m << "x" << c.n << "x" << c.k);
    const Vd a = random_vec(size_t(c.m) * c.k, rng), b = random_vec(size_t(c.k) * c.n, rng);
    const Vd c0 = random_vec(size_t(c.m) * c.n, rng);
    const Vf af = to_float(a), bf = to_float(b);
    // Gathered copies: row r of A (B) stored at a shuffled offset with padding between rows.
    std::vector<int32_t> a_rows(c.m), b_rows(c.k);
    for (int i = 0; i < c.m; ++i) a_rows[i] = (c.m - 1 - i) * (c.k + 3);
    for (int k = 0; k < c.k; ++k) b_rows[k] = (c.k - 1 - k) * (c.n + 5) + 2;
    Vf ag(size_t(c.m) * (c.k + 3)), bg(size_t(c.k) * (c.n + 5) + 2);
    for (int i = 0; i < c.m; ++i)
      for (int k = 0; k < c.k; ++k) ag[a_rows[i] + k] = af[i * c.k + k];
    for (int k = 0; k < c.k; ++k)
      for (int j = 0; j < c.n; ++j) bg[b_rows[k] + j] = bf[k * c.n + j];
    Vf at(size_t(c.k) * c.m);  // A stored transposed, (K, M)
    for (int i = 0; i < c.m; ++i)
      for (int k = 0; k < c.k; ++k) at[k * c.m + i] = af[i * c.k + k];
    for (bool accumulate : {false, true}) {
      Vd ref(c0.size());
      for (int i = 0; i < c.m; ++i)
        for (int j = 0; j < c.n; ++j) {
          double s = accumulate ? c0[i * c.n + j] : 0;
          for (int k = 0; k < c.k; ++k) s += a[i * c.k + k] * b[k * c.n + j];
          ref[i * c.n + j] = s;
        }
      Vf out = to_float(c0);
      gemm_nn(c.m, c.n, c.k, af.data(), c.k, 1, bf.data(), c.n, out.data(), c.n, accumulate);
      EXPECT_TRUE(all_close("gemm_nn", out.data(), ref.data(), ref.size(), 1e-5, 1e-4));
      out = to_float(c0);
      gemm_nn(c.m, c.n, c.k, at.data(), 1, c.m, bf.data(), c.n, out.data(), c.n, accumulate);
      EXPECT_TRUE(all_close("gemm_nn A^T", out.data(), ref.data(), ref.size(), 1e-5, 1e-4));
      out = to_float(c0);
      gemm_nn_gather_a(c.m, c.n, c.k, ag.data(), a_rows.data(), bf.data(), c.n, out.data(), c.n,
                       accumulate);
      EXPECT_TRUE(all_close("gemm_nn_gather_a", out.data(), ref.data(), ref.size(), 1e-5, 1e-4));
      out = to_float(c0);
      gemm_nn_gather_b(c.m, c.n, c.k, af.data(), c.k, 1, bg.data(), b_rows.data(), out.data(), c.n,
                       accumulate);
      EXPECT_TRUE(all_close("gemm_nn_gather_b", out.data(), ref.data(), ref.size(), 1e-5, 1e-4));
      Vd outd = c0;
      gemm_nn(c.m, c.n, c.k, a.data(), c.k, 1, b.data(), c.n, outd.data(), c.n, accumulate);
      EXPECT_TRUE(all_close("gemm_nn double", outd.data(), ref.data(), ref.size(), 1e-12, 1e-12));

      // C = [C +] A B^T with B^T stored (N, K).
      Vf bt(size_t(c.n) * c.k);
      for (int k = 0; k < c.k; ++k)
        for (int j = 0; j < c.n; ++j) bt[j * c.k + k] = bf[k * c.n + j];
      out = to_float(c0);
      gemm_nt(c.m, c.n, c.k, af.data(), c.k, bt.data(), c.k, out.data(), c.n, accumulate);
      EXPECT_TRUE(all_close("gemm_nt", out.data(), ref.data(), ref.size(), 1e-5, 1e-4));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bias + activation

TEST(Activation, GradientsOfEveryActivation) {
  std::mt19937_64 rng(2);
  const int outer = 3, channels = 4, inner = 5, n = outer * channels * inner;
  for (Activation act :
       {Activation::None, Activation::Relu, Activation::Tanh, Activation::Sigmoid}) {
    SCOPED_TRACE(to_string(act));
    Vd x = random_vec(n, rng, -2, 2), bias = random_vec(channels, rng), r = random_vec(n, rng);
    auto forward = [&] {
      Vd y = x;
      bias_activation_forward(y.data(), bias.data(), outer, channels, inner, act);
      return y;
    };
    const Vd y = forward();
    Vd ref(n);
    for (int i = 0; i < n; ++i) ref[i] = activate(x[i] + bias[i / inner % channels], act);
    EXPECT_TRUE(all_close("forward", y.data(), ref.data(), n, 1e-14, 1e-14));
    Vd dpre(n, kGarbage), dbias(channels, 0.0);
    const double* d = bias_activation_backward(dpre.data(), dbias.data(), r.data(), y.data(), outer,
                                               channels, inner, act);
    EXPECT_EQ(d, act == Activation::None ? r.data() : dpre.data());  // None: dout is dpre
    const Vd dx(d, d + n);
    auto loss = [&] { return dot(forward(), r); };
    EXPECT_TRUE(gradcheck("dx", x, dx, loss, rng));
    EXPECT_TRUE(gradcheck("dbias", bias, dbias, loss, rng));

    // In place (dpre = dout), in float, adding to a prior dbias.
    Vf yf = to_float(x), df = to_float(r), dbf(channels, static_cast<float>(kPrior));
    const Vf biasf = to_float(bias);
    bias_activation_forward(yf.data(), biasf.data(), outer, channels, inner, act);
    bias_activation_backward(df.data(), dbf.data(), df.data(), yf.data(), outer, channels, inner,
                             act);
    EXPECT_TRUE(all_close("float dx", df.data(), dx.data(), n, 1e-6, 1e-5));
    const Vd want_db = plus(dbias, kPrior);
    EXPECT_TRUE(all_close("float dbias", dbf.data(), want_db.data(), channels, 1e-5, 1e-5));
  }
}

// ---------------------------------------------------------------------------------------------
// Convolution

struct ConvCase {
  int b, c, h, w, oc, k, stride;
  Padding pad;
  Activation act;
};

// Naive convolution, independent of ConvGeom: 'same' pads (k - 1) / 2 before.
template <typename T>
std::vector<T> conv_reference(const std::vector<T>& x, const std::vector<T>& wt,
                              const std::vector<T>& bias, const ConvCase& c, int& oh, int& ow) {
  const bool same = c.pad == Padding::Same;
  const int pad = same ? (c.k - 1) / 2 : 0;
  oh = same ? (c.h + c.stride - 1) / c.stride : (c.h - c.k) / c.stride + 1;
  ow = same ? (c.w + c.stride - 1) / c.stride : (c.w - c.k) / c.stride + 1;
  std::vector<T> out(size_t(c.b) * c.oc * oh * ow);
  for (int b = 0; b < c.b; ++b)
    for (int o = 0; o < c.oc; ++o)
      for (int y = 0; y < oh; ++y)
        for (int x0 = 0; x0 < ow; ++x0) {
          T s = bias[o];
          for (int ci = 0; ci < c.c; ++ci)
            for (int ky = 0; ky < c.k; ++ky)
              for (int kx = 0; kx < c.k; ++kx) {
                const int iy = y * c.stride - pad + ky, ix = x0 * c.stride - pad + kx;
                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                s += x[((b * c.c + ci) * c.h + iy) * c.w + ix] *
                     wt[((o * c.c + ci) * c.k + ky) * c.k + kx];
              }
          out[((b * c.oc + o) * oh + y) * ow + x0] = activate(s, c.act);
        }
  return out;
}

std::ostream& operator<<(std::ostream& os, const ConvCase& c) {
  return os << "B" << c.b << " " << c.c << "x" << c.h << "x" << c.w << " -> " << c.oc << " k" << c.k
            << " s" << c.stride << (c.pad == Padding::Same ? " same " : " valid ")
            << to_string(c.act);
}

class ConvOp : public testing::TestWithParam<ConvCase> {};

TEST_P(ConvOp, ForwardMatchesReferenceAndGradientsMatchCentralDifferences) {
  const ConvCase c = GetParam();
  std::mt19937_64 rng(3);
  Vd x = random_vec(size_t(c.b) * c.c * c.h * c.w, rng);
  Vd wt = random_vec(size_t(c.oc) * c.c * c.k * c.k, rng), bias = random_vec(c.oc, rng);
  int oh = 0, ow = 0;
  const Vd ref = conv_reference(x, wt, bias, c, oh, ow);
  const ConvGeom g = ConvGeom::make({c.c, c.h, c.w}, c.oc, c.k, c.stride, c.pad);
  ASSERT_EQ(g.oh, oh);
  ASSERT_EQ(g.ow, ow);
  const size_t n_out = ref.size();

  Vd scratch(conv2d_scratch_size(g));
  auto forward = [&] {
    Vd out(n_out);
    conv2d_forward(out.data(), scratch.data(), x.data(), wt.data(), bias.data(), c.b, g, c.act);
    return out;
  };
  const Vd out = forward();
  EXPECT_TRUE(all_close("double forward", out.data(), ref.data(), n_out, 1e-12, 1e-12));

  Vf xf = to_float(x), wf = to_float(wt), bf = to_float(bias), outf(n_out);
  Vf scratchf(scratch.size());
  conv2d_forward(outf.data(), scratchf.data(), xf.data(), wf.data(), bf.data(), c.b, g, c.act);
  EXPECT_TRUE(all_close("float forward", outf.data(), ref.data(), n_out, 1e-5, 1e-4));

  const Vd r = random_vec(n_out, rng);
  Vd dpre(n_out), dx(x.size(), kGarbage), dw(wt.size(), 0.0), db(bias.size(), 0.0);
  conv2d_backward(dx.data(), dw.data(), db.data(), dpre.data(), scratch.data(), r.data(),
                  out.data(), x.data(), wt.data(), c.b, g, c.act);
  auto loss = [&] { return dot(forward(), r); };
  EXPECT_TRUE(gradcheck("dinp", x, dx, loss, rng));
  EXPECT_TRUE(gradcheck("dweight", wt, dw, loss, rng));
  EXPECT_TRUE(gradcheck("dbias", bias, db, loss, rng));

  // In float, in place (dpre = dout, as the backend runs it), onto prior parameter gradients.
  const float prior = static_cast<float>(kPrior);
  Vf doutf = to_float(r), dxf(x.size(), static_cast<float>(kGarbage)), dwf(wt.size(), prior),
     dbf(bias.size(), prior);
  conv2d_backward(dxf.data(), dwf.data(), dbf.data(), doutf.data(), scratchf.data(), doutf.data(),
                  outf.data(), xf.data(), wf.data(), c.b, g, c.act);
  const Vd want_dw = plus(dw, kPrior), want_db = plus(db, kPrior);
  EXPECT_TRUE(all_close("float dinp", dxf.data(), dx.data(), dx.size(), 1e-4, 1e-3));
  EXPECT_TRUE(all_close("float dweight", dwf.data(), want_dw.data(), dw.size(), 1e-4, 1e-3));
  EXPECT_TRUE(all_close("float dbias", dbf.data(), want_db.data(), db.size(), 1e-4, 1e-3));

  // Without parameter gradients (a probe pass): the same dinp.
  Vd dx_only(x.size(), kGarbage);
  conv2d_backward<double>(dx_only.data(), nullptr, nullptr, dpre.data(), scratch.data(), r.data(),
                          out.data(), x.data(), wt.data(), c.b, g, c.act);
  EXPECT_TRUE(all_close("dinp only", dx_only.data(), dx.data(), dx.size(), 1e-14, 1e-14));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvOp,
    testing::Values(ConvCase{1, 1, 7, 7, 2, 3, 1, Padding::Valid, Activation::Relu},
                    ConvCase{3, 2, 9, 7, 3, 3, 2, Padding::Same, Activation::Tanh},
                    ConvCase{3, 3, 8, 6, 4, 5, 1, Padding::Same, Activation::Sigmoid},
                    ConvCase{1, 2, 10, 11, 5, 4, 2, Padding::Valid, Activation::None},
                    ConvCase{3, 1, 6, 9, 17, 2, 2, Padding::Same, Activation::Relu},
                    ConvCase{2, 4, 5, 5, 3, 1, 1, Padding::Valid, Activation::None},
                    ConvCase{2, 2, 7, 6, 3, 4, 1, Padding::Same, Activation::Tanh},
                    ConvCase{3, 1, 28, 28, 8, 5, 1, Padding::Valid, Activation::Relu},
                    ConvCase{3, 8, 12, 12, 16, 5, 1, Padding::Valid, Activation::Relu}));

// ---------------------------------------------------------------------------------------------
// Pooling

struct PoolCase {
  int b, c, h, w, k;
  bool max;
};

std::ostream& operator<<(std::ostream& os, const PoolCase& c) {
  return os << "B" << c.b << " " << c.c << "x" << c.h << "x" << c.w << (c.max ? " max" : " avg")
            << c.k;
}

class PoolOp : public testing::TestWithParam<PoolCase> {};

// Naive pooling of x: the window maxima (or means) and the window position of each first maximum.
void pool_reference(const Vd& x, const PoolCase& c, Vd& out, std::vector<int32_t>& argmax) {
  const int oh = c.h / c.k, ow = c.w / c.k;
  out.assign(size_t(c.b) * c.c * oh * ow, 0.0);
  argmax.assign(out.size(), -1);
  for (int p = 0; p < c.b * c.c; ++p)
    for (int y = 0; y < oh; ++y)
      for (int x0 = 0; x0 < ow; ++x0) {
        double m = -1e300, s = 0;
        int32_t at = -1;
        for (int dy = 0; dy < c.k; ++dy)
          for (int dx = 0; dx < c.k; ++dx) {
            const double v = x[(size_t(p) * c.h + y * c.k + dy) * c.w + x0 * c.k + dx];
            if (v > m) m = v, at = dy * c.k + dx;
            s += v;
          }
        const size_t o = (size_t(p) * oh + y) * ow + x0;
        out[o] = c.max ? m : s / (c.k * c.k);
        argmax[o] = at;
      }
}

TEST_P(PoolOp, ForwardMatchesReferenceAndGradientsMatchCentralDifferences) {
  const PoolCase c = GetParam();
  std::mt19937_64 rng(4);
  Vd x = random_vec(size_t(c.b) * c.c * c.h * c.w, rng);
  Vd ref;
  std::vector<int32_t> ref_argmax;
  pool_reference(x, c, ref, ref_argmax);
  const size_t n_out = ref.size();
  std::vector<int32_t> argmax(n_out);
  auto forward = [&] {
    Vd out(n_out);
    if (c.max)
      maxpool_forward(out.data(), argmax.data(), x.data(), c.b, c.c, c.h, c.w, c.k);
    else
      avgpool_forward(out.data(), x.data(), c.b, c.c, c.h, c.w, c.k);
    return out;
  };
  const Vd out = forward();
  EXPECT_TRUE(all_close("double forward", out.data(), ref.data(), n_out, 1e-14, 1e-14));
  if (c.max) {
    EXPECT_EQ(argmax, ref_argmax);
  }
  Vf xf = to_float(x), outf(n_out);
  std::vector<int32_t> argmaxf(n_out);
  if (c.max)
    maxpool_forward(outf.data(), argmaxf.data(), xf.data(), c.b, c.c, c.h, c.w, c.k);
  else
    avgpool_forward(outf.data(), xf.data(), c.b, c.c, c.h, c.w, c.k);
  EXPECT_TRUE(all_close("float forward", outf.data(), ref.data(), n_out, 1e-6, 1e-5));
  if (c.max) {
    EXPECT_EQ(argmaxf, ref_argmax);
  }

  const Vd r = random_vec(n_out, rng);
  Vd dx(x.size(), kGarbage);  // every element must be written, uncovered ones included
  if (c.max)
    maxpool_backward(dx.data(), r.data(), argmax.data(), c.b, c.c, c.h, c.w, c.k);
  else
    avgpool_backward(dx.data(), r.data(), c.b, c.c, c.h, c.w, c.k);
  for (size_t i = 0; i < dx.size(); ++i) ASSERT_LE(std::abs(dx[i]), 1.0) << "dinp " << i;
  EXPECT_TRUE(gradcheck(
      "dinp", x, dx, [&] { return dot(forward(), r); }, rng));

  // Ties, as after a relu: the first maximum in row-major order wins, in float and double.
  if (!c.max) return;
  for (double& v : x) v = std::max(v, 0.0);
  pool_reference(x, c, ref, ref_argmax);
  forward();
  EXPECT_EQ(argmax, ref_argmax);
  xf = to_float(x);
  maxpool_forward(outf.data(), argmaxf.data(), xf.data(), c.b, c.c, c.h, c.w, c.k);
  EXPECT_EQ(argmaxf, ref_argmax);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, PoolOp,
    testing::Values(PoolCase{1, 2, 6, 6, 2, true}, PoolCase{3, 3, 7, 5, 2, true},
                    PoolCase{2, 3, 24, 21, 2, true}, PoolCase{3, 1, 9, 9, 3, true},
                    PoolCase{2, 2, 8, 4, 4, true}, PoolCase{1, 2, 6, 6, 2, false},
                    PoolCase{3, 3, 7, 5, 2, false}, PoolCase{2, 2, 9, 6, 3, false}));

// ---------------------------------------------------------------------------------------------
// Dense

struct DenseCase {
  int b, in, out;
  Activation act;
};

std::ostream& operator<<(std::ostream& os, const DenseCase& c) {
  return os << "B" << c.b << " " << c.in << " -> " << c.out << " " << to_string(c.act);
}

class DenseOp : public testing::TestWithParam<DenseCase> {};

TEST_P(DenseOp, ForwardMatchesReferenceAndGradientsMatchCentralDifferences) {
  const DenseCase c = GetParam();
  std::mt19937_64 rng(5);
  Vd x = random_vec(size_t(c.b) * c.in, rng), wt = random_vec(size_t(c.out) * c.in, rng);
  Vd bias = random_vec(c.out, rng);
  const size_t n_out = size_t(c.b) * c.out;
  Vd ref(n_out);
  for (int b = 0; b < c.b; ++b)
    for (int o = 0; o < c.out; ++o) {
      double s = bias[o];
      for (int i = 0; i < c.in; ++i) s += x[b * c.in + i] * wt[o * c.in + i];
      ref[b * c.out + o] = activate(s, c.act);
    }
  auto forward = [&] {
    Vd out(n_out);
    dense_forward(out.data(), x.data(), wt.data(), bias.data(), c.b, c.in, c.out, c.act);
    return out;
  };
  const Vd out = forward();
  EXPECT_TRUE(all_close("double forward", out.data(), ref.data(), n_out, 1e-12, 1e-12));
  Vf xf = to_float(x), wf = to_float(wt), bf = to_float(bias), outf(n_out);
  dense_forward(outf.data(), xf.data(), wf.data(), bf.data(), c.b, c.in, c.out, c.act);
  EXPECT_TRUE(all_close("float forward", outf.data(), ref.data(), n_out, 1e-5, 1e-4));

  const Vd r = random_vec(n_out, rng);
  Vd dpre(n_out), dx(x.size(), kGarbage), dw(wt.size(), 0.0), db(bias.size(), 0.0);
  dense_backward(dx.data(), dw.data(), db.data(), dpre.data(), r.data(), out.data(), x.data(),
                 wt.data(), c.b, c.in, c.out, c.act);
  auto loss = [&] { return dot(forward(), r); };
  EXPECT_TRUE(gradcheck("dinp", x, dx, loss, rng));
  EXPECT_TRUE(gradcheck("dweight", wt, dw, loss, rng));
  EXPECT_TRUE(gradcheck("dbias", bias, db, loss, rng));

  // In float, in place (dpre = dout), onto prior parameter gradients.
  const float prior = static_cast<float>(kPrior);
  Vf doutf = to_float(r), dxf(x.size(), static_cast<float>(kGarbage)), dwf(wt.size(), prior),
     dbf(bias.size(), prior);
  dense_backward(dxf.data(), dwf.data(), dbf.data(), doutf.data(), doutf.data(), outf.data(),
                 xf.data(), wf.data(), c.b, c.in, c.out, c.act);
  const Vd want_dw = plus(dw, kPrior), want_db = plus(db, kPrior);
  EXPECT_TRUE(all_close("float dinp", dxf.data(), dx.data(), dx.size(), 1e-4, 1e-3));
  EXPECT_TRUE(all_close("float dweight", dwf.data(), want_dw.data(), dw.size(), 1e-4, 1e-3));
  EXPECT_TRUE(all_close("float dbias", dbf.data(), want_db.data(), db.size(), 1e-4, 1e-3));
}

INSTANTIATE_TEST_SUITE_P(Shapes, DenseOp,
                         testing::Values(DenseCase{1, 5, 3, Activation::None},
                                         DenseCase{3, 37, 19, Activation::Relu},
                                         DenseCase{3, 256, 10, Activation::Tanh},
                                         DenseCase{2, 17, 33, Activation::Sigmoid}));

// ---------------------------------------------------------------------------------------------
// Softmax + cross-entropy

class SoftmaxXent : public testing::TestWithParam<std::pair<int, int>> {};

TEST_P(SoftmaxXent, LossMatchesReferenceAndGradientMatchesCentralDifferences) {
  const auto [b, classes] = GetParam();
  std::mt19937_64 rng(6);
  Vd logits = random_vec(size_t(b) * classes, rng, -4, 4);
  std::vector<int32_t> labels(b);
  for (int i = 0; i < b; ++i) labels[i] = static_cast<int32_t>(rng() % classes);
  const double scale = 1.0 / b;
  Vd probs(logits.size()), losses(b);
  auto loss = [&] {
    softmax_xent_forward(probs.data(), losses.data(), logits.data(), labels.data(), b, classes);
    double s = 0;
    for (double l : losses) s += l;
    return s * scale;
  };
  loss();
  Vd ref(b);
  for (int i = 0; i < b; ++i) {
    double z = 0;
    for (int j = 0; j < classes; ++j) z += std::exp(logits[i * classes + j]);
    ref[i] = std::log(z) - logits[i * classes + labels[i]];
  }
  EXPECT_TRUE(all_close("double losses", losses.data(), ref.data(), b, 1e-12, 1e-12));
  Vf lf = to_float(logits), pf(lf.size()), lossf(b);
  softmax_xent_forward(pf.data(), lossf.data(), lf.data(), labels.data(), b, classes);
  EXPECT_TRUE(all_close("float losses", lossf.data(), ref.data(), b, 1e-5, 1e-5));
  EXPECT_TRUE(all_close("float probs", pf.data(), probs.data(), pf.size(), 1e-6, 1e-5));

  Vd dlogits(logits.size(), kGarbage);
  softmax_xent_backward(dlogits.data(), probs.data(), labels.data(), b, classes, scale);
  EXPECT_TRUE(gradcheck("dlogits", logits, dlogits, loss, rng));
}

INSTANTIATE_TEST_SUITE_P(Shapes, SoftmaxXent,
                         testing::Values(std::pair{1, 10}, std::pair{3, 10}, std::pair{3, 2},
                                         std::pair{5, 7}));

}  // namespace
}  // namespace cs::cpu
