// CPU ops against naive references and central differences.
//
// Every op is templated on the scalar type. In double precision its backward pass is checked
// against central differences of its own forward pass (eps 1e-6) at random indices, for the
// input, weight and bias gradients, using the loss L = sum(r * out) with random r. The float op
// (the backend's) is compared with a naive double-precision reference forward, and its
// gradients with the double op's. The gradient rule of convscope/op_conventions.h is checked
// on the way: activation gradients start as garbage (they must be overwritten), parameter
// gradients start at a prior value (the gradient must be added to it).
//
// This file: GEMM, transpose, bias + activation, dense layers, softmax + cross-entropy;
// test_ops_gradcheck_conv.cpp: convolution and pooling.
#include <gtest/gtest.h>

#include <cmath>
#include <ostream>
#include <random>
#include <tuple>
#include <vector>

#include "cpu/gemm.h"
#include "cpu/ops/activation.h"
#include "cpu/ops/dense.h"
#include "cpu/ops/softmax_xent.h"
#include "cpu/transpose.h"
#include "gradcheck_util.h"

namespace cs::cpu {
namespace {

using namespace gradcheck_test;

// ---------------------------------------------------------------------------------------------
// GEMM

TEST(Gemm, MatchesNaiveProductsWithTailsTransposesAndGatheredRows) {
  std::mt19937_64 rng(1);
  struct Case {
    int m, n, k;
  };
  for (const Case c : {Case{1, 1, 1}, Case{8, 16, 25}, Case{13, 37, 300}, Case{7, 5, 9},
                       Case{16, 200, 64}, Case{33, 10, 129}, Case{200, 16, 64}, Case{37, 20, 11}}) {
    SCOPED_TRACE(testing::Message() << c.m << "x" << c.n << "x" << c.k);
    const Vd a = random_vec(size_t(c.m) * c.k, rng), b = random_vec(size_t(c.k) * c.n, rng);
    const Vd c0 = random_vec(size_t(c.m) * c.n, rng);
    const Vf af = to_float(a), bf = to_float(b);
    // Gathered copies: row r of A (B) stored at a shuffled offset with padding between rows, and
    // A's columns with a gap after every third.
    std::vector<int32_t> a_rows(c.m), a_cols(c.k), b_rows(c.k);
    const int a_ld = c.k + c.k / 3 + 3;
    for (int i = 0; i < c.m; ++i) a_rows[i] = (c.m - 1 - i) * a_ld;
    for (int k = 0; k < c.k; ++k) a_cols[k] = k + k / 3;
    for (int k = 0; k < c.k; ++k) b_rows[k] = (c.k - 1 - k) * (c.n + 5) + 2;
    Vf ag(size_t(c.m) * a_ld), bg(size_t(c.k) * (c.n + 5) + 2);
    for (int i = 0; i < c.m; ++i)
      for (int k = 0; k < c.k; ++k) ag[a_rows[i] + a_cols[k]] = af[i * c.k + k];
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
      gemm_nn_gather_a(c.m, c.n, c.k, ag.data(), a_rows.data(), a_cols.data(), bf.data(), c.n,
                       out.data(), c.n, accumulate);
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

// Transpose: whole 8 x 8 (float) and 4 x 4 (double) blocks in registers, edges one by one, with
// leading dimensions wider than the rows.
template <typename T>
void expect_transposed(int rows, int cols) {
  const long long lds = cols + 3, ldd = rows + 5;
  std::vector<T> src(static_cast<size_t>(rows) * lds), dst(static_cast<size_t>(cols) * ldd, T(-1));
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<T>(i);
  transpose(dst.data(), ldd, src.data(), lds, rows, cols);
  for (int c = 0; c < cols; ++c)
    for (int r = 0; r < ldd; ++r)
      ASSERT_EQ(dst[c * ldd + r], r < rows ? src[r * lds + c] : T(-1))
          << rows << "x" << cols << ": (" << c << ", " << r << ")";
}

TEST(Transpose, MatchesIndexingWithTailsAndLeadingDimensions) {
  for (int rows : {1, 3, 4, 8, 13, 16, 24})
    for (int cols : {1, 5, 8, 9, 16, 20}) {
      expect_transposed<float>(rows, cols);
      expect_transposed<double>(rows, cols);
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
  const size_t scratch = static_cast<size_t>(dense_scratch_size(c.b, c.in, c.out));
  auto forward = [&] {
    Vd out(n_out), work(scratch);
    dense_forward(out.data(), work.data(), x.data(), wt.data(), bias.data(), c.b, c.in, c.out,
                  c.act);
    return out;
  };
  const Vd out = forward();
  EXPECT_TRUE(all_close("double forward", out.data(), ref.data(), n_out, 1e-12, 1e-12));
  Vf xf = to_float(x), wf = to_float(wt), bf = to_float(bias), outf(n_out);
  Vf workf(scratch);
  dense_forward(outf.data(), workf.data(), xf.data(), wf.data(), bf.data(), c.b, c.in, c.out,
                c.act);
  EXPECT_TRUE(all_close("float forward", outf.data(), ref.data(), n_out, 1e-5, 1e-4));

  const Vd r = random_vec(n_out, rng);
  Vd dpre(n_out), dx(x.size(), kGarbage), dw(wt.size(), 0.0), db(bias.size(), 0.0);
  dense_backward(dx.data(), dw.data(), db.data(), dpre.data(), r.data(), out.data(), x.data(),
                 wt.data(), c.b, c.in, c.out, c.act);
  auto loss = [&] { return dot(forward(), r); };
  expect_layer_gradients(x, wt, bias, dx, dw, db, loss, rng);

  // In float, in place (dpre = dout), onto prior parameter gradients.
  const float prior = static_cast<float>(kPrior);
  Vf doutf = to_float(r), dxf(x.size(), static_cast<float>(kGarbage)), dwf(wt.size(), prior),
     dbf(bias.size(), prior);
  dense_backward(dxf.data(), dwf.data(), dbf.data(), doutf.data(), doutf.data(), outf.data(),
                 xf.data(), wf.data(), c.b, c.in, c.out, c.act);
  expect_float_layer_gradients(dxf, dwf, dbf, dx, dw, db);
}

INSTANTIATE_TEST_SUITE_P(Shapes, DenseOp,
                         testing::Values(DenseCase{1, 5, 3, Activation::None},
                                         DenseCase{3, 37, 19, Activation::Relu},
                                         DenseCase{3, 256, 10, Activation::Tanh},
                                         DenseCase{2, 17, 33, Activation::Sigmoid}));

// ---------------------------------------------------------------------------------------------
// Softmax + cross-entropy

// Batch, classes and the label smoothing (0: none).
class SoftmaxXent : public testing::TestWithParam<std::tuple<int, int, double>> {};

TEST_P(SoftmaxXent, LossMatchesReferenceAndGradientMatchesCentralDifferences) {
  const auto [b, classes, smoothing] = GetParam();
  std::mt19937_64 rng(6);
  Vd logits = random_vec(size_t(b) * classes, rng, -4, 4);
  std::vector<int32_t> labels(b);
  for (int i = 0; i < b; ++i) labels[i] = static_cast<int32_t>(rng() % classes);
  const double scale = 1.0 / b;
  Vd probs(logits.size()), losses(b);
  auto loss = [&] {
    softmax_xent_forward(probs.data(), losses.data(), logits.data(), labels.data(), b, classes,
                         smoothing);
    double s = 0;
    for (double l : losses) s += l;
    return s * scale;
  };
  loss();
  Vd ref(b);  // -sum_j target_j log p_j, the target (1 - e) one-hot + e / K
  for (int i = 0; i < b; ++i) {
    double z = 0;
    for (int j = 0; j < classes; ++j) z += std::exp(logits[i * classes + j]);
    for (int j = 0; j < classes; ++j) {
      const double target = (j == labels[i] ? 1 - smoothing : 0) + smoothing / classes;
      ref[i] -= target * (logits[i * classes + j] - std::log(z));
    }
  }
  EXPECT_TRUE(all_close("double losses", losses.data(), ref.data(), b, 1e-12, 1e-12));
  Vf lf = to_float(logits), pf(lf.size()), lossf(b);
  softmax_xent_forward(pf.data(), lossf.data(), lf.data(), labels.data(), b, classes,
                       static_cast<float>(smoothing));
  EXPECT_TRUE(all_close("float losses", lossf.data(), ref.data(), b, 1e-5, 1e-5));
  EXPECT_TRUE(all_close("float probs", pf.data(), probs.data(), pf.size(), 1e-6, 1e-5));

  Vd dlogits(logits.size(), kGarbage);
  softmax_xent_backward(dlogits.data(), probs.data(), labels.data(), b, classes, scale, smoothing);
  EXPECT_TRUE(gradcheck("dlogits", logits, dlogits, loss, rng));
  // The float gradient against the double one.
  Vf df(dlogits.size(), static_cast<float>(kGarbage));
  softmax_xent_backward(df.data(), pf.data(), labels.data(), b, classes, static_cast<float>(scale),
                        static_cast<float>(smoothing));
  EXPECT_TRUE(all_close("float dlogits", df.data(), dlogits.data(), df.size(), 1e-6, 1e-5));
}

INSTANTIATE_TEST_SUITE_P(Shapes, SoftmaxXent,
                         testing::Values(std::tuple{1, 10, 0.0}, std::tuple{3, 10, 0.0},
                                         std::tuple{3, 2, 0.0}, std::tuple{5, 7, 0.0},
                                         std::tuple{3, 10, 0.1}, std::tuple{5, 7, 0.35},
                                         std::tuple{1, 2, 0.9}));

}  // namespace
}  // namespace cs::cpu
