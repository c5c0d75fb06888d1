// Pooling over non-overlapping k x k windows. Max pooling keeps the first maximum of a window
// (row-major order), and routes the whole gradient to it.
#include "cpu/ops/pool.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>

#include "cpu/simd.h"

namespace cs::cpu {

namespace {

// The common 2 x 2 window, one vector of outputs at a time: the even and odd columns of two
// input vectors are split with shuffles, and the four candidates are compared in row-major
// order with branch-free selects. A row's last vector overlaps the one before instead of
// running a scalar tail; rows narrower than a vector run scalar.
template <typename T>
void maxpool2(T* out, int32_t* argmax, const T* inp, int planes, int H, int W) {
  using V = simd::Vec<T>;
  using I = simd::Vec<simd::Int<T>>;  // lane indices and masks of V's element size
  constexpr int L = simd::kLanes<T>;
  typedef int32_t I32 __attribute__((vector_size(L * sizeof(int32_t))));
  I even, lane;
  for (int l = 0; l < L; ++l) {
    even[l] = 2 * l;
    lane[l] = l;
  }
  const I odd = even + 1;
  const int oh = H / 2, ow = W / 2;
  for (int p = 0; p < planes; ++p)
    for (int oy = 0; oy < oh; ++oy) {
      const long long o = (static_cast<long long>(p) * oh + oy) * ow;
      const int32_t top = (p * H + oy * 2) * W;  // index of the window row's first element
      const T* r0 = inp + top;
      const T* r1 = r0 + W;
      for (int next = 0; ow >= L && next < ow; next += L) {
        const int ox = std::min(next, ow - L);
        const V t0 = simd::load(r0 + 2 * ox), t1 = simd::load(r0 + 2 * ox + L);
        const V b0 = simd::load(r1 + 2 * ox), b1 = simd::load(r1 + 2 * ox + L);
        const I first = 2 * (lane + ox) + top;
        V v = __builtin_shuffle(t0, t1, even);
        I best = first;
        const V cand[3] = {__builtin_shuffle(t0, t1, odd), __builtin_shuffle(b0, b1, even),
                           __builtin_shuffle(b0, b1, odd)};
        const simd::Int<T> step[3] = {1, W, W + 1};
        for (int c = 0; c < 3; ++c) {
          const I greater = cand[c] > v;
          v = greater ? cand[c] : v;
          best = greater ? first + step[c] : best;
        }
        simd::store(out + o + ox, v);
        const I32 best32 = __builtin_convertvector(best, I32);
        std::memcpy(argmax + o + ox, &best32, sizeof best32);
      }
      for (int ox = 0; ow < L && ox < ow; ++ox) {
        const int32_t at = top + 2 * ox;
        int32_t best = at;
        for (const int32_t c : {at + 1, at + W, at + W + 1})
          if (inp[c] > inp[best]) best = c;
        out[o + ox] = inp[best];
        argmax[o + ox] = best;
      }
    }
}

template <typename T>
void maxpool_any(T* out, int32_t* argmax, const T* inp, int planes, int H, int W, int k) {
  const int oh = H / k, ow = W / k;
  for (int p = 0; p < planes; ++p)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        const int32_t top = (p * H + oy * k) * W + ox * k;
        int32_t best = top;
        for (int dy = 0; dy < k; ++dy)
          for (int dx = 0; dx < k; ++dx)
            if (inp[top + dy * W + dx] > inp[best]) best = top + dy * W + dx;
        const long long o = (static_cast<long long>(p) * oh + oy) * ow + ox;
        out[o] = inp[best];
        argmax[o] = best;
      }
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
  const long long n = static_cast<long long>(B) * C * (H / k) * (W / k);
  for (long long i = 0; i < n; ++i) dinp[argmax[i]] += dout[i];
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
          for (int dx = 0; dx < k; ++dx) plane[(oy * k + dy) * W + ox * k + dx] += g;
      }
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
