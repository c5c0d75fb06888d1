// The CPU backend computes with denormals flushed to zero (MXCSR FTZ and DAZ, x86 only): on
// every pool thread while a call runs, and the caller's own MXCSR is as it was afterwards.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "convscope/backend.h"
#include "convscope/cpu_backend.h"
#include "cpu/thread_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define CONVSCOPE_HAVE_MXCSR 1
#endif

namespace cs {
namespace {

#ifdef CONVSCOPE_HAVE_MXCSR

constexpr unsigned kFtz = 0x8000, kDaz = 0x0040;  // MXCSR flush-to-zero, denormals-are-zero

// Keeps denormal arithmetic out of the compiler's reach: the product is made at run time.
float product(float a, float b) {
  volatile float x = a, y = b;
  return x * y;
}

TEST(Denormals, EveryPoolThreadFlushesAndTheCallerIsRestored) {
  for (int threads : {1, 2, 3}) {
    cpu::ThreadPool pool(threads);
    const unsigned before = _mm_getcsr();
    ASSERT_EQ(before & (kFtz | kDaz), 0u) << "the test thread should start without FTZ/DAZ";
    std::vector<unsigned> csr(8, 0);
    std::vector<float> tiny(8, -1.f);
    pool.parallel_for(8, [&](int task, int) {
      csr[task] = _mm_getcsr();
      tiny[task] = product(1e-20f, 1e-20f);  // 1e-40: a denormal result
    });
    for (int t = 0; t < 8; ++t) {
      EXPECT_EQ(csr[t] & (kFtz | kDaz), kFtz | kDaz) << threads << " threads, task " << t;
      EXPECT_EQ(tiny[t], 0.f) << threads << " threads, task " << t;
    }
    EXPECT_EQ(_mm_getcsr() & (kFtz | kDaz), 0u) << threads << " threads";
    EXPECT_NE(product(1e-20f, 1e-20f), 0.f) << "the caller still computes denormals";
  }
}

// A network whose hidden activations are a denormal bias (1e-39) and whose hidden weights are
// zero: the output layer's weight gradients are products of denormals and normal numbers, so
// they are exactly zero when flushed, and (with the default MXCSR) some of them are not.
TEST(Denormals, CpuBackendGradientsFlushDenormalProducts) {
  const Shape3 shape{1, 4, 4};
  Dataset d;
  d.name = "tiny";
  d.shape = shape;
  d.count = 16;
  d.classes = 4;
  for (int i = 0; i < d.count; ++i) {
    d.labels.push_back(static_cast<uint8_t>(i % 3));  // classes 0..2 only: class 3 never cancels
    for (int p = 0; p < shape.size(); ++p) d.images.push_back(static_cast<uint8_t>(i * 16 + p));
  }
  GroupConfig cfg;
  cfg.spec = NetworkSpec::parse("d6:relu-d4", shape, 4);
  cfg.batch_size = 16;
  auto backend = make_cpu_backend(2);  // two chunks: the worker computes half of the batch
  backend->configure(cfg, d, d);
  const std::vector<ParamInfo> params = cfg.spec.params();  // d6 weight, bias, d4 weight, bias
  ASSERT_EQ(params.size(), 4u);
  std::vector<float> w1(static_cast<size_t>(params[0].size()), 0.f);
  std::vector<float> b1(static_cast<size_t>(params[1].size()), 1e-39f);
  backend->write_tensor(0, 0, TensorRole::Param, w1.data());
  backend->write_tensor(0, 1, TensorRole::Param, b1.data());

  const unsigned before = _mm_getcsr();
  backend->begin_epoch(0);
  backend->train_step(0, 16);
  EXPECT_EQ(_mm_getcsr(), before) << "train_step left the caller's MXCSR changed";

  std::vector<float> dw2(static_cast<size_t>(params[2].size())), db2(4);
  backend->read_tensor(0, 2, TensorRole::Grad, dw2.data());
  backend->read_tensor(0, 3, TensorRole::Grad, db2.data());
  int nonzero = 0;
  for (float g : dw2) nonzero += g != 0.f;
  EXPECT_EQ(nonzero, 0) << "of " << dw2.size() << " output weight gradients, e.g. " << dw2[0];
  EXPECT_NE(db2[3], 0.f) << "the output gradient itself is a normal number";
  // The same product on this thread, unflushed: 1e-39 * dlogit of class 3 (about 1/4 / 16).
  EXPECT_NE(product(1e-39f, db2[3] / 16), 0.f);
}

#else

TEST(Denormals, NotX86) {
  GTEST_SKIP() << "FTZ/DAZ are set through the x86 MXCSR only";
}

#endif

}  // namespace
}  // namespace cs
