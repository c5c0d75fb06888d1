// Bias + activation, fused: out = act(out + bias[c]) in place over an (outer, channels, inner)
// tensor, where convolutions pass (B, OC, OH * OW) and dense layers (B, OUT, 1). Backward needs
// only the activation's output. Conventions: convscope/op_conventions.h.
#pragma once

#include "convscope/op_conventions.h"
#include "convscope/spec.h"

namespace cs::cpu {

// out = act(out + bias[c]) in place; bias may be null (no bias).
template <typename T>
void bias_activation_forward(T* out,         // (outer, channels, inner)
                             const T* bias,  // (channels) or null
                             int outer, int channels, int inner, Activation act);

// out = act(src + bias[c]) over (channels, rows, cols), with row r of channel c read at
// src + c * src_channel + r * src_row: an implicit convolution's valid columns, taken out of its
// wide rows in the same pass as the bias and activation.
template <typename T>
void bias_activation_copy(T* out,        // (channels, rows, cols)
                          const T* src,  // strided, see above
                          long long src_channel, int src_row,
                          const T* bias,  // (channels) or null
                          int channels, int rows, int cols, Activation act);

// dst = dout * act'(out) over (channels, rows, cols), with row r of channel c written at
// dst + c * dst_channel + r * dst_row: the adjoint of bias_activation_copy's layout, so that an
// implicit convolution's gradient is spread onto its wide rows in the same pass. dst may be dout
// when the layouts are the same.
template <typename T>
void activation_backward_copy(T* dst,  // strided, see above
                              long long dst_channel, int dst_row,
                              const T* dout,  // (channels, rows, cols)
                              const T* out,   // (channels, rows, cols) forward output
                              int channels, int rows, int cols, Activation act);

// dpre = dout * act'(out), then dbias[c] += the sum of dpre over outer and inner. Returns the
// buffer holding d(loss)/d(pre-activation): dpre, or dout itself with act None (nothing to
// compute, dpre is not written). dpre may be dout (in place).
template <typename T>
const T* bias_activation_backward(T* dpre,        // (outer, channels, inner)
                                  T* dbias,       // (channels) or null
                                  const T* dout,  // (outer, channels, inner)
                                  const T* out,   // (outer, channels, inner) forward output
                                  int outer, int channels, int inner, Activation act);

}  // namespace cs::cpu
