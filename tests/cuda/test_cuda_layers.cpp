// Every CUDA layer op against the CPU op (cs::cpu) on the same random inputs, over a table of
// cases: shapes, strides, valid and same padding, batch sizes 1 / 7 / 64, one network and a
// group of three (grouped convolution, strided-batched GEMM), shared and per-network inputs;
// dropout's masks bit for bit.
// Both sides follow the gradient rule of convscope/op_conventions.h: parameter gradients start
// at the same prior values (and must be added to), input gradients start as garbage on the GPU
// (and must be overwritten).
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "cpu/ops/activation.h"
#include "cpu/ops/conv2d.h"
#include "cpu/ops/dense.h"
#include "cpu/ops/dropout.h"
#include "cpu/ops/pool.h"
#include "gpu_test_util.h"
#include "ops/activation.cuh"
#include "ops/conv2d.cuh"
#include "ops/dense.cuh"
#include "ops/dropout.cuh"
#include "ops/pool.cuh"

namespace cs {

// Readable parameter values in test listings (and so in CTest's test names).
static void PrintTo(Activation a, std::ostream* os) {
  *os << to_string(a);
}

namespace test {
namespace {

constexpr double kOpNmse = 1e-9;  // FP32 on both sides, different summation orders
constexpr float kGarbage = 1e3f;  // what input gradient buffers hold before backward

// Parameter gradients before backward: what earlier sub-batches would have left there.
std::vector<float> prior_grads(size_t n, uint64_t seed) {
  return random_floats(n, seed, -0.5f, 0.5f);
}

struct Gpu {
  cuda::Stream stream = cuda::make_stream();
  cuda::CudnnHandle cudnn = cuda::make_cudnn(stream.get());
  cuda::CublasHandle cublas = cuda::make_cublas(stream.get());
};

// ---- convolution ------------------------------------------------------------------------

struct ConvCase {
  Shape3 in;
  int filters, kernel, stride;
  Padding pad;
  Activation act;
  int batch, nets;
  bool shared;  // all networks read one input (a group's first layer)
};

std::string conv_name(const ConvCase& c) {
  return std::to_string(c.in.c) + "x" + std::to_string(c.in.h) + "x" + std::to_string(c.in.w) +
         "_k" + std::to_string(c.kernel) + "f" + std::to_string(c.filters) + "s" +
         std::to_string(c.stride) + (c.pad == Padding::Same ? "same_" : "valid_") +
         to_string(c.act) + "_b" + std::to_string(c.batch) + "n" + std::to_string(c.nets) +
         (c.shared ? "shared" : "grouped");
}

void PrintTo(const ConvCase& c, std::ostream* os) {
  *os << conv_name(c);
}

class ConvOp : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvOp, MatchesCpu) {
  CS_SKIP_WITHOUT_GPU();
  const ConvCase c = GetParam();
  const LayerSpec layer = LayerSpec::conv(c.kernel, c.filters, c.act, c.stride, c.pad);
  const cpu::ConvGeom g = cpu::ConvGeom::make(c.in, c.filters, c.kernel, c.stride, c.pad);
  const Shape3 out{g.oc, g.oh, g.ow};
  const int B = c.batch, N = c.nets, in_nets = c.shared ? 1 : N;
  const int in_size = c.in.size(), out_size = out.size();
  const int w_size = c.filters * c.in.c * c.kernel * c.kernel;
  const std::vector<float> x = random_floats(static_cast<size_t>(B) * in_nets * in_size, 1, 0, 1);
  const std::vector<float> w = random_floats(static_cast<size_t>(N) * w_size, 2, -0.3f, 0.3f);
  const std::vector<float> b = random_floats(static_cast<size_t>(N) * c.filters, 3, -0.1f, 0.1f);
  const std::vector<float> dy = random_floats(static_cast<size_t>(B) * N * out_size, 4);
  const std::vector<float> dw0 = prior_grads(w.size(), 14), db0 = prior_grads(b.size(), 15);

  Gpu gpu;
  const cuda::ConvShape shape = cuda::conv_shape(layer, c.in, out, B, N, c.shared);
  const cuda::ConvPlan plan(gpu.cudnn.get(), shape, true, !c.shared);
  cuda::DeviceBuffer<unsigned char> ws(plan.workspace_bytes, "workspace");
  auto d_x = to_device(x), d_w = to_device(w), d_b = to_device(b), d_dy = to_device(dy);
  auto d_dx = to_device(std::vector<float>(x.size(), kGarbage));
  auto d_dw = to_device(dw0), d_db = to_device(db0);
  const size_t padded = shape.padded_copy() ? shape.padded_size() : 0;
  cuda::DeviceBuffer<float> d_y(shape.output_size(), "out"), d_dpre(shape.output_size(), "dpre"),
      d_xpad(padded, "inp_pad"), d_dxpad(padded, "dinp_pad");
  cuda::conv2d_forward(gpu.cudnn.get(), plan, {ws.get(), ws.bytes()}, d_y.get(), d_xpad.get(),
                       d_x.get(), d_w.get(), d_b.get(), c.act, gpu.stream.get());
  cuda::conv2d_backward(gpu.cudnn.get(), plan, {ws.get(), ws.bytes()},
                        c.shared ? nullptr : d_dx.get(), d_dw.get(), d_db.get(), d_dpre.get(),
                        d_dxpad.get(), d_dy.get(), d_y.get(), d_x.get(), d_xpad.get(), d_w.get(),
                        c.act, gpu.stream.get());

  std::vector<float> want_y(shape.output_size()), want_dx(x.size()), want_dw = dw0, want_db = db0;
  std::vector<float> scratch(static_cast<size_t>(cpu::conv2d_scratch_size(g)));
  for (int n = 0; n < N; ++n) {
    const std::vector<float> xn = c.shared ? x : net_slice(x, B, N, in_size, n);
    std::vector<float> yn(static_cast<size_t>(B) * out_size), dxn(xn.size());
    std::vector<float> dout = net_slice(dy, B, N, out_size, n);
    const float* wn = w.data() + static_cast<size_t>(n) * w_size;
    const float* bn = b.data() + static_cast<size_t>(n) * c.filters;
    cpu::conv2d_forward<float>(yn.data(), scratch.data(), xn.data(), wn, bn, B, g, c.act);
    cpu::conv2d_backward<float>(c.shared ? nullptr : dxn.data(),
                                want_dw.data() + static_cast<size_t>(n) * w_size,
                                want_db.data() + static_cast<size_t>(n) * c.filters, dout.data(),
                                scratch.data(), dout.data(), yn.data(), xn.data(), wn, B, g, c.act);
    put_net_slice(want_y, yn, B, N, out_size, n);
    if (!c.shared) put_net_slice(want_dx, dxn, B, N, in_size, n);
  }
  CS_EXPECT_CLOSE("conv y", to_host(d_y), want_y, kOpNmse);
  CS_EXPECT_CLOSE("conv dw", to_host(d_dw), want_dw, kOpNmse);
  CS_EXPECT_CLOSE("conv db", to_host(d_db), want_db, kOpNmse);
  if (!c.shared) CS_EXPECT_CLOSE("conv dx", to_host(d_dx), want_dx, kOpNmse);
}

constexpr Padding V = Padding::Valid, S = Padding::Same;
constexpr Activation R = Activation::Relu, T = Activation::Tanh, G = Activation::Sigmoid,
                     L = Activation::None;

INSTANTIATE_TEST_SUITE_P(Table, ConvOp,
                         ::testing::Values(
                             // the reference network's two convolutions
                             ConvCase{{1, 28, 28}, 8, 5, 1, V, R, 1, 1, true},
                             ConvCase{{1, 28, 28}, 8, 5, 1, V, R, 7, 3, true},
                             ConvCase{{1, 28, 28}, 8, 5, 1, V, R, 64, 3, false},
                             ConvCase{{8, 12, 12}, 16, 5, 1, V, R, 64, 1, false},
                             ConvCase{{8, 12, 12}, 16, 5, 1, V, R, 7, 3, false},
                             // same padding: odd kernel, even kernel (uneven padding), strided
                             ConvCase{{3, 9, 9}, 4, 3, 1, S, T, 7, 3, false},
                             ConvCase{{2, 10, 10}, 5, 4, 1, S, G, 7, 3, false},
                             ConvCase{{2, 10, 10}, 5, 4, 1, S, G, 1, 1, true},
                             ConvCase{{2, 11, 11}, 3, 3, 2, S, L, 7, 3, false},
                             ConvCase{{2, 7, 9}, 3, 4, 3, S, R, 7, 3, false},
                             ConvCase{{2, 12, 12}, 3, 4, 2, S, R, 64, 1, false},
                             // valid with stride, kernel 1
                             ConvCase{{4, 8, 8}, 6, 2, 2, V, L, 64, 3, false},
                             ConvCase{{3, 7, 7}, 2, 1, 1, V, T, 7, 1, true},
                             // the own weight-gradient kernel's largest sizes (6 with uneven
                             // padding), then 9, whose weight gradient cuDNN computes
                             ConvCase{{3, 12, 12}, 4, 6, 1, S, R, 7, 3, false},
                             ConvCase{{2, 14, 14}, 3, 7, 2, V, T, 7, 3, true},
                             ConvCase{{1, 20, 20}, 2, 9, 1, V, R, 7, 3, false}),
                         [](const auto& info) { return conv_name(info.param); });

// ---- pooling ----------------------------------------------------------------------------

struct PoolCase {
  LayerKind kind;
  Shape3 in;
  int window, batch, nets;
};

std::string pool_name(const PoolCase& c) {
  return to_string(c.kind) + "_" + std::to_string(c.in.c) + "x" + std::to_string(c.in.h) + "x" +
         std::to_string(c.in.w) + "_w" + std::to_string(c.window) + "_b" + std::to_string(c.batch) +
         "n" + std::to_string(c.nets);
}

void PrintTo(const PoolCase& c, std::ostream* os) {
  *os << pool_name(c);
}

class PoolOp : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolOp, MatchesCpu) {
  CS_SKIP_WITHOUT_GPU();
  const PoolCase c = GetParam();
  const int planes_b = c.batch * c.nets;  // (batch, nets) images of C planes each
  const int oh = c.in.h / c.window, ow = c.in.w / c.window;
  const cuda::PoolShape shape{planes_b * c.in.c, c.in.h, c.in.w, c.window, oh, ow};
  const size_t in_n = static_cast<size_t>(planes_b) * c.in.size();
  const size_t out_n = static_cast<size_t>(planes_b) * c.in.c * oh * ow;
  std::vector<float> x = random_floats(in_n, 5);
  for (size_t i = 0; i < x.size(); i += 7) x[i] = 0.f;  // ties, as after a relu
  const std::vector<float> dy = random_floats(out_n, 6);

  Gpu gpu;
  auto d_x = to_device(x), d_dy = to_device(dy);
  auto d_dx = to_device(std::vector<float>(in_n, kGarbage));
  cuda::DeviceBuffer<float> d_y(out_n, "out");
  cuda::DeviceBuffer<int> d_arg(out_n, "argmax");
  const bool max = c.kind == LayerKind::MaxPool;
  if (max) {
    cuda::maxpool_forward(d_y.get(), d_arg.get(), d_x.get(), shape, gpu.stream.get());
    cuda::maxpool_backward(d_dx.get(), d_dy.get(), d_arg.get(), shape, gpu.stream.get());
  } else {
    cuda::avgpool_forward(d_y.get(), d_x.get(), shape, gpu.stream.get());
    cuda::avgpool_backward(d_dx.get(), d_dy.get(), shape, gpu.stream.get());
  }

  std::vector<float> want_y(out_n), want_dx(in_n);
  std::vector<int32_t> arg(out_n);
  if (max) {
    cpu::maxpool_forward<float>(want_y.data(), arg.data(), x.data(), planes_b, c.in.c, c.in.h,
                                c.in.w, c.window);
    cpu::maxpool_backward<float>(want_dx.data(), dy.data(), arg.data(), planes_b, c.in.c, c.in.h,
                                 c.in.w, c.window);
  } else {
    cpu::avgpool_forward<float>(want_y.data(), x.data(), planes_b, c.in.c, c.in.h, c.in.w,
                                c.window);
    cpu::avgpool_backward<float>(want_dx.data(), dy.data(), planes_b, c.in.c, c.in.h, c.in.w,
                                 c.window);
  }
  CS_EXPECT_CLOSE("pool y", to_host(d_y), want_y, 0);
  CS_EXPECT_CLOSE("pool dx", to_host(d_dx), want_dx, kOpNmse);
  if (max) {  // one meaning of argmax on both sides: the position in the window
    const std::vector<int> got_arg = to_host(d_arg);
    EXPECT_TRUE(std::equal(got_arg.begin(), got_arg.end(), arg.begin(), arg.end()));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, PoolOp,
                         ::testing::Values(PoolCase{LayerKind::MaxPool, {8, 24, 24}, 2, 64, 1},
                                           PoolCase{LayerKind::MaxPool, {16, 8, 8}, 2, 7, 3},
                                           PoolCase{LayerKind::MaxPool, {3, 7, 9}, 3, 1, 3},
                                           PoolCase{LayerKind::AvgPool, {4, 10, 10}, 2, 7, 3},
                                           PoolCase{LayerKind::AvgPool, {2, 11, 13}, 4, 64, 1}),
                         [](const auto& info) { return pool_name(info.param); });

// ---- dense ------------------------------------------------------------------------------

struct DenseCase {
  int in, out;
  Activation act;
  int batch, nets;
};

std::string dense_name(const DenseCase& c) {
  return std::to_string(c.in) + "to" + std::to_string(c.out) + "_" + to_string(c.act) + "_b" +
         std::to_string(c.batch) + "n" + std::to_string(c.nets);
}

void PrintTo(const DenseCase& c, std::ostream* os) {
  *os << dense_name(c);
}

class DenseOp : public ::testing::TestWithParam<DenseCase> {};

TEST_P(DenseOp, MatchesCpu) {
  CS_SKIP_WITHOUT_GPU();
  const DenseCase c = GetParam();
  const int B = c.batch, N = c.nets;
  const std::vector<float> x = random_floats(static_cast<size_t>(B) * N * c.in, 7);
  const std::vector<float> w = random_floats(static_cast<size_t>(N) * c.out * c.in, 8, -.2f, .2f);
  const std::vector<float> b = random_floats(static_cast<size_t>(N) * c.out, 9, -.1f, .1f);
  const std::vector<float> dy = random_floats(static_cast<size_t>(B) * N * c.out, 10);
  const std::vector<float> dw0 = prior_grads(w.size(), 16), db0 = prior_grads(b.size(), 17);

  Gpu gpu;
  auto d_x = to_device(x), d_w = to_device(w), d_b = to_device(b), d_dy = to_device(dy);
  auto d_dx = to_device(std::vector<float>(x.size(), kGarbage));
  auto d_dw = to_device(dw0), d_db = to_device(db0);
  cuda::DeviceBuffer<float> d_y(dy.size(), "out"), d_dpre(dy.size(), "dpre");
  const cuda::DenseShape shape{B, N, c.in, c.out};
  cuda::dense_forward(gpu.cublas.get(), shape, d_y.get(), d_x.get(), d_w.get(), d_b.get(), c.act,
                      gpu.stream.get());
  cuda::dense_backward(gpu.cublas.get(), shape, d_dx.get(), d_dw.get(), d_db.get(), d_dpre.get(),
                       d_dy.get(), d_y.get(), d_x.get(), d_w.get(), c.act, gpu.stream.get());

  std::vector<float> want_y(dy.size()), want_dx(x.size()), want_dw = dw0, want_db = db0;
  const size_t wn_size = static_cast<size_t>(c.out) * c.in;
  for (int n = 0; n < N; ++n) {
    const std::vector<float> xn = net_slice(x, B, N, c.in, n);
    std::vector<float> yn(static_cast<size_t>(B) * c.out), dxn(xn.size());
    std::vector<float> dout = net_slice(dy, B, N, c.out, n);
    const float* wn = w.data() + n * wn_size;
    std::vector<float> scratch(static_cast<size_t>(cpu::dense_scratch_size(B, c.in, c.out)));
    cpu::dense_forward<float>(yn.data(), scratch.data(), xn.data(), wn, b.data() + n * c.out, B,
                              c.in, c.out, c.act);
    cpu::dense_backward<float>(dxn.data(), want_dw.data() + n * wn_size, want_db.data() + n * c.out,
                               dout.data(), dout.data(), yn.data(), xn.data(), wn, B, c.in, c.out,
                               c.act);
    put_net_slice(want_y, yn, B, N, c.out, n);
    put_net_slice(want_dx, dxn, B, N, c.in, n);
  }
  CS_EXPECT_CLOSE("dense y", to_host(d_y), want_y, kOpNmse);
  CS_EXPECT_CLOSE("dense dx", to_host(d_dx), want_dx, kOpNmse);
  CS_EXPECT_CLOSE("dense dw", to_host(d_dw), want_dw, kOpNmse);
  CS_EXPECT_CLOSE("dense db", to_host(d_db), want_db, kOpNmse);
}

INSTANTIATE_TEST_SUITE_P(Table, DenseOp,
                         ::testing::Values(DenseCase{256, 128, R, 64, 1},
                                           DenseCase{256, 128, R, 7, 3},
                                           DenseCase{128, 10, L, 64, 3},
                                           DenseCase{784, 32, T, 1, 3}, DenseCase{17, 5, G, 7, 1}),
                         [](const auto& info) { return dense_name(info.param); });

// ---- bias + activation ------------------------------------------------------------------

class ActivationOp : public ::testing::TestWithParam<Activation> {};

TEST_P(ActivationOp, MatchesCpu) {
  CS_SKIP_WITHOUT_GPU();
  const Activation act = GetParam();
  const int outer = 7, channels = 12, inner = 25;
  const size_t n = static_cast<size_t>(outer) * channels * inner;
  const std::vector<float> x = random_floats(n, 11, -3, 3), dy = random_floats(n, 12);
  const std::vector<float> bias = random_floats(channels, 13), db0 = prior_grads(channels, 18);
  Gpu gpu;
  auto d_y = to_device(x), d_b = to_device(bias), d_dy = to_device(dy), d_db = to_device(db0);
  cuda::DeviceBuffer<float> d_dpre(n, "dpre");
  cuda::bias_activation_forward(d_y.get(), d_b.get(), outer, channels, inner, act,
                                gpu.stream.get());
  const float* d_grad =
      cuda::bias_activation_backward(d_dpre.get(), d_db.get(), d_dy.get(), d_y.get(), outer,
                                     channels, inner, act, gpu.stream.get());
  EXPECT_EQ(d_grad, act == Activation::None ? d_dy.get() : d_dpre.get());

  std::vector<float> want_y = x, want_dpre = dy, want_db = db0;
  cpu::bias_activation_forward<float>(want_y.data(), bias.data(), outer, channels, inner, act);
  cpu::bias_activation_backward<float>(want_dpre.data(), want_db.data(), want_dpre.data(),
                                       want_y.data(), outer, channels, inner, act);
  CS_EXPECT_CLOSE("activation out", to_host(d_y), want_y, 1e-12);
  CS_EXPECT_CLOSE("activation dpre", to_host(act == Activation::None ? d_dy : d_dpre), want_dpre,
                  1e-12);
  CS_EXPECT_CLOSE("bias dbias", to_host(d_db), want_db, kOpNmse);
}

INSTANTIATE_TEST_SUITE_P(Table, ActivationOp,
                         ::testing::Values(Activation::None, Activation::Relu, Activation::Tanh,
                                           Activation::Sigmoid),
                         [](const auto& info) { return to_string(info.param); });

// ---- dropout ----------------------------------------------------------------------------

struct DropoutCase {
  int batch, nets, size;
  float rate;
};

class DropoutOp : public ::testing::TestWithParam<DropoutCase> {};

// Bit for bit: network n of the group with the mask of its own seed at the device's step, each
// sample's values at its place in the batch, as the CPU op over that network's batch.
TEST_P(DropoutOp, MatchesCpuBitForBit) {
  CS_SKIP_WITHOUT_GPU();
  const DropoutCase c = GetParam();
  const int B = c.batch, N = c.nets, layer = 3;
  const long long step = 41;
  const size_t n = static_cast<size_t>(B) * N * c.size;
  const std::vector<float> x = random_floats(n, 21, -2, 2), dy = random_floats(n, 22);
  std::vector<uint64_t> seeds;
  for (int k = 0; k < N; ++k) seeds.push_back(1000 + 7 * static_cast<uint64_t>(k));
  Gpu gpu;
  auto d_x = to_device(x), d_dy = to_device(dy);
  auto d_seeds = to_device(seeds);
  auto d_step = to_device(std::vector<long long>{step});
  cuda::DeviceBuffer<float> d_y(n, "y"), d_dx(n, "dx");
  const cuda::DropoutShape shape{B, N, c.size, layer, c.rate, d_seeds.get(), d_step.get()};
  cuda::dropout_forward(d_y.get(), d_x.get(), shape, gpu.stream.get());
  cuda::dropout_backward(d_dx.get(), d_dy.get(), shape, gpu.stream.get());

  std::vector<float> want_y(n), want_dx(n);
  for (int k = 0; k < N; ++k) {
    const DropoutMask mask = dropout_mask({seeds[k], step}, layer, c.rate);
    std::vector<float> xn = net_slice(x, B, N, c.size, k), dyn = net_slice(dy, B, N, c.size, k);
    std::vector<float> yn(xn.size()), dxn(xn.size());
    cpu::dropout_forward<float>(yn.data(), xn.data(), mask, 0, static_cast<long long>(xn.size()));
    cpu::dropout_backward<float>(dxn.data(), dyn.data(), mask, 0,
                                 static_cast<long long>(xn.size()));
    put_net_slice(want_y, yn, B, N, c.size, k);
    put_net_slice(want_dx, dxn, B, N, c.size, k);
  }
  EXPECT_EQ(to_host(d_y), want_y);
  EXPECT_EQ(to_host(d_dx), want_dx);
  size_t zeros = 0;
  for (float v : want_y) zeros += v == 0.f;
  EXPECT_GT(zeros, 0u);
  EXPECT_LT(zeros, n);
}

INSTANTIATE_TEST_SUITE_P(Table, DropoutOp,
                         ::testing::Values(DropoutCase{64, 1, 128, 0.5f},
                                           DropoutCase{7, 3, 8 * 12 * 12, 0.2f},
                                           DropoutCase{1, 50, 256, 0.75f}),
                         [](const auto& info) {
                           const DropoutCase& c = info.param;
                           return "b" + std::to_string(c.batch) + "n" + std::to_string(c.nets) +
                                  "s" + std::to_string(c.size) + "p" +
                                  std::to_string(static_cast<int>(c.rate * 100));
                         });

}  // namespace
}  // namespace test
}  // namespace cs
