// Transpose by blocks: B rows of a B x B block are loaded as vectors, and log2(B) rounds swap the
// block's off-diagonal halves, quarters, ... between pairs of rows with two-vector shuffles (the
// recursive block transpose), after which row i holds column i.
#include "cpu/transpose.h"

#include <array>

#include "cpu/simd.h"

namespace cs::cpu {

namespace {

constexpr int kBytes = 32;  // 8 x 8 floats: the convolutions' rows of output pixels are short

// The shuffle of a round with stride S for row i (High: row i + S) of a pair: lanes l with bit S
// set take row i + S's lane l - S (row i), or keep their own (row i + S); the others keep their
// own (row i) or take row i's lane l + S (row i + S). __builtin_shuffle numbers the second
// vector's lanes after the first's.
template <typename T, int S, bool High>
constexpr std::array<simd::Int<T>, simd::kLanes<T, kBytes>> swap_mask() {
  constexpr int B = simd::kLanes<T, kBytes>;
  std::array<simd::Int<T>, B> m{};
  for (int l = 0; l < B; ++l) {
    const bool upper = (l & S) != 0;
    m[l] = static_cast<simd::Int<T>>(High ? (upper ? B + l : l + S) : (upper ? B + l - S : l));
  }
  return m;
}

template <typename T, int S>
[[gnu::always_inline]] inline void swap_round(simd::Vec<T, kBytes>* v) {
  static constexpr auto kLow = swap_mask<T, S, false>(), kHigh = swap_mask<T, S, true>();
  const auto low = simd::load<simd::Int<T>, kBytes>(kLow.data());
  const auto high = simd::load<simd::Int<T>, kBytes>(kHigh.data());
  for (int i = 0; i < simd::kLanes<T, kBytes>; ++i) {
    if (i & S) continue;
    const simd::Vec<T, kBytes> a = v[i], b = v[i + S];
    v[i] = __builtin_shuffle(a, b, low);
    v[i + S] = __builtin_shuffle(a, b, high);
  }
  if constexpr (S > 1) swap_round<T, S / 2>(v);
}

template <typename T>
[[gnu::always_inline]] inline void transpose_block(T* dst, long long ldd, const T* src,
                                                   long long lds) {
  constexpr int B = simd::kLanes<T, kBytes>;
  simd::Vec<T, kBytes> v[B];
  for (int i = 0; i < B; ++i) v[i] = simd::load<T, kBytes>(src + i * lds);
  swap_round<T, B / 2>(v);
  for (int i = 0; i < B; ++i) simd::store<T, kBytes>(dst + i * ldd, v[i]);
}

}  // namespace

template <typename T>
void transpose(T* dst, long long ldd, const T* src, long long lds, int rows, int cols) {
  constexpr int B = simd::kLanes<T, kBytes>;
  const int whole_rows = rows - rows % B, whole_cols = cols - cols % B;
  for (int r = 0; r < whole_rows; r += B)
    for (int c = 0; c < whole_cols; c += B)
      transpose_block(dst + c * ldd + r, ldd, src + r * lds + c, lds);
  for (int r = 0; r < rows; ++r)
    for (int c = r < whole_rows ? whole_cols : 0; c < cols; ++c)
      dst[c * ldd + r] = src[r * lds + c];
}

template void transpose<float>(float*, long long, const float*, long long, int, int);
template void transpose<double>(double*, long long, const double*, long long, int, int);

}  // namespace cs::cpu
