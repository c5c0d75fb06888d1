// Portable SIMD vectors for the CPU kernels: GCC/Clang generic vectors of 32 bytes (8 floats,
// 4 doubles). The compiler lowers them to AVX2/FMA (or AVX-512VL) registers under -march=native
// and to pairs of SSE registers elsewhere; no intrinsics are needed.
#pragma once

#include <cstring>
#include <type_traits>

namespace cs::cpu::simd {

template <typename T>
struct VecOf {
  typedef T type __attribute__((vector_size(32)));
};
template <typename T>
using Vec = typename VecOf<T>::type;
// The signed integer type of T's size: lane indices and comparison masks for Vec<T>.
template <typename T>
using Int = std::conditional_t<sizeof(T) == 8, long long, int>;

template <typename T>
inline constexpr int kLanes = static_cast<int>(32 / sizeof(T));

// AVX-512VL gives 32 vector registers, AVX2 16: the GEMM tile height follows.
#ifdef __AVX512VL__
inline constexpr int kVectorRegisters = 32;
#else
inline constexpr int kVectorRegisters = 16;
#endif

template <typename T>
inline Vec<T> load(const T* p) {
  Vec<T> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename T>
inline void store(T* p, Vec<T> v) {
  std::memcpy(p, &v, sizeof v);
}

template <typename T>
inline T hsum(Vec<T> v) {
  T s = 0;
  for (int l = 0; l < kLanes<T>; ++l) s += v[l];
  return s;
}

// Sum of n values with one vector of partial sums (no serial dependency chain per element).
template <typename T>
inline T sum(const T* x, int n) {
  Vec<T> acc{};
  int i = 0;
  for (; i + kLanes<T> <= n; i += kLanes<T>) acc += load(x + i);
  T s = hsum<T>(acc);
  for (; i < n; ++i) s += x[i];
  return s;
}

}  // namespace cs::cpu::simd
