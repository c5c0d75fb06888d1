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
