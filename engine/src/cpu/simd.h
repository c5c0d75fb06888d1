// Portable SIMD vectors for the CPU kernels: GCC/Clang generic vectors. The default width is a
// machine's widest: 64 bytes (16 floats, 8 doubles) where AVX-512F is enabled (-march=native on
// an AVX-512 CPU), 32 bytes otherwise; the compiler lowers them to ZMM, YMM or pairs of SSE
// registers, so no intrinsics are needed. A kernel whose rows are short (pooling) asks for 32.
#pragma once

#include <array>
#include <cstring>
#include <type_traits>

namespace cs::cpu::simd {

#ifdef __AVX512F__
inline constexpr int kBytes = 64;
inline constexpr int kVectorRegisters = 32;
#else
inline constexpr int kBytes = 32;
inline constexpr int kVectorRegisters = 16;
#endif

template <typename T, int Bytes>
struct VecOf {
  typedef T type __attribute__((vector_size(Bytes)));
};
template <typename T, int Bytes = kBytes>
using Vec = typename VecOf<T, Bytes>::type;
// The signed integer type of T's size: lane indices and comparison masks for Vec<T>.
template <typename T>
using Int = std::conditional_t<sizeof(T) == 8, long long, int>;

template <typename T, int Bytes = kBytes>
inline constexpr int kLanes = static_cast<int>(Bytes / sizeof(T));

template <typename T, int Bytes = kBytes>
inline Vec<T, Bytes> load(const T* p) {
  Vec<T, Bytes> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename T, int Bytes = kBytes>
inline void store(T* p, Vec<T, Bytes> v) {
  std::memcpy(p, &v, sizeof v);
}

// The sum of v's lanes as a tree: the halves are added until one 16-byte vector is left.
template <typename T, int Bytes = kBytes>
inline T hsum(Vec<T, Bytes> v) {
  if constexpr (Bytes > 16) {
    constexpr int kHalf = Bytes / 2;
    constexpr int kHalfLanes = kLanes<T, kHalf>;
    Vec<T, kHalf> lo, hi;  // lane by lane: the compiler extracts the halves in registers
    for (int l = 0; l < kHalfLanes; ++l) {
      lo[l] = v[l];
      hi[l] = v[l + kHalfLanes];
    }
    return hsum<T, kHalf>(lo + hi);
  } else {
    T s = 0;
    for (int l = 0; l < kLanes<T, Bytes>; ++l) s += v[l];
    return s;
  }
}

namespace detail {

// Lane l of a step of hsums: from the vectors (a, b), in blocks of 2h lanes whose first h lanes
// come from a and the last h from b, lanes pos and pos + h of the block (high: the second).
template <typename T, int H, bool High>
constexpr std::array<Int<T>, kLanes<T>> pair_mask() {
  std::array<Int<T>, kLanes<T>> m{};
  for (int l = 0; l < kLanes<T>; ++l) {
    const int block = l / (2 * H) * 2 * H, pos = l % (2 * H);
    const int from_b = pos < H ? 0 : kLanes<T>;  // __builtin_shuffle numbers b's lanes after a's
    m[l] = static_cast<Int<T>>(from_b + block + (pos < H ? pos : pos - H) + (High ? H : 0));
  }
  return m;
}

template <typename T, int H>
[[gnu::always_inline]] inline void hsums_step(Vec<T>* v, int n) {
  static constexpr std::array<Int<T>, kLanes<T>> kLo = pair_mask<T, H, false>(),
                                                 kHi = pair_mask<T, H, true>();
  const Vec<Int<T>> lo = load(kLo.data()), hi = load(kHi.data());
  for (int m = 0; m < n / 2; ++m)
    v[m] = __builtin_shuffle(v[2 * m], v[2 * m + 1], lo) +
           __builtin_shuffle(v[2 * m], v[2 * m + 1], hi);
  if constexpr (H > 1) hsums_step<T, H / 2>(v, n / 2);
}

}  // namespace detail

// The lane sums of kLanes vectors as one vector: lane l = hsum(v[l]). A butterfly: each step
// adds the halves of two vectors' blocks into one vector, so the kLanes vectors take kLanes - 1
// steps of two shuffles and an add (hsum on each would take a tree of extracts per vector).
template <typename T>
[[gnu::always_inline]] inline Vec<T> hsums(const Vec<T> (&v)[kLanes<T>]) {
  constexpr int L = kLanes<T>;
  Vec<T> w[L];
  for (int m = 0; m < L; ++m) {  // bit-reversed: the butterfly leaves w[m]'s sum in lane rev(m)
    int rev = 0;
    for (int bit = 1; bit < L; bit <<= 1) rev = rev << 1 | ((m & bit) ? 1 : 0);
    w[m] = v[rev];
  }
  detail::hsums_step<T, L / 2>(w, L);
  return w[0];
}

// Sum of n values with four vectors of partial sums: four independent chains of adds, not one
// chain that waits on each add's latency.
template <typename T>
inline T sum(const T* x, int n) {
  constexpr int L = kLanes<T>;
  Vec<T> acc[4] = {};
  int i = 0;
  for (; i + 4 * L <= n; i += 4 * L)
    for (int c = 0; c < 4; ++c) acc[c] += load(x + i + c * L);
  for (; i + L <= n; i += L) acc[0] += load(x + i);
  T s = hsum<T>((acc[0] + acc[1]) + (acc[2] + acc[3]));
  for (; i < n; ++i) s += x[i];
  return s;
}

}  // namespace cs::cpu::simd
