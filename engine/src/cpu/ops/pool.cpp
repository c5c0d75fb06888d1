// Pooling over non-overlapping k x k windows. Max pooling keeps the first maximum of a window
// (row-major order), and routes the whole gradient to it. Backward writes every input's gradient,
// zeros included (inputs outside every window, and away from the maximum).
#include "cpu/ops/pool.h"

#include <algorithm>
#include <cstring>

#include "cpu/simd.h"

namespace cs::cpu {

namespace {

constexpr int kPool2Bytes = 32;  // a 24-wide map's pooled rows of 12 take one vector and a half

// The 2 x 2 windows of `planes` (H, W) maps, L outputs at a time: vector(t0, t1, b0, b1, o) for
// outputs [o, o + L), whose window rows are at offsets t0 and t1 (the top row's first and second
// L inputs) and b0 and b1 below them; a row's last vector overlaps the one before instead of
// running a scalar tail. Maps exactly L wide take two output rows per vector: the two "halves"
// are then the window rows of output rows oy and oy + 1. Other narrow maps go one output at a
// time: scalar(t, b, o) with the window's top-left input at t and the one below it at b. Input
// (p, y, x) is at offset (p * H + y) * W + x.
template <int L, typename Vector, typename Scalar>
void for_each_window2(int planes, int H, int W, Vector vector, Scalar scalar) {
  const int oh = H / 2, ow = W / 2;
  const long long plane = static_cast<long long>(H) * W;
  const bool paired = W == L;
  for (int p = 0; p < planes; ++p)
    for (int oy = 0; oy < oh; ++oy) {
      const long long o = (static_cast<long long>(p) * oh + oy) * ow;
      const long long r0 = p * plane + static_cast<long long>(oy) * 2 * W, r1 = r0 + W;
      if (paired && oy + 1 < oh) {
        vector(r0, r0 + 2 * W, r1, r1 + 2 * W, o);
        ++oy;
        continue;
      }
      for (int next = 0; ow >= L && next < ow; next += L) {
        const int ox = std::min(next, ow - L);
        vector(r0 + 2 * ox, r0 + 2 * ox + L, r1 + 2 * ox, r1 + 2 * ox + L, o + ox);
      }
      for (int ox = 0; ow < L && ox < ow; ++ox) scalar(r0 + 2 * ox, r1 + 2 * ox, o + ox);
    }
}

// The common 2 x 2 window, one vector of outputs at a time: the even and odd columns of two
// input vectors are split with shuffles, and the four candidates (window positions 0 to 3) are
// compared in row-major order with branch-free selects (for_each_window2 says which windows).
template <typename T>
void maxpool2(T* out, int32_t* argmax, const T* inp, int planes, int H, int W) {
  constexpr int kBytes = kPool2Bytes;
  using V = simd::Vec<T, kBytes>;
  using I = simd::Vec<simd::Int<T>, kBytes>;  // window positions and masks of V's element size
  constexpr int L = simd::kLanes<T, kBytes>;
  typedef int32_t I32 __attribute__((vector_size(L * sizeof(int32_t))));
  I even;
  for (int l = 0; l < L; ++l) even[l] = 2 * l;
  const I odd = even + 1;
  auto pool = [&](long long t0p, long long t1p, long long b0p, long long b1p, long long o) {
    const V t0 = simd::load<T, kBytes>(inp + t0p), t1 = simd::load<T, kBytes>(inp + t1p);
    const V b0 = simd::load<T, kBytes>(inp + b0p), b1 = simd::load<T, kBytes>(inp + b1p);
    V v = __builtin_shuffle(t0, t1, even);
    I best{};  // window position 0
    const V cand[3] = {__builtin_shuffle(t0, t1, odd), __builtin_shuffle(b0, b1, even),
                       __builtin_shuffle(b0, b1, odd)};
    for (int c = 0; c < 3; ++c) {
      const I greater = cand[c] > v;
      v = greater ? cand[c] : v;
      best = greater ? I{} + (c + 1) : best;
    }
    simd::store<T, kBytes>(out + o, v);
    const I32 best32 = __builtin_convertvector(best, I32);
    std::memcpy(argmax + o, &best32, sizeof best32);
  };
  auto pool_one = [&](long long t, long long b, long long o) {
    const long long cand[4] = {t, t + 1, b, b + 1};  // window positions 0 to 3
    T v = inp[t];
    int32_t best = 0;
    for (int32_t c = 1; c < 4; ++c) {  // selects, not branches: the winner is unpredictable
      const T x = inp[cand[c]];
      const bool greater = x > v;
      v = greater ? x : v;
      best = greater ? c : best;
    }
    out[o] = v;
    argmax[o] = best;
  };
  for_each_window2<L>(planes, H, W, pool, pool_one);
}

// The adjoint of maxpool2, laid out the same way: each output's gradient goes to its window
// position and zeros to the other three, as two vectors per window row interleaved from the four
// candidates; every covered input is written (the overlapping last vector writes the same values
// twice).
template <typename T>
void maxpool2_backward(T* dst, const T* dout, const int32_t* argmax, int planes, int H, int W) {
  constexpr int kBytes = kPool2Bytes;
  using V = simd::Vec<T, kBytes>;
  using I = simd::Vec<simd::Int<T>, kBytes>;
  constexpr int L = simd::kLanes<T, kBytes>;
  typedef int32_t I32 __attribute__((vector_size(L * sizeof(int32_t))));
  I first, second;  // (a, b) -> a0 b0 a1 b1 ..., the first and the second L lanes of it
  for (int l = 0; l < L; ++l) {
    first[l] = l / 2 + l % 2 * L;
    second[l] = first[l] + L / 2;
  }
  auto unpool = [&](long long t0, long long t1, long long b0, long long b1, long long o) {
    const V g = simd::load<T, kBytes>(dout + o);
    I32 best32;
    std::memcpy(&best32, argmax + o, sizeof best32);
    const I best = __builtin_convertvector(best32, I);
    V at[4];  // the gradient at window position c, zeros elsewhere
    for (int c = 0; c < 4; ++c) at[c] = best == c ? g : V{};
    simd::store<T, kBytes>(dst + t0, __builtin_shuffle(at[0], at[1], first));
    simd::store<T, kBytes>(dst + t1, __builtin_shuffle(at[0], at[1], second));
    simd::store<T, kBytes>(dst + b0, __builtin_shuffle(at[2], at[3], first));
    simd::store<T, kBytes>(dst + b1, __builtin_shuffle(at[2], at[3], second));
  };
  auto unpool_one = [&](long long t, long long b, long long o) {
    for (int c = 0; c < 4; ++c) dst[(c < 2 ? t : b) + c % 2] = argmax[o] == c ? dout[o] : T(0);
  };
  for_each_window2<L>(planes, H, W, unpool, unpool_one);
}

// Any window: each window's k * k inputs, the gradient at the maximum and zeros elsewhere.
template <typename T>
void maxpool_any_backward(T* dst, const T* dout, const int32_t* argmax, int planes, int H, int W,
                          int k) {
  const int oh = H / k, ow = W / k;
  const long long plane = static_cast<long long>(H) * W;
  for (int p = 0; p < planes; ++p)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        const long long o = (static_cast<long long>(p) * oh + oy) * ow + ox;
        T* window = dst + p * plane + static_cast<long long>(oy) * k * W + ox * k;
        for (int dy = 0; dy < k; ++dy)
          for (int dx = 0; dx < k; ++dx)
            window[dy * W + dx] = argmax[o] == pool_window_position(dy, dx, k) ? dout[o] : T(0);
      }
}

template <typename T>
void maxpool_any(T* out, int32_t* argmax, const T* inp, int planes, int H, int W, int k) {
  const int oh = H / k, ow = W / k;
  const long long plane = static_cast<long long>(H) * W;
  for (int p = 0; p < planes; ++p)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        const T* window = inp + p * plane + static_cast<long long>(oy) * k * W + ox * k;
        T v = window[0];
        int32_t best = 0;
        for (int dy = 0; dy < k; ++dy)
          for (int dx = 0; dx < k; ++dx)
            if (window[dy * W + dx] > v) {
              v = window[dy * W + dx];
              best = pool_window_position(dy, dx, k);
            }
        const long long o = (static_cast<long long>(p) * oh + oy) * ow + ox;
        out[o] = v;
        argmax[o] = best;
      }
}

// Zeroes the inputs of a (H, W) plane that no k x k window covers: the rows from H / k * k on,
// and the columns from W / k * k on in the rows above.
template <typename T>
void zero_uncovered(T* plane, int H, int W, int k) {
  const int rows = H / k * k, cols = W / k * k;
  if (cols < W)
    for (int y = 0; y < rows; ++y) std::fill(plane + y * W + cols, plane + (y + 1) * W, T(0));
  std::fill(plane + static_cast<long long>(rows) * W, plane + static_cast<long long>(H) * W, T(0));
}

}  // namespace

// Keeps the first maximum of each window in row-major order (strictly greater replaces).
template <typename T>
void maxpool_forward(T* out, int32_t* argmax, const T* inp, int B, int C, int H, int W, int k) {
  if (k == 2)
    maxpool2(out, argmax, inp, B * C, H, W);
  else
    maxpool_any(out, argmax, inp, B * C, H, W, k);
}

template <typename T>
void maxpool_backward(T* dinp, const T* dout, const int32_t* argmax, int B, int C, int H, int W,
                      int k) {
  const long long plane = static_cast<long long>(H) * W;
  if (k == 2)
    maxpool2_backward(dinp, dout, argmax, B * C, H, W);
  else
    maxpool_any_backward(dinp, dout, argmax, B * C, H, W, k);
  for (int p = 0; p < B * C; ++p) zero_uncovered(dinp + p * plane, H, W, k);
}

template <typename T>
void avgpool_forward(T* out, const T* inp, int B, int C, int H, int W, int k) {
  const int oh = H / k, ow = W / k;
  const T scale = T(1) / static_cast<T>(k * k);
  for (int p = 0; p < B * C; ++p) {
    const T* plane = inp + static_cast<long long>(p) * H * W;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        T sum = 0;
        for (int dy = 0; dy < k; ++dy)
          for (int dx = 0; dx < k; ++dx) sum += plane[(oy * k + dy) * W + ox * k + dx];
        out[(static_cast<long long>(p) * oh + oy) * ow + ox] = sum * scale;
      }
  }
}

template <typename T>
void avgpool_backward(T* dinp, const T* dout, int B, int C, int H, int W, int k) {
  const int oh = H / k, ow = W / k;
  const T scale = T(1) / static_cast<T>(k * k);
  for (int p = 0; p < B * C; ++p) {
    T* plane = dinp + static_cast<long long>(p) * H * W;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        const T g = dout[(static_cast<long long>(p) * oh + oy) * ow + ox] * scale;
        for (int dy = 0; dy < k; ++dy)
          for (int dx = 0; dx < k; ++dx) plane[(oy * k + dy) * W + ox * k + dx] = g;
      }
    zero_uncovered(plane, H, W, k);
  }
}

template void maxpool_forward<float>(float*, int32_t*, const float*, int, int, int, int, int);
template void maxpool_forward<double>(double*, int32_t*, const double*, int, int, int, int, int);
template void maxpool_backward<float>(float*, const float*, const int32_t*, int, int, int, int,
                                      int);
template void maxpool_backward<double>(double*, const double*, const int32_t*, int, int, int, int,
                                       int);
template void avgpool_forward<float>(float*, const float*, int, int, int, int, int);
template void avgpool_forward<double>(double*, const double*, int, int, int, int, int);
template void avgpool_backward<float>(float*, const float*, int, int, int, int, int);
template void avgpool_backward<double>(double*, const double*, int, int, int, int, int);

}  // namespace cs::cpu
