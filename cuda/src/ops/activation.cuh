// Bias + activation on the GPU, the mirror of engine/src/cpu/ops/activation.h: fused in place
// after a convolution or a dense layer, and its backward from the activation's output.
// Conventions: convscope/op_conventions.h.
#pragma once

#include <cuda_runtime_api.h>

#include "convscope/op_conventions.h"
#include "convscope/spec.h"

namespace cs::cuda {

// out = act(out + bias[c]) in place.
void bias_activation_forward(float* out,         // (outer, channels, inner)
                             const float* bias,  // (channels)
                             int outer, int channels, int inner, Activation act,
                             cudaStream_t stream);

// dpre = dout * act'(out), then dbias[c] += the sum of dpre over outer and inner (dbias may be
// null). Returns the buffer holding d(loss)/d(pre-activation): dpre, or dout itself with act
// None (nothing to compute, dpre is not written).
const float* bias_activation_backward(float* dpre,        // (outer, channels, inner)
                                      float* dbias,       // (channels) or null
                                      const float* dout,  // (outer, channels, inner)
                                      const float* out,   // (outer, channels, inner)
                                      int outer, int channels, int inner, Activation act,
                                      cudaStream_t stream);

}  // namespace cs::cuda
