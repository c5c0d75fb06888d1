// GEMM kernels. The nn family: MR x (2 vectors) outer-product tiles over K blocks of kKc, with
// the accumulators held in registers; a partial column block of B is copied into a zero-padded
// panel. How A and B rows are found is a small policy (strided or gathered), so the implicit
// convolution GEMMs share the same tiles. gemm_nt: R x C dot-product tiles.
#include "cpu/gemm.h"

#include <algorithm>
#include <array>
#include <utility>

#include "cpu/simd.h"

namespace cs::cpu {

namespace {

using simd::kLanes;
using simd::Vec;

constexpr int kKc = 256;                                       // K block of the nn family
constexpr int kMr = simd::kVectorRegisters >= 32 ? 8 : 6;      // nn tile rows
constexpr int kWideNv = simd::kVectorRegisters >= 32 ? 3 : 2;  // widest nn tile, in vectors
constexpr int kNtRows = simd::kVectorRegisters >= 32 ? 4 : 2;  // gemm_nt tile rows
constexpr int kNtCols = 4;                                     // gemm_nt tile columns

// A(i, k) = p[i * rs + k * ks].
template <typename T>
struct StridedA {
  const T* p;
  long long rs, ks;
  T at(int i, int k) const { return p[i * rs + k * ks]; }
  StridedA block(int i0, int k0) const { return {p + i0 * rs + k0 * ks, rs, ks}; }
};

// A(i, k) = p[rows[i] + cols[k]].
template <typename T>
struct GatheredA {
  const T* p;
  const int32_t *rows, *cols;
  T at(int i, int k) const { return (p + cols[k])[rows[i]]; }  // a pointer per k, not an index
  GatheredA block(int i0, int k0) const { return {p, rows + i0, cols + k0}; }
};

// Row k of B starts at p + k * ld.
template <typename T>
struct StridedB {
  const T* p;
  long long ld;
  const T* row(int k) const { return p + k * ld; }
  StridedB block(int k0, int j0) const { return {p + k0 * ld + j0, ld}; }
};

// Row k of B starts at p + rows[k].
template <typename T>
struct GatheredB {
  const T* p;
  const int32_t* rows;
  const T* row(int k) const { return p + rows[k]; }
  GatheredB block(int k0, int j0) const { return {p + j0, rows + k0}; }
};

// Row i of C starts at p + i * ld.
template <typename T>
struct StridedC {
  T* p;
  long long ld;
  T* row(int i) const { return p + i * ld; }
  StridedC block(int i0, int j0) const { return {p + i0 * ld + j0, ld}; }
};

// C tile (R, NV * lanes) = [C +] A (R, K) · B (K, NV * lanes); the sum starts from zero and is
// stored to (or added to) C at the end.
template <typename T, int R, int NV, typename MatA, typename MatB, typename MatC>
void tile_nn(int K, const MatA& a, const MatB& b, const MatC& c, bool add) {
  using V = Vec<T>;
  constexpr int L = kLanes<T>;
  V acc[R][NV] = {};
  for (int k = 0; k < K; ++k) {
    const T* bk = b.row(k);
    V bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = simd::load(bk + v * L);
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const T ai = a.at(i, k);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] += ai * bv[v];
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
    T* ci = c.row(i);
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (add) acc[i][v] += simd::load(ci + v * L);
      simd::store(ci + v * L, acc[i][v]);
    }
  }
}

template <typename T, typename MatA, typename MatB, typename MatC>
using TileNn = void (*)(int, const MatA&, const MatB&, const MatC&, bool);

template <typename T, int NV, typename MatA, typename MatB, typename MatC, int... R>
constexpr std::array<TileNn<T, MatA, MatB, MatC>, sizeof...(R)> nn_tiles(
    std::integer_sequence<int, R...>) {
  return {&tile_nn<T, R + 1, NV, MatA, MatB, MatC>...};
}

// The nn driver: K blocks, then column blocks of B as wide as they can be (kWideNv vectors, then
// two, then one; a last part of a vector goes through a zero-padded panel and a C tile), then row
// tiles of A, as few as kMr allows and of even heights: a tile of one row is one chain of
// dependent FMAs, which waits on their latency.
template <typename T, typename MatA, typename MatB, typename MatC>
void gemm_nn_driver(int M, int N, int K, MatA A, MatB B, MatC C, bool accumulate) {
  static constexpr std::array<std::array<TileNn<T, MatA, MatB, MatC>, kMr>, 3> kDirect = {
      nn_tiles<T, 1, MatA, MatB, MatC>(std::make_integer_sequence<int, kMr>{}),
      nn_tiles<T, 2, MatA, MatB, MatC>(std::make_integer_sequence<int, kMr>{}),
      nn_tiles<T, kWideNv, MatA, MatB, MatC>(std::make_integer_sequence<int, kMr>{})};
  static constexpr auto kPadded =
      nn_tiles<T, 2, MatA, StridedB<T>, StridedC<T>>(std::make_integer_sequence<int, kMr>{});
  constexpr int L = kLanes<T>, kNr = 2 * L;
  if (K == 0 && !accumulate) {
    for (int i = 0; i < M; ++i) std::fill(C.row(i), C.row(i) + N, T(0));
    return;
  }
  alignas(32) T panel[kKc * kNr];  // a partial column block of B, zero-padded
  alignas(32) T ctile[kMr * kNr];  // and the C tile it produces
  for (int k0 = 0; k0 < K; k0 += kKc) {
    const int kc = std::min(kKc, K - k0);
    const bool add = accumulate || k0 > 0;
    for (int j0 = 0; j0 < N;) {
      const int left = N - j0;
      // four vectors go as two and two: a one-vector block's tiles have half the FMA chains
      const int nv = left >= kWideNv * L && left / L != 4 ? kWideNv
                     : left >= 2 * L                      ? 2
                     : left >= L                          ? 1
                                                          : 0;
      const int nr = nv > 0 ? nv * L : left;  // nv 0: a partial vector, through the panel
      const MatB b = B.block(k0, j0);
      if (nv == 0) {
        for (int k = 0; k < kc; ++k) {
          std::copy(b.row(k), b.row(k) + nr, panel + k * kNr);
          std::fill(panel + k * kNr + nr, panel + (k + 1) * kNr, T(0));
        }
      }
      const int tiles = (M + kMr - 1) / kMr;
      for (int t = 0, i0 = 0, mr = 0; t < tiles; ++t, i0 += mr) {
        mr = (M - i0) / (tiles - t);  // rows spread evenly: 25 as 6, 6, 6, 7, not 8, 8, 8, 1
        const MatA a = A.block(i0, k0);
        const MatC c = C.block(i0, j0);
        if (nv > 0) {
          kDirect[nv - 1][mr - 1](kc, a, b, c, add);
          continue;
        }
        kPadded[mr - 1](kc, a, StridedB<T>{panel, kNr}, StridedC<T>{ctile, kNr}, false);
        for (int i = 0; i < mr; ++i)
          for (int j = 0; j < nr; ++j)
            c.row(i)[j] = add ? c.row(i)[j] + ctile[i * kNr + j] : ctile[i * kNr + j];
      }
      j0 += nr;
    }
  }
}

// C tile (R, C) = [C +] A (R, K) · B (C, K)^T; row j of B starts at b.row(j).
template <typename T, int R, int C, typename MatB>
void tile_nt(int K, const T* __restrict a, int lda, MatB b, T* __restrict c, int ldc,
             bool accumulate) {
  using V = Vec<T>;
  constexpr int L = kLanes<T>;
  const int kv = K - K % L;
  const T* brow[C];
  for (int j = 0; j < C; ++j) brow[j] = b.row(j);
  V acc[R][C] = {};
  for (int k = 0; k < kv; k += L) {
    V av[R];
    for (int i = 0; i < R; ++i) av[i] = simd::load(a + i * lda + k);
    for (int j = 0; j < C; ++j) {
      const V bv = simd::load(brow[j] + k);
      for (int i = 0; i < R; ++i) acc[i][j] += av[i] * bv;
    }
  }
  if (kv < K) {
    alignas(64) T av[R][L] = {}, bv[C][L] = {};  // the K tail, zero-padded to one vector
    for (int k = kv; k < K; ++k) {
      for (int i = 0; i < R; ++i) av[i][k - kv] = a[i * lda + k];
      for (int j = 0; j < C; ++j) bv[j][k - kv] = brow[j][k];
    }
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < C; ++j) acc[i][j] += simd::load(av[i]) * simd::load(bv[j]);
  }
  alignas(64) T sums[R * C];
  if constexpr (R * C == L) {  // a whole vector of sums: one butterfly
    V flat[L];
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < C; ++j) flat[i * C + j] = acc[i][j];
    simd::store(sums, simd::hsums<T>(flat));
  } else {
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < C; ++j) sums[i * C + j] = simd::hsum<T>(acc[i][j]);
  }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j)
      c[i * ldc + j] = accumulate ? c[i * ldc + j] + sums[i * C + j] : sums[i * C + j];
}

template <typename T, typename MatB>
using TileNt = void (*)(int, const T*, int, MatB, T*, int, bool);

template <typename T, typename MatB, int R, int... C>
constexpr std::array<TileNt<T, MatB>, sizeof...(C)> nt_row(std::integer_sequence<int, C...>) {
  return {&tile_nt<T, R, C + 1, MatB>...};
}

template <typename T, typename MatB, int... R>
constexpr std::array<std::array<TileNt<T, MatB>, kNtCols>, sizeof...(R)> nt_tiles(
    std::integer_sequence<int, R...>) {
  return {nt_row<T, MatB, R + 1>(std::make_integer_sequence<int, kNtCols>{})...};
}

// The nt driver: row tiles of A, then column tiles (rows of B).
template <typename T, typename MatB>
void gemm_nt_driver(int M, int N, int K, const T* A, int lda, MatB B, T* C, int ldc,
                    bool accumulate) {
  static constexpr auto kTiles = nt_tiles<T, MatB>(std::make_integer_sequence<int, kNtRows>{});
  for (int i0 = 0; i0 < M; i0 += kNtRows) {
    const int r = std::min(kNtRows, M - i0);
    for (int j0 = 0; j0 < N; j0 += kNtCols) {
      const int c = std::min(kNtCols, N - j0);
      kTiles[r - 1][c - 1](K, A + static_cast<long long>(i0) * lda, lda, B.block(j0, 0),
                           C + static_cast<long long>(i0) * ldc + j0, ldc, accumulate);
    }
  }
}

}  // namespace

template <typename T>
void gemm_nn(int M, int N, int K, const T* A, int a_rs, int a_ks, const T* B, int ldb, T* C,
             int ldc, bool accumulate) {
  gemm_nn_driver<T>(M, N, K, StridedA<T>{A, a_rs, a_ks}, StridedB<T>{B, ldb}, StridedC<T>{C, ldc},
                    accumulate);
}

template <typename T>
void gemm_nn_gather_b(int M, int N, int K, const T* A, int a_rs, int a_ks, const T* B,
                      const int32_t* b_rows, T* C, int ldc, bool accumulate) {
  gemm_nn_driver<T>(M, N, K, StridedA<T>{A, a_rs, a_ks}, GatheredB<T>{B, b_rows},
                    StridedC<T>{C, ldc}, accumulate);
}

template <typename T>
void gemm_nn_gather_a(int M, int N, int K, const T* A, const int32_t* a_rows, const int32_t* a_cols,
                      const T* B, int ldb, T* C, int ldc, bool accumulate) {
  gemm_nn_driver<T>(M, N, K, GatheredA<T>{A, a_rows, a_cols}, StridedB<T>{B, ldb},
                    StridedC<T>{C, ldc}, accumulate);
}

template <typename T>
void gemm_nt(int M, int N, int K, const T* A, int lda, const T* B, int ldb, T* C, int ldc,
             bool accumulate) {
  gemm_nt_driver(M, N, K, A, lda, StridedB<T>{B, ldb}, C, ldc, accumulate);
}

template <typename T>
void gemm_nt_gather_b(int M, int N, int K, const T* A, int lda, const T* B, const int32_t* b_rows,
                      T* C, int ldc, bool accumulate) {
  gemm_nt_driver(M, N, K, A, lda, GatheredB<T>{B, b_rows}, C, ldc, accumulate);
}

#define CS_GEMM_INSTANTIATE(T)                                                                   \
  template void gemm_nn<T>(int, int, int, const T*, int, int, const T*, int, T*, int, bool);     \
  template void gemm_nn_gather_b<T>(int, int, int, const T*, int, int, const T*, const int32_t*, \
                                    T*, int, bool);                                              \
  template void gemm_nn_gather_a<T>(int, int, int, const T*, const int32_t*, const int32_t*,     \
                                    const T*, int, T*, int, bool);                               \
  template void gemm_nt<T>(int, int, int, const T*, int, const T*, int, T*, int, bool);          \
  template void gemm_nt_gather_b<T>(int, int, int, const T*, int, const T*, const int32_t*, T*,  \
                                    int, bool);
CS_GEMM_INSTANTIATE(float)
CS_GEMM_INSTANTIATE(double)
#undef CS_GEMM_INSTANTIATE

}  // namespace cs::cpu
