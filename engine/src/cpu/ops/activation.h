// Activations, fused with the bias add: y = act(x + bias[c]) over a (outer, channels, inner)
// tensor, where conv layers pass (B, OC, OH*OW) and dense layers (B, OUT, 1). The backward pass
// needs only the activation's output y.
#pragma once

#include "convscope/spec.h"

namespace cs::cpu {

// x = act(x + bias[c]) in place; bias may be null (no bias).
template <typename T>
void bias_activation_forward(T* x,           // (outer, channels, inner)
                             const T* bias,  // (channels) or null
                             int outer, int channels, int inner, Activation act);

// dx = dy * act'(y) in place, then dbias[c] += sum of dx over outer and inner (dbias may be null).
template <typename T>
void bias_activation_backward(T* dx,       // (outer, channels, inner) in: dy, out: d(x + bias)
                              T* dbias,    // (channels) or null
                              const T* y,  // (outer, channels, inner) the forward output
                              int outer, int channels, int inner, Activation act);

}  // namespace cs::cpu
