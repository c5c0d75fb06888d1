// CPU convolution and pooling against naive references and central differences, as in
// test_ops_gradcheck.cpp (which says how).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <random>
#include <vector>

#include "cpu/ops/conv2d.h"
#include "cpu/ops/pool.h"
#include "gradcheck_util.h"

namespace cs::cpu {
namespace {

using namespace gradcheck_test;

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

  Vd scratch = scratch_with_tail<double>(conv2d_scratch_size(g));
  auto forward = [&] {
    Vd out(n_out);
    conv2d_forward(out.data(), scratch.data(), x.data(), wt.data(), bias.data(), c.b, g, c.act);
    return out;
  };
  const Vd out = forward();
  EXPECT_TRUE(all_close("double forward", out.data(), ref.data(), n_out, 1e-12, 1e-12));

  Vf xf = to_float(x), wf = to_float(wt), bf = to_float(bias), outf(n_out);
  Vf scratchf = scratch_with_tail<float>(conv2d_scratch_size(g));
  conv2d_forward(outf.data(), scratchf.data(), xf.data(), wf.data(), bf.data(), c.b, g, c.act);
  EXPECT_TRUE(all_close("float forward", outf.data(), ref.data(), n_out, 1e-5, 1e-4));

  const Vd r = random_vec(n_out, rng);
  Vd dpre(n_out), dx(x.size(), kGarbage), dw(wt.size(), 0.0), db(bias.size(), 0.0);
  conv2d_backward(dx.data(), dw.data(), db.data(), dpre.data(), scratch.data(), r.data(),
                  out.data(), x.data(), wt.data(), c.b, g, c.act);
  auto loss = [&] { return dot(forward(), r); };
  expect_layer_gradients(x, wt, bias, dx, dw, db, loss, rng);

  // In float, in place (dpre = dout, as the backend runs it), onto prior parameter gradients.
  const float prior = static_cast<float>(kPrior);
  Vf doutf = to_float(r), dxf(x.size(), static_cast<float>(kGarbage)), dwf(wt.size(), prior),
     dbf(bias.size(), prior);
  conv2d_backward(dxf.data(), dwf.data(), dbf.data(), doutf.data(), scratchf.data(), doutf.data(),
                  outf.data(), xf.data(), wf.data(), c.b, g, c.act);
  expect_float_layer_gradients(dxf, dwf, dbf, dx, dw, db);

  // Without parameter gradients (a probe pass): the same dinp.
  Vd dx_only(x.size(), kGarbage);
  conv2d_backward<double>(dx_only.data(), nullptr, nullptr, dpre.data(), scratch.data(), r.data(),
                          out.data(), x.data(), wt.data(), c.b, g, c.act);
  EXPECT_TRUE(all_close("dinp only", dx_only.data(), dx.data(), dx.size(), 1e-14, 1e-14));

  // Without dinp (a first layer): the same parameter gradients.
  Vd dw_only(wt.size(), 0.0), db_only(bias.size(), 0.0);
  conv2d_backward<double>(nullptr, dw_only.data(), db_only.data(), dpre.data(), scratch.data(),
                          r.data(), out.data(), x.data(), wt.data(), c.b, g, c.act);
  EXPECT_TRUE(all_close("dweight only", dw_only.data(), dw.data(), dw.size(), 1e-12, 1e-12));
  EXPECT_TRUE(all_close("dbias only", db_only.data(), db.data(), db.size(), 1e-12, 1e-12));
  EXPECT_TRUE(tail_untouched(scratch));
  EXPECT_TRUE(tail_untouched(scratchf));
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
                    ConvCase{2, 2, 20, 19, 3, 3, 1, Padding::Same, Activation::None},
                    ConvCase{3, 1, 28, 28, 8, 5, 1, Padding::Valid, Activation::Relu},
                    ConvCase{3, 8, 12, 12, 16, 5, 1, Padding::Valid, Activation::Relu},
                    ConvCase{2, 3, 9, 10, 8, 3, 1, Padding::Same, Activation::Relu},
                    ConvCase{2, 2, 6, 13, 16, 3, 1, Padding::Same, Activation::Tanh},
                    // the kernel as large as the input: shifted planes one column wide
                    ConvCase{2, 1, 5, 5, 3, 5, 1, Padding::Valid, Activation::Tanh}));

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
  if (c.max) {  // float (other vector widths) routes each gradient to the same input
    const Vf rf = to_float(r);
    Vf dxf(x.size(), static_cast<float>(kGarbage));
    maxpool_backward(dxf.data(), rf.data(), argmaxf.data(), c.b, c.c, c.h, c.w, c.k);
    EXPECT_EQ(dxf, to_float(dx));
  }

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
                    PoolCase{3, 3, 7, 5, 2, false}, PoolCase{2, 2, 9, 6, 3, false},
                    // maps exactly a 32-byte vector wide pool two output rows per vector: float
                    // 8 x 8 (the reference network's second pool), double 4 wide, an odd count
                    PoolCase{2, 3, 8, 8, 2, true}, PoolCase{2, 3, 6, 4, 2, true}));

// ---------------------------------------------------------------------------------------------
// A convolution and the max pool after it, run together

struct ConvPoolCase {
  ConvCase conv;
  int pool;
};

std::ostream& operator<<(std::ostream& os, const ConvPoolCase& c) {
  return os << c.conv << " then max" << c.pool;
}

// conv2d_pool_forward, with and without its output kept, against conv2d_forward and then
// maxpool_forward (the same values), and conv2d_pool_backward against maxpool_backward and then
// conv2d_backward on the same inputs, in T, with or without dinp; parameter gradients add to
// kPrior.
template <typename T>
void expect_fused_equal(const ConvPoolCase& cp, bool with_dinp, double tol) {
  const ConvCase& c = cp.conv;
  const int k = cp.pool;
  const ConvGeom g = ConvGeom::make({c.c, c.h, c.w}, c.oc, c.k, c.stride, c.pad);
  std::mt19937_64 rng(5);
  auto random = [&](size_t n) {
    const Vd v = random_vec(n, rng);
    return std::vector<T>(v.begin(), v.end());
  };
  const size_t n_in = size_t(c.b) * c.c * c.h * c.w, n_out = size_t(c.b) * c.oc * g.oh * g.ow;
  const size_t n_pool = size_t(c.b) * c.oc * (g.oh / k) * (g.ow / k);
  const std::vector<T> x = random(n_in), wt = random(size_t(c.oc) * c.c * c.k * c.k),
                       bias = random(c.oc), dpool = random(n_pool);
  std::vector<T> scratch = scratch_with_tail<T>(conv2d_scratch_size(g)), out(n_out), pooled(n_pool);
  std::vector<int32_t> argmax(n_pool);
  conv2d_forward(out.data(), scratch.data(), x.data(), wt.data(), bias.data(), c.b, g, c.act);
  maxpool_forward(pooled.data(), argmax.data(), out.data(), c.b, c.oc, g.oh, g.ow, k);
  std::vector<T> fused_out(n_out), fused_pooled(n_pool);
  std::vector<int32_t> fused_argmax(n_pool);
  conv2d_pool_forward(fused_out.data(), fused_pooled.data(), fused_argmax.data(), k, scratch.data(),
                      x.data(), wt.data(), bias.data(), c.b, g, c.act);
  EXPECT_EQ(fused_out, out);
  EXPECT_EQ(fused_pooled, pooled);
  EXPECT_EQ(fused_argmax, argmax);

  // Without the output kept: the maxima of the pre-activations, activated. The same values; the
  // same argmax wherever the activated window's maximum is unique (ties: ReLU's zeros).
  std::vector<T> lean_pooled(n_pool);
  std::vector<int32_t> lean_argmax(n_pool);
  conv2d_pool_forward(static_cast<T*>(nullptr), lean_pooled.data(), lean_argmax.data(), k,
                      scratch.data(), x.data(), wt.data(), bias.data(), c.b, g, c.act);
  EXPECT_EQ(lean_pooled, pooled);
  const int ph = g.oh / k, pw = g.ow / k;
  for (size_t o = 0; o < n_pool; ++o) {
    const size_t plane = o / (ph * pw);
    const int oy = static_cast<int>(o % (ph * pw)) / pw, ox = static_cast<int>(o % pw);
    int ties = 0;
    for (int dy = 0; dy < k; ++dy)
      for (int dx = 0; dx < k; ++dx)
        ties += out[(plane * g.oh + oy * k + dy) * g.ow + ox * k + dx] == pooled[o];
    if (ties == 1) {
      EXPECT_EQ(lean_argmax[o], argmax[o]) << "output " << o;
    }
  }

  const T garbage = static_cast<T>(kGarbage), prior = static_cast<T>(kPrior);
  std::vector<T> dconv(n_out, garbage), dx(n_in, garbage), dw(wt.size(), prior), db(c.oc, prior);
  maxpool_backward(dconv.data(), dpool.data(), argmax.data(), c.b, c.oc, g.oh, g.ow, k);
  conv2d_backward(with_dinp ? dx.data() : nullptr, dw.data(), db.data(), dconv.data(),
                  scratch.data(), dconv.data(), out.data(), x.data(), wt.data(), c.b, g, c.act);

  std::vector<T> d = dpool, fx(n_in, garbage), fw(wt.size(), prior), fb(c.oc, prior);
  conv2d_pool_backward(with_dinp ? fx.data() : nullptr, fw.data(), fb.data(), d.data(),
                       scratch.data(), pooled.data(), argmax.data(), k, x.data(), wt.data(), c.b, g,
                       c.act);
  EXPECT_TRUE(all_close("dinp", fx.data(), dx.data(), n_in, tol, tol));
  EXPECT_TRUE(all_close("dweight", fw.data(), dw.data(), dw.size(), tol, tol));
  EXPECT_TRUE(all_close("dbias", fb.data(), db.data(), db.size(), tol, tol));

  // From the lean forward's argmax: the same gradients (a tied maximum's act' is the same).
  std::vector<T> ld = dpool, lx(n_in, garbage), lw(wt.size(), prior), lb(c.oc, prior);
  conv2d_pool_backward(with_dinp ? lx.data() : nullptr, lw.data(), lb.data(), ld.data(),
                       scratch.data(), lean_pooled.data(), lean_argmax.data(), k, x.data(),
                       wt.data(), c.b, g, c.act);
  EXPECT_TRUE(all_close("lean dinp", lx.data(), dx.data(), n_in, tol, tol));
  EXPECT_TRUE(all_close("lean dweight", lw.data(), dw.data(), dw.size(), tol, tol));
  EXPECT_TRUE(all_close("lean dbias", lb.data(), db.data(), db.size(), tol, tol));
  EXPECT_TRUE(tail_untouched(scratch));
}

class ConvPoolOp : public testing::TestWithParam<ConvPoolCase> {};

TEST_P(ConvPoolOp, FusedPassesEqualTheTwoLayers) {
  for (bool with_dinp : {true, false}) {
    SCOPED_TRACE(with_dinp ? "with dinp" : "without dinp");
    expect_fused_equal<double>(GetParam(), with_dinp, 1e-12);
    expect_fused_equal<float>(GetParam(), with_dinp, 1e-5);  // wider vectors
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvPoolOp,
    testing::Values(  // the reference network's two, odd maps (uncovered places), wider windows
        ConvPoolCase{{3, 1, 28, 28, 8, 5, 1, Padding::Valid, Activation::Relu}, 2},
        ConvPoolCase{{3, 8, 12, 12, 16, 5, 1, Padding::Valid, Activation::Relu}, 2},
        ConvPoolCase{{2, 2, 7, 6, 3, 4, 1, Padding::Same, Activation::Tanh}, 2},
        ConvPoolCase{{2, 3, 9, 11, 5, 3, 1, Padding::Valid, Activation::Sigmoid}, 2},
        ConvPoolCase{{2, 2, 10, 9, 4, 3, 1, Padding::Same, Activation::None}, 3}));

}  // namespace
}  // namespace cs::cpu
