// Convolution as GEMMs, one sample at a time (its buffers stay in L1/L2).
//
// Stride 1, implicit (see conv2d.h), with X the padded input plane read through the taps, and
// dpre made per sample by the pass that applies act':
//   forward  wide (OC, span) = W · X, then the OW valid columns of each output row are kept;
//   dW       += dwide · X^T (dot products), with dpre spread on the span (zeros elsewhere), or
//            when OC is a whole number of vectors as dW^T (CKK, OC) += X · dpre^T (outer
//            products) over the valid output pixels only, X read at taps[r] + pix[p];
//   dinp     per input channel c, dX_c (KK, pixels) = W_c^T · dpre, compact (OC, P) unless dW
//            spreads it; each input pixel is then the sum of its taps' dX_c values, read as
//            shifted vectors with the columns outside the output masked off (gather_dinp). One
//            channel's dX stays in L1 between the GEMM that writes it and the sums that read it.
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

constexpr int kSpanAlign = 2 * simd::kLanes<float>;  // whole nn tiles for float and double

// ----- stride 1: implicit GEMM on the padded plane

// xpad (C, HP, WP) = inp with `pad` zero rows and columns before and the rest after, then zeros
// to g.plane.
template <typename T>
void pad_plane(T* xpad, const T* inp, const ConvGeom& g) {
  std::fill(xpad, xpad + g.plane, T(0));
  for (int c = 0; c < g.c; ++c)
    for (int y = 0; y < g.h; ++y) {
      const T* __restrict s = inp + (static_cast<long long>(c) * g.h + y) * g.w;
      T* __restrict d = xpad + (static_cast<long long>(c) * g.hp + y + g.pad) * g.wp + g.pad;
      for (int x = 0; x < g.w; ++x) d[x] = s[x];  // short rows: no memcpy call
    }
}

// The padded plane of sample b of B. Without padding the plane is the input itself: the span's
// last few reads run past the sample into the next one's first values, which only junk columns
// (dropped, or multiplied by their zero gradient) see. So samples followed by enough of the batch
// are read in place, and the others are copied into xpad.
template <typename T>
const T* plane_of(T* xpad, const T* inp, int b, int B, const ConvGeom& g) {
  const long long size = static_cast<long long>(g.c) * g.h * g.w;
  const T* x = inp + b * size;
  if (g.pad == 0 && g.plane - size <= (B - 1 - b) * size) return x;
  pad_plane(xpad, x, g);
  return xpad;
}

// use(b, wide) runs once sample b's pre-activations (OC, span) are in wide, while in cache.
template <typename T, typename Use>
void forward_implicit(T* scratch, const T* inp, const T* weight, int B, const ConvGeom& g,
                      Use use) {
  T* xpad = scratch;
  T* wide = xpad + g.plane;
  const int ckk = g.col_rows();
  for (int b = 0; b < B; ++b) {
    const T* x = plane_of(xpad, inp, b, B, g);
    gemm_nn_gather_b(g.oc, g.span, ckk, weight, ckk, 1, x, g.taps.data(), wide, g.span, false);
    use(b, static_cast<const T*>(wide));
  }
}

// The columns dx's rows have before and after the GEMM's `cols`, for gather_dinp's shifted reads.
int dx_margin(const ConvGeom& g) {
  constexpr int L = simd::kLanes<float>;
  return (g.k - 1 + L - 1) / L * L;
}

long long dx_stride(const ConvGeom& g) {  // cols <= span
  constexpr int L = simd::kLanes<float>;
  return (2LL * dx_margin(g) + g.span + g.k + L + L - 1) / L * L;
}

// Channel c of one sample's dinp, (H, W) at dst, from dx (KK, ldx) at column dx_margin: row
// (ky, kx) holds W_c^T · dpre, with output pixel (oy, ox) at oy * row + ox. Input (y, x) is the sum
// over the taps of row (ky, kx) at pixel (y + pad - ky, x + pad - kx) where that pixel exists:
// output rows outside the map are skipped, and columns outside it masked off, so dx's other
// columns (and its margins) never matter. A row narrower than a vector is stored whole, spilling
// onto the rows after it, which are written later, unless the vector would pass `end` (dinp's):
// then only the row's own values are copied. Wider rows end with a vector that overlaps the one
// before.
template <typename T>
void gather_dinp(T* dst, const T* dx, long long ldx, int row, const ConvGeom& g, const T* end) {
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
          const V v = simd::load(src + ky * g.k * ldx + (iy - ky) * row);
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

// Per sample: make_dpre(b, dst, channel, row) writes sample b's dpre, value (o, y, x) at
// dst + o * channel + y * row + x: onto wide's span when the dot-product dW reads it there
// (`spread`), else compact (OC, P), into dpre or wide. From there it is summed into dbias,
// transposed for the outer-product dW, and multiplied by W^T for dinp.
template <typename T, typename MakeDpre>
void backward_implicit(T* dinp, T* dweight, T* dbias, T* dpre, T* scratch, const T* inp,
                       const T* weight, int B, const ConvGeom& g, MakeDpre make_dpre) {
  const int P = g.pixels(), ckk = g.col_rows(), kk = g.k * g.k;
  const long long ldx = dx_stride(g), in_size = static_cast<long long>(g.c) * g.h * g.w;
  const bool transposed = dweight && g.oc % simd::kLanes<T> == 0;  // dW^T: outer products
  const bool spread = dweight && !transposed;
  const int cols = spread ? g.span : P, row = spread ? g.wp : g.ow;
  T* xpad = scratch;
  T* wide = xpad + g.plane;                                  // (OC, span) or (OC, P)
  T* dpre_t = wide + static_cast<long long>(g.oc) * g.span;  // (P, OC) one sample's dpre^T
  T* dw_t = dpre_t + static_cast<long long>(P) * g.oc;       // (CKK, OC)
  T* dx = dw_t + static_cast<long long>(ckk) * g.oc;         // (KK, ldx)
  T* dx_cols = dx + dx_margin(g);                            // where each row's `cols` start
  if (transposed) std::fill(dw_t, dw_t + static_cast<long long>(ckk) * g.oc, T(0));
  // places make_dpre leaves unwritten (the spread's other columns, pixels no pool window covers)
  // stay zero
  const bool in_wide = spread || !dpre;
  if (in_wide) std::fill(wide, wide + static_cast<long long>(g.oc) * g.span, T(0));
  for (int b = 0; b < B; ++b) {
    T* grad = in_wide ? wide : dpre + static_cast<long long>(b) * g.oc * P;  // (OC, cols)
    make_dpre(b, grad, cols, row);
    for (int o = 0; dbias && o < g.oc; ++o) dbias[o] += simd::sum(grad + o * cols, cols);
    if (transposed) transpose(dpre_t, g.oc, grad, P, g.oc, P);
    if (dweight) {
      const T* x = plane_of(xpad, inp, b, B, g);
      if (transposed)
        gemm_nn_gather_a(ckk, g.oc, P, x, g.taps.data(), g.pix.data(), dpre_t, g.oc, dw_t, g.oc,
                         true);
      else
        gemm_nt_gather_b(g.oc, ckk, g.span, wide, g.span, x, g.taps.data(), dweight, ckk, true);
    }
    for (int c = 0; dinp && c < g.c; ++c) {
      gemm_nn(kk, cols, g.oc, weight + c * kk, 1, ckk, grad, cols, dx_cols, static_cast<int>(ldx),
              false);
      gather_dinp(dinp + b * in_size + static_cast<long long>(c) * g.h * g.w, dx_cols, ldx, row, g,
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
    const int exact = (g.oh - 1) * g.wp + g.ow;
    g.span = (exact + kSpanAlign - 1) / kSpanAlign * kSpanAlign;
    g.plane = static_cast<long long>(g.c) * g.hp * g.wp + (g.span - exact);
    for (int c = 0; c < g.c; ++c)
      for (int ky = 0; ky < kernel; ++ky)
        for (int kx = 0; kx < kernel; ++kx) g.taps.push_back((c * g.hp + ky) * g.wp + kx);
    for (int oy = 0; oy < g.oh; ++oy)
      for (int ox = 0; ox < g.ow; ++ox) g.pix.push_back(oy * g.wp + ox);
  }
  return g;
}

long long conv2d_scratch_size(const ConvGeom& g) {
  const long long ckk = g.col_rows();
  if (!g.implicit()) return 2 * ckk * g.pixels();
  return g.plane + 1LL * g.oc * (g.span + g.pixels()) + ckk * g.oc + 1LL * g.k * g.k * dx_stride(g);
}

template <typename T>
void conv2d_forward(T* out, T* scratch, const T* inp, const T* weight, const T* bias, int B,
                    const ConvGeom& g, Activation act) {
  if (!g.implicit()) return forward_explicit(out, scratch, inp, weight, bias, B, g, act);
  const long long size = static_cast<long long>(g.oc) * g.pixels();
  forward_implicit(scratch, inp, weight, B, g, [&](int b, const T* wide) {
    bias_activation_copy(out + b * size, wide, g.span, g.wp, bias, g.oc, g.oh, g.ow, act);
  });
}

template <typename T>
void conv2d_backward(T* dinp, T* dweight, T* dbias, T* dpre, T* scratch, const T* dout,
                     const T* out, const T* inp, const T* weight, int B, const ConvGeom& g,
                     Activation act) {
  if (g.implicit()) {
    const long long size = static_cast<long long>(g.oc) * g.pixels();
    backward_implicit(dinp, dweight, dbias, dpre, scratch, inp, weight, B, g,
                      [&](int b, T* dst, long long channel, int row) {
                        activation_backward_copy(dst, channel, row, dout + b * size, out + b * size,
                                                 g.oc, g.oh, g.ow, act);
                      });
    return;
  }
  const T* grad = bias_activation_backward(dpre, dbias, dout, out, B, g.oc, g.pixels(), act);
  if (dinp || dweight) backward_explicit(dinp, dweight, grad, scratch, inp, weight, B, g);
}

template <typename T>
void conv2d_pool_forward(T* out, T* pooled, int32_t* argmax, int k, T* scratch, const T* inp,
                         const T* weight, const T* bias, int B, const ConvGeom& g, Activation act) {
  const long long size = static_cast<long long>(g.oc) * g.pixels();
  const int pooled_pixels = (g.oh / k) * (g.ow / k);
  const long long pooled_size = static_cast<long long>(g.oc) * pooled_pixels;
  forward_implicit(scratch, inp, weight, B, g, [&](int b, const T* wide) {
    T* p = pooled + b * pooled_size;
    int32_t* a = argmax + b * pooled_size;
    if (out) {
      bias_activation_copy(out + b * size, wide, g.span, g.wp, bias, g.oc, g.oh, g.ow, act);
      maxpool_forward(p, a, out + b * size, 1, g.oc, g.oh, g.ow, k);
    } else {  // the maxima of the pre-activations, then act(maximum + bias) for each
      maxpool_forward_strided(p, a, wide, g.span, g.wp, g.oc, g.oh, g.ow, k);
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
  backward_implicit(
      dinp, dweight, dbias, static_cast<T*>(nullptr), scratch, inp, weight, B, g,
      [&](int b, T* dst, long long channel, int row) {
        // act' at a window's maximum is act' at the pooled value
        T* d = dpool + b * size;
        const T* grad = bias_activation_backward(d, static_cast<T*>(nullptr), d, pooled + b * size,
                                                 1, g.oc, pooled_pixels, act);
        maxpool_backward_strided(dst, channel, row, grad, argmax + b * size, g.oc, g.oh, g.ow, k);
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
