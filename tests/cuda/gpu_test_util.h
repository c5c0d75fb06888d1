// Shared by the GPU tests: the skip when no GPU answers, random data, device round trips, and
// the comparison against a reference that prints the worst element and the normalized error.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "convscope/backends.h"
#include "convscope/dataset.h"
#include "cuda_raii.h"

namespace cs::test {

// Every GPU test starts with this.
#define CS_SKIP_WITHOUT_GPU()                                                          \
  do {                                                                                 \
    const ::cs::CudaStatus cs_status_ = ::cs::cuda_status();                           \
    if (!cs_status_.available) GTEST_SKIP() << "no usable GPU: " << cs_status_.reason; \
  } while (0)

inline std::vector<float> random_floats(size_t n, uint64_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Random images and labels: a stand-in for MNIST with any shape.
inline Dataset random_dataset(Shape3 shape, int count, int classes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Dataset d;
  d.name = "random/" + std::to_string(seed);
  d.shape = shape;
  d.count = count;
  d.classes = classes;
  d.images.resize(static_cast<size_t>(count) * static_cast<size_t>(shape.size()));
  d.labels.resize(static_cast<size_t>(count));
  for (uint8_t& p : d.images) p = static_cast<uint8_t>(rng() % 256);
  for (uint8_t& l : d.labels) l = static_cast<uint8_t>(rng() % static_cast<uint64_t>(classes));
  return d;
}

// Synchronizes the device: a pageable cudaMemcpy may return before its DMA lands, and the ops
// under test run on non-blocking streams that do not wait for the legacy stream.
template <typename T>
cuda::DeviceBuffer<T> to_device(const std::vector<T>& v) {
  cuda::DeviceBuffer<T> d(v.size(), "test data");
  if (!v.empty()) CUDA_CHECK(cudaMemcpy(d.get(), v.data(), d.bytes(), cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaDeviceSynchronize());
  return d;
}

template <typename T>
std::vector<T> to_host(const cuda::DeviceBuffer<T>& d) {
  CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<T> v(d.size());
  if (!v.empty()) CUDA_CHECK(cudaMemcpy(v.data(), d.get(), d.bytes(), cudaMemcpyDeviceToHost));
  return v;
}

// Passes when the normalized error sum((got - want)^2) / sum(want^2) is at most max_nmse (the
// measure ggml's test-backend-ops uses); the message names the worst element either way.
inline ::testing::AssertionResult close(const std::string& what, const std::vector<float>& got,
                                        const std::vector<float>& want, double max_nmse) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << what << ": " << got.size() << " values, expected " << want.size();
  double err = 0, ref = 0, worst = -1;
  size_t at = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double d = static_cast<double>(got[i]) - want[i];
    if (!std::isfinite(got[i]) && std::isfinite(want[i]))
      return ::testing::AssertionFailure()
             << what << "[" << i << "] = " << got[i] << ", expected " << want[i];
    err += d * d;
    ref += static_cast<double>(want[i]) * want[i];
    if (std::fabs(d) > worst) worst = std::fabs(d), at = i;
  }
  const double nmse = ref > 0 ? err / ref : err;
  ::testing::AssertionResult r =
      nmse <= max_nmse ? ::testing::AssertionSuccess() : ::testing::AssertionFailure();
  if (!got.empty())
    r << what << ": nmse " << nmse << " (max " << max_nmse << "), worst [" << at << "] " << got[at]
      << " vs " << want[at] << " of " << got.size();
  return r;
}

// Checks close() and prints its line (the worst element) whether it passes or not.
#define CS_EXPECT_CLOSE(what, got, want, max_nmse)                                         \
  do {                                                                                     \
    const ::testing::AssertionResult cs_r_ = ::cs::test::close(what, got, want, max_nmse); \
    std::printf("  %s\n", cs_r_.message());                                                \
    EXPECT_TRUE(cs_r_);                                                                    \
  } while (0)

// Top-1 hit rates compared as hit counts: rates is (rows, nets) with images[r] images behind row
// r. Passes when no count (rate * images, rounded) differs by more than one, which is one top-1
// flip on a near tie; the message names the largest difference either way.
inline ::testing::AssertionResult same_hits(const std::string& what, const std::vector<float>& got,
                                            const std::vector<float>& want,
                                            const std::vector<int>& images) {
  if (got.size() != want.size() || images.empty() || got.size() % images.size() != 0)
    return ::testing::AssertionFailure() << what << ": " << got.size() << " and " << want.size()
                                         << " rates for " << images.size() << " rows";
  const size_t nets = got.size() / images.size();
  long worst = -1, differ = 0;
  size_t at = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (!std::isfinite(got[i]))
      return ::testing::AssertionFailure() << what << "[" << i << "] = " << got[i];
    const double n = images[i / nets];
    const long d = std::labs(std::lround(got[i] * n) - std::lround(want[i] * n));
    differ += d != 0;
    if (d > worst) worst = d, at = i;
  }
  ::testing::AssertionResult r =
      worst <= 1 ? ::testing::AssertionSuccess() : ::testing::AssertionFailure();
  if (!got.empty())
    r << what << ": hit counts differ by at most " << worst << " (max 1), in " << differ << " of "
      << got.size() << "; worst [" << at << "] " << got[at] << " vs " << want[at] << " of "
      << images[at / nets] << " images";
  return r;
}

#define CS_EXPECT_SAME_HITS(what, got, want, images)                                         \
  do {                                                                                       \
    const ::testing::AssertionResult cs_r_ = ::cs::test::same_hits(what, got, want, images); \
    std::printf("  %s\n", cs_r_.message());                                                  \
    EXPECT_TRUE(cs_r_);                                                                      \
  } while (0)

// Network `net`'s contiguous (batch, size) slice of a (batch, nets, size) tensor, and back.
inline std::vector<float> net_slice(const std::vector<float>& v, int batch, int nets, int size,
                                    int net) {
  std::vector<float> out(static_cast<size_t>(batch) * size);
  for (int b = 0; b < batch; ++b)
    std::copy_n(v.begin() + (static_cast<long>(b) * nets + net) * size, size,
                out.begin() + static_cast<long>(b) * size);
  return out;
}

inline void put_net_slice(std::vector<float>& v, const std::vector<float>& slice, int batch,
                          int nets, int size, int net) {
  for (int b = 0; b < batch; ++b)
    std::copy_n(slice.begin() + static_cast<long>(b) * size, size,
                v.begin() + (static_cast<long>(b) * nets + net) * size);
}

}  // namespace cs::test
