// Convolution as GEMMs, one sample at a time (its buffers stay in L1/L2).
//
// Stride 1, implicit (see conv2d.h), with Xs the sample's shifted planes read through the taps,
// and dpre (OC, P) made per sample by the pass that applies act':
//   forward  out (OC, P) = W · Xs, then bias and activation in place;
//   dW       += dpre · Xs^T (dot products), or when OC is a whole number of vectors as
//            dW^T (CKK, OC) += X · dpre^T (outer products), X the padded plane read at
//            plane_taps[r] + plane_pix[p];
//   dinp     per input channel c, dX_c (KK, P) = W_c^T · dpre; each input pixel is then the sum of
//            its taps' dX_c values, read as shifted vectors with the columns outside the output
//            masked off (gather_dinp). One channel's dX stays in L1 between the GEMM that writes
//            it and the sums that read it.
// Other strides, explicit: col = im2col(inp); out = W · col; dW += dpre · col^T (dot products);
//   dcol = W^T · dpre, scattered back onto a zeroed dinp by col2im.
#include "cpu/ops/conv2d.h"

#include <algorithm>

#include "cpu/gemm.h"
#include "cpu/ops/activation.h"
#include "cpu/ops/pool.h"
#include "cpu/simd.h"
#include "cpu/transpose.h"

namespace cs::cpu {

namespace {

// ----- stride 1: implicit GEMM on the shifted planes

// xpad (C, HP, WP) = inp with `pad` zero rows and columns before and the rest after.
template <typename T>
void pad_plane(T* xpad, const T* inp, const ConvGeom& g) {
  std::fill(xpad, xpad + static_cast<long long>(g.c) * g.hp * g.wp, T(0));
  for (int c = 0; c < g.c; ++c)
    for (int y = 0; y < g.h; ++y) {
      const T* __restrict s = inp + (static_cast<long long>(c) * g.h + y) * g.w;
      T* __restrict d = xpad + (static_cast<long long>(c) * g.hp + y + g.pad) * g.wp + g.pad;
      for (int x = 0; x < g.w; ++x) d[x] = s[x];  // short rows: no memcpy call
    }
}

// One sample's padded plane: the input itself when the padding is valid, else copied into xpad.
template <typename T>
const T* padded(T* xpad, const T* inp, const ConvGeom& g) {
  if (g.pad == 0) return inp;
  pad_plane(xpad, inp, g);
  return xpad;
}

// xs (K, C, HP, OW): plane (kx, c) is channel c of the padded input shifted left by kx and cut to
// the output's width, so that row (c, ky, kx) of col is the P values from xs + taps[row]. Rows
// narrower than a vector are copied as whole vectors, spilling onto rows written later, where the
// read stays inside the sample's padded plane and the write inside xs; wider rows end with a
// vector that overlaps the one before.
template <typename T>
void shift_planes(T* xs, const T* plane, const ConvGeom& g) {
  constexpr int L = simd::kLanes<T>;
  // locals: the stores below may alias g as far as the compiler knows
  const int rows = g.c * g.hp, k = g.k, ow = g.ow, wp = g.wp;
  const T* plane_end = plane + static_cast<long long>(rows) * wp;
  const T* xs_end = xs + static_cast<long long>(k) * rows * ow;
  T* d = xs;
  for (int kx = 0; kx < k; ++kx)
    for (int r = 0; r < rows; ++r, d += ow) {  // r: (c, y)
      const T* s = plane + static_cast<long long>(r) * wp + kx;
      if (ow >= L) {
        for (int x = 0; x < ow; x += L) {
          const int x0 = std::min(x, ow - L);
          simd::store(d + x0, simd::load(s + x0));
        }
      } else if (ow >= L / 2) {
        constexpr int H = L / 2;
        simd::store<T, simd::kBytes / 2>(d, simd::load<T, simd::kBytes / 2>(s));
        if (ow > H)
          simd::store<T, simd::kBytes / 2>(d + ow - H, simd::load<T, simd::kBytes / 2>(s + ow - H));
      } else if (plane_end - s >= L && xs_end - d >= L) {
        simd::store(d, simd::load(s));
      } else {
        for (int x = 0; x < ow; ++x) d[x] = s[x];
      }
    }
}

// use(b, pre) runs once sample b's pre-activations (OC, P) are in pre: out's sample b when out
// is given, else scratch.
template <typename T, typename Use>
void forward_implicit(T* out, T* scratch, const T* inp, const T* weight, int B, const ConvGeom& g,
                      Use use) {
  T* xpad = scratch;
  T* xs = xpad + g.plane;
  const int P = g.pixels(), ckk = g.col_rows();
  const long long in_size = static_cast<long long>(g.c) * g.h * g.w;
  for (int b = 0; b < B; ++b) {
    T* pre = out ? out + static_cast<long long>(b) * g.oc * P : xs + g.shifted;
    shift_planes(xs, padded(xpad, inp + b * in_size, g), g);
    gemm_nn_gather_b(g.oc, P, ckk, weight, ckk, 1, xs, g.taps.data(), pre, P, false);
    use(b, pre);
  }
}

// The columns dx's rows have before and after the GEMM's P, for gather_dinp's shifted reads.
int dx_margin(const ConvGeom& g) {
  constexpr int L = simd::kLanes<float>;
  return (g.k - 1 + L - 1) / L * L;
}

long long dx_stride(const ConvGeom& g) {
  constexpr int L = simd::kLanes<float>;
  return (2LL * dx_margin(g) + g.pixels() + g.k + L + L - 1) / L * L;
}

// Channel c of one sample's dinp, (H, W) at dst, from dx (KK, ldx) at column dx_margin: row
// (ky, kx) holds W_c^T · dpre, with output pixel (oy, ox) at oy * OW + ox. Input (y, x) is the sum
// over the taps of row (ky, kx) at pixel (y + pad - ky, x + pad - kx) where that pixel exists:
// output rows outside the map are skipped, and columns outside it masked off, so dx's other
// columns (and its margins) never matter. A row narrower than a vector is stored whole, spilling
// onto the rows after it, which are written later, unless the vector would pass `end` (dinp's):
// then only the row's own values are copied. Wider rows end with a vector that overlaps the one
// before.
template <typename T>
void gather_dinp(T* dst, const T* dx, long long ldx, const ConvGeom& g, const T* end) {
  constexpr int L = simd::kLanes<T>;
  using V = simd::Vec<T>;
  using I = simd::Vec<simd::Int<T>>;
  I lane;
  for (int l = 0; l < L; ++l) lane[l] = l;
  for (int y = 0; y < g.h; ++y) {
    const int iy = y + g.pad;
    const int ky0 = std::max(0, iy - g.oh + 1), ky1 = std::min(g.k - 1, iy);
    for (int next = 0; next < g.w; next += L) {
      const int x0 = g.w >= L ? std::min(next, g.w - L) : 0;
      V acc{};
      for (int kx = 0; kx < g.k; ++kx) {
        const I ox = lane + (x0 + g.pad - kx);  // the output column each lane reads
        const I inside = (ox >= 0) & (ox < g.ow);
        const T* src = dx + kx * ldx + x0 + g.pad - kx;
        for (int ky = ky0; ky <= ky1; ++ky) {
          const V v = simd::load(src + ky * g.k * ldx + (iy - ky) * g.ow);
          acc = inside ? acc + v : acc;
        }
      }
      T* out = dst + static_cast<long long>(y) * g.w + x0;
      if (end - out >= L)
        simd::store(out, acc);
      else
        for (int l = 0; l < g.w - x0; ++l) out[l] = acc[l];
    }
  }
}

// Per sample: make_dpre(b, room) returns sample b's dpre (OC, P), made in room (dpre's sample b,
// or scratch when dpre is null) or found elsewhere. From there it is summed into dbias,
// multiplied by X^T for dW (dot products over the shifted planes, or when OC is a whole number of
// vectors transposed, dW^T (CKK, OC) += X · dpre^T as outer products, X read on the padded plane
// at plane_taps[r] + plane_pix[p]), and by W^T for dinp.
template <typename T, typename MakeDpre>
void backward_implicit(T* dinp, T* dweight, T* dbias, T* dpre, T* scratch, const T* inp,
                       const T* weight, int B, const ConvGeom& g, MakeDpre make_dpre) {
  const int P = g.pixels(), ckk = g.col_rows(), kk = g.k * g.k;
  const long long ldx = dx_stride(g), in_size = static_cast<long long>(g.c) * g.h * g.w;
  const bool transposed = dweight && g.oc % simd::kLanes<T> == 0;  // dW^T: outer products
  T* xpad = scratch;
  T* own = xpad + g.plane;                              // (OC, P) when dpre is null
  T* dpre_t = own + static_cast<long long>(g.oc) * P;   // (P, OC) one sample's dpre^T
  T* dw_t = dpre_t + static_cast<long long>(P) * g.oc;  // (CKK, OC)
  T* dx = dw_t + static_cast<long long>(ckk) * g.oc;    // (KK, ldx)
  T* xs = dx + kk * ldx;                                // (K, C, HP, OW)
  T* dx_cols = dx + dx_margin(g);                       // where each row's P columns start
  if (transposed) std::fill(dw_t, dw_t + static_cast<long long>(ckk) * g.oc, T(0));
  for (int b = 0; b < B; ++b) {
    const T* grad = make_dpre(b, dpre ? dpre + static_cast<long long>(b) * g.oc * P : own);
    for (int o = 0; dbias && o < g.oc; ++o) dbias[o] += simd::sum(grad + o * P, P);
    if (dweight) {
      const T* x = padded(xpad, inp + b * in_size, g);
      if (transposed) {
        transpose(dpre_t, g.oc, grad, P, g.oc, P);
        gemm_nn_gather_a(ckk, g.oc, P, x, g.plane_taps.data(), g.plane_pix.data(), dpre_t, g.oc,
                         dw_t, g.oc, true);
      } else {
        shift_planes(xs, x, g);
        gemm_nt_gather_b(g.oc, ckk, P, grad, P, xs, g.taps.data(), dweight, ckk, true);
      }
    }
    for (int c = 0; dinp && c < g.c; ++c) {
      gemm_nn(kk, P, g.oc, weight + c * kk, 1, ckk, grad, P, dx_cols, static_cast<int>(ldx), false);
      gather_dinp(dinp + b * in_size + static_cast<long long>(c) * g.h * g.w, dx_cols, ldx, g,
                  dinp + B * in_size);
    }
  }
  if (!transposed) return;
  for (int o = 0; o < g.oc; ++o)
    for (int r = 0; r < ckk; ++r)
      dweight[static_cast<long long>(o) * ckk + r] += dw_t[r * g.oc + o];
}

// ----- any stride: explicit im2col

// Output columns [lo, hi) whose input column ox * stride - pad + kx lies inside [0, w).
void valid_range(const ConvGeom& g, int kx, int& lo, int& hi) {
  const int off = kx - g.pad;  // input column of output column 0
  lo = off >= 0 ? 0 : (-off + g.stride - 1) / g.stride;
  hi = g.w - 1 - off < 0 ? 0 : std::min(g.ow, (g.w - 1 - off) / g.stride + 1);
  lo = std::min(lo, hi);
}

// col (C*K*K, OH*OW): row (c, ky, kx), column (oy, ox) = inp[c][oy*s - pad + ky][ox*s - pad + kx].
template <typename T>
void im2col(T* col, const T* inp, const ConvGeom& g) {
  const int P = g.pixels();
  for (int c = 0; c < g.c; ++c)
    for (int ky = 0; ky < g.k; ++ky)
      for (int kx = 0; kx < g.k; ++kx) {
        T* row = col + static_cast<long long>((c * g.k + ky) * g.k + kx) * P;
        int lo, hi;
        valid_range(g, kx, lo, hi);
        const int off = kx - g.pad;
        for (int oy = 0; oy < g.oh; ++oy) {
          T* dst = row + oy * g.ow;
          const int iy = oy * g.stride - g.pad + ky;
          std::fill(dst, dst + g.ow, T(0));
          if (iy < 0 || iy >= g.h) continue;
          const T* src = inp + (static_cast<long long>(c) * g.h + iy) * g.w;
          for (int ox = lo; ox < hi; ++ox) dst[ox] = src[ox * g.stride + off];
        }
      }
}

// The adjoint of im2col: dinp[c][iy][ix] += every col entry that was read from it.
template <typename T>
void col2im(T* dinp, const T* col, const ConvGeom& g) {
  const int P = g.pixels();
  for (int c = 0; c < g.c; ++c)
    for (int ky = 0; ky < g.k; ++ky)
      for (int kx = 0; kx < g.k; ++kx) {
        const T* row = col + static_cast<long long>((c * g.k + ky) * g.k + kx) * P;
        int lo, hi;
        valid_range(g, kx, lo, hi);
        const int off = kx - g.pad;
        for (int oy = 0; oy < g.oh; ++oy) {
          const int iy = oy * g.stride - g.pad + ky;
          if (iy < 0 || iy >= g.h) continue;
          T* dst = dinp + (static_cast<long long>(c) * g.h + iy) * g.w;
          for (int ox = lo; ox < hi; ++ox) dst[ox * g.stride + off] += row[oy * g.ow + ox];
        }
      }
}

template <typename T>
void forward_explicit(T* out, T* col, const T* inp, const T* weight, const T* bias, int B,
                      const ConvGeom& g, Activation act) {
  const int P = g.pixels(), ckk = g.col_rows();
  for (int b = 0; b < B; ++b) {
    T* out_b = out + static_cast<long long>(b) * g.oc * P;
    im2col(col, inp + static_cast<long long>(b) * g.c * g.h * g.w, g);
    gemm_nn(g.oc, P, ckk, weight, ckk, 1, col, P, out_b, P, false);
    bias_activation_forward(out_b, bias, 1, g.oc, P, act);
  }
}

template <typename T>
void backward_explicit(T* dinp, T* dweight, const T* dpre, T* col, const T* inp, const T* weight,
                       int B, const ConvGeom& g) {
  const int P = g.pixels(), ckk = g.col_rows();
  const long long in_size = static_cast<long long>(g.c) * g.h * g.w;
  T* dcol = col + static_cast<long long>(ckk) * P;
  for (int b = 0; b < B; ++b) {
    const T* dpre_b = dpre + static_cast<long long>(b) * g.oc * P;
    if (dweight) {
      im2col(col, inp + b * in_size, g);
      gemm_nt(g.oc, ckk, P, dpre_b, P, col, P, dweight, ckk, true);
    }
    if (!dinp) continue;
    gemm_nn(ckk, P, g.oc, weight, 1, ckk, dpre_b, P, dcol, P, false);
    T* dinp_b = dinp + b * in_size;
    std::fill(dinp_b, dinp_b + in_size, T(0));
    col2im(dinp_b, dcol, g);
  }
}

}  // namespace

ConvGeom ConvGeom::make(Shape3 in, int filters, int kernel, int stride, Padding padding) {
  ConvGeom g;
  g.c = in.c;
  g.h = in.h;
  g.w = in.w;
  g.oc = filters;
  g.k = kernel;
  g.stride = stride;
  if (padding == Padding::Same) {
    g.pad = (kernel - 1) / 2;
    g.oh = (in.h + stride - 1) / stride;
    g.ow = (in.w + stride - 1) / stride;
  } else {
    g.oh = (in.h - kernel) / stride + 1;
    g.ow = (in.w - kernel) / stride + 1;
  }
  if (g.implicit()) {
    g.hp = g.oh + kernel - 1;
    g.wp = g.ow + kernel - 1;
    g.plane = g.pad > 0 ? static_cast<long long>(g.c) * g.hp * g.wp : 0;
    g.shifted = static_cast<long long>(kernel) * g.c * g.hp * g.ow;
    for (int c = 0; c < g.c; ++c)
      for (int ky = 0; ky < kernel; ++ky)
        for (int kx = 0; kx < kernel; ++kx) {
          g.taps.push_back(static_cast<int32_t>(((kx * g.c + c) * g.hp + ky) * g.ow));
          g.plane_taps.push_back((c * g.hp + ky) * g.wp + kx);
        }
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox) g.plane_pix.push_back(oy * g.wp + ox);
  }
  return g;
}

long long conv2d_scratch_size(const ConvGeom& g) {
  const long long ckk = g.col_rows();
  if (!g.implicit()) return 2 * ckk * g.pixels();
  return g.plane + g.shifted + 2LL * g.oc * g.pixels() + ckk * g.oc +
         1LL * g.k * g.k * dx_stride(g);
}

template <typename T>
void conv2d_forward(T* out, T* scratch, const T* inp, const T* weight, const T* bias, int B,
                    const ConvGeom& g, Activation act) {
  if (!g.implicit()) return forward_explicit(out, scratch, inp, weight, bias, B, g, act);
  forward_implicit(out, scratch, inp, weight, B, g, [&](int, T* pre) {
    bias_activation_forward(pre, bias, 1, g.oc, g.pixels(), act);
  });
}

template <typename T>
void conv2d_backward(T* dinp, T* dweight, T* dbias, T* dpre, T* scratch, const T* dout,
                     const T* out, const T* inp, const T* weight, int B, const ConvGeom& g,
                     Activation act) {
  if (g.implicit()) {
    const long long size = static_cast<long long>(g.oc) * g.pixels();
    backward_implicit(dinp, dweight, dbias, dpre, scratch, inp, weight, B, g, [&](int b, T* room) {
      return bias_activation_backward(room, static_cast<T*>(nullptr), dout + b * size,
                                      out + b * size, 1, g.oc, g.pixels(), act);
    });
    return;
  }
  const T* grad = bias_activation_backward(dpre, dbias, dout, out, B, g.oc, g.pixels(), act);
  if (dinp || dweight) backward_explicit(dinp, dweight, grad, scratch, inp, weight, B, g);
}

template <typename T>
void conv2d_pool_forward(T* out, T* pooled, int32_t* argmax, int k, T* scratch, const T* inp,
                         const T* weight, const T* bias, int B, const ConvGeom& g, Activation act) {
  const int pooled_pixels = (g.oh / k) * (g.ow / k);
  const long long pooled_size = static_cast<long long>(g.oc) * pooled_pixels;
  forward_implicit(out, scratch, inp, weight, B, g, [&](int b, T* pre) {
    T* p = pooled + b * pooled_size;
    int32_t* a = argmax + b * pooled_size;
    if (out) {
      bias_activation_forward(pre, bias, 1, g.oc, g.pixels(), act);
      maxpool_forward(p, a, pre, 1, g.oc, g.oh, g.ow, k);
    } else {  // the maxima of the pre-activations, then act(maximum + bias) for each
      maxpool_forward(p, a, pre, 1, g.oc, g.oh, g.ow, k);
      bias_activation_forward(p, bias, 1, g.oc, pooled_pixels, act);
    }
  });
}

template <typename T>
void conv2d_pool_backward(T* dinp, T* dweight, T* dbias, T* dpool, T* scratch, const T* pooled,
                          const int32_t* argmax, int k, const T* inp, const T* weight, int B,
                          const ConvGeom& g, Activation act) {
  const int pooled_pixels = (g.oh / k) * (g.ow / k);
  const long long size = static_cast<long long>(g.oc) * pooled_pixels;
  backward_implicit(dinp, dweight, dbias, static_cast<T*>(nullptr), scratch, inp, weight, B, g,
                    [&](int b, T* room) {
                      // act' at a window's maximum is act' at the pooled value
                      T* d = dpool + b * size;
                      const T* grad =
                          bias_activation_backward(d, static_cast<T*>(nullptr), d,
                                                   pooled + b * size, 1, g.oc, pooled_pixels, act);
                      maxpool_backward(room, grad, argmax + b * size, 1, g.oc, g.oh, g.ow, k);
                      return static_cast<const T*>(room);
                    });
}

template void conv2d_forward<float>(float*, float*, const float*, const float*, const float*, int,
                                    const ConvGeom&, Activation);
template void conv2d_forward<double>(double*, double*, const double*, const double*, const double*,
                                     int, const ConvGeom&, Activation);
template void conv2d_backward<float>(float*, float*, float*, float*, float*, const float*,
                                     const float*, const float*, const float*, int, const ConvGeom&,
                                     Activation);
template void conv2d_backward<double>(double*, double*, double*, double*, double*, const double*,
                                      const double*, const double*, const double*, int,
                                      const ConvGeom&, Activation);
template void conv2d_pool_forward<float>(float*, float*, int32_t*, int, float*, const float*,
                                         const float*, const float*, int, const ConvGeom&,
                                         Activation);
template void conv2d_pool_forward<double>(double*, double*, int32_t*, int, double*, const double*,
                                          const double*, const double*, int, const ConvGeom&,
                                          Activation);
template void conv2d_pool_backward<float>(float*, float*, float*, float*, float*, const float*,
                                          const int32_t*, int, const float*, const float*, int,
                                          const ConvGeom&, Activation);
template void conv2d_pool_backward<double>(double*, double*, double*, double*, double*,
                                           const double*, const int32_t*, int, const double*,
                                           const double*, int, const ConvGeom&, Activation);

}  // namespace cs::cpu
