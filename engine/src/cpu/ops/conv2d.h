// 2-D convolution (cross-correlation, as PyTorch) with a k x k kernel, a stride and valid or
// 'same' zero padding, fused with bias and activation. NCHW tensors, batch-major.
//
// Lowered to GEMMs with P = OH * OW output pixels and CKK = C * K * K kernel taps:
// out_b (OC, P) = W (OC, CKK) · col_b (CKK, P). Stride 1 (every layer of the usual networks)
// runs as an implicit GEMM on K shifted planes: plane (kx, c) is input channel c zero-padded to
// (HP, WP), shifted left by kx and cut to OW columns, so that row (c, ky, kx) of col is the P
// values that start at taps[(c * K + ky) * K + kx] — K copies of the input instead of K * K, and
// no column is computed and dropped. Larger strides copy col explicitly (im2col). Conventions:
// convscope/op_conventions.h.
#pragma once

#include <cstdint>
#include <vector>

#include "convscope/op_conventions.h"
#include "convscope/spec.h"

namespace cs::cpu {

struct ConvGeom {
  int c = 0, h = 0, w = 0;     // input map (C, H, W)
  int oc = 0, oh = 0, ow = 0;  // output map (OC, OH, OW)
  int k = 1, stride = 1;
  int pad = 0;  // zero rows (columns) before the input: 0 for valid, (k - 1) / 2 for same;
                // 'same' pads the rest after, so that OH = ceil(H / stride)
  // Stride 1 only: the padded plane (HP, WP) and its buffer's size (0 for valid padding: the
  // input is read in place), the shifted planes' size (K, C, HP, OW), each tap's row in them, and
  // for reading the padded plane itself, each tap's offset and each output pixel's.
  int hp = 0, wp = 0;
  long long plane = 0, shifted = 0;
  std::vector<int32_t> taps, plane_taps, plane_pix;

  static ConvGeom make(Shape3 in, int filters, int kernel, int stride, Padding padding);
  int col_rows() const { return c * k * k; }
  int pixels() const { return oh * ow; }
  bool implicit() const { return stride == 1; }
};

// Elements of scratch memory conv2d_forward and conv2d_backward need (independent of the batch).
long long conv2d_scratch_size(const ConvGeom& g);

// out = act(conv(inp, weight) + bias).
template <typename T>
void conv2d_forward(T* out,           // (B, OC, OH, OW)
                    T* scratch,       // (conv2d_scratch_size(g))
                    const T* inp,     // (B, C, H, W)
                    const T* weight,  // (OC, C, K, K)
                    const T* bias,    // (OC)
                    int B, const ConvGeom& g, Activation act);

// dpre = dout * act'(out), then dbias += the sum of dpre over the batch and pixels,
// dweight += the correlation of dpre with inp, and dinp = the transposed convolution of dpre.
template <typename T>
void conv2d_backward(T* dinp,          // (B, C, H, W) or null
                     T* dweight,       // (OC, C, K, K) or null
                     T* dbias,         // (OC) or null
                     T* dpre,          // (B, OC, OH, OW) room for dpre, may be dout
                                       // (its contents afterwards are unspecified)
                     T* scratch,       // (conv2d_scratch_size(g))
                     const T* dout,    // (B, OC, OH, OW)
                     const T* out,     // (B, OC, OH, OW) forward output
                     const T* inp,     // (B, C, H, W)
                     const T* weight,  // (OC, C, K, K)
                     int B, const ConvGeom& g, Activation act);

// conv2d_forward of a stride-1 convolution and then maxpool_forward of its output, sample by
// sample, so that the pool reads each sample's output while it is still in cache. With out null
// the output is not kept: the pool takes the maxima of the pre-activations straight from the
// GEMM's rows, and only they get the bias and activation (both monotone: the same pooled values;
// argmax as op_conventions.h says). Enough for conv2d_pool_backward.
template <typename T>
void conv2d_pool_forward(T* out,           // (B, OC, OH, OW) or null
                         T* pooled,        // (B, OC, OH / k, OW / k)
                         int32_t* argmax,  // (B, OC, OH / k, OW / k)
                         int k,
                         T* scratch,       // (conv2d_scratch_size(g))
                         const T* inp,     // (B, C, H, W)
                         const T* weight,  // (OC, C, K, K)
                         const T* bias,    // (OC)
                         int B, const ConvGeom& g, Activation act);

// conv2d_backward of a stride-1 convolution whose output only feeds a k x k max pool, from the
// pool's dout: each window's gradient, times act' at its maximum (the pooled value), goes
// straight to the maximum's place in the convolution's dpre, and the other places get zeros.
// The same gradients as maxpool_backward and then conv2d_backward, without dout or out.
template <typename T>
void conv2d_pool_backward(T* dinp,                // (B, C, H, W) or null
                          T* dweight,             // (OC, C, K, K) or null
                          T* dbias,               // (OC) or null
                          T* dpool,               // (B, OC, OH / k, OW / k) overwritten
                          T* scratch,             // (conv2d_scratch_size(g))
                          const T* pooled,        // (B, OC, OH / k, OW / k) the pool's output
                          const int32_t* argmax,  // (B, OC, OH / k, OW / k)
                          int k,
                          const T* inp,     // (B, C, H, W)
                          const T* weight,  // (OC, C, K, K)
                          int B, const ConvGeom& g, Activation act);

}  // namespace cs::cpu
