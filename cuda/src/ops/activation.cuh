// Activations on the GPU: bias + activation fused in place after a convolution or a dense
// layer, the activation's backward (from the activation's output), and the bias gradient.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>

#include "convscope/spec.h"

namespace cs::cuda {

// y = act(y + bias[c]) in place.
void bias_activation_forward(float* y,           // (outer, channels, inner)
                             const float* bias,  // (channels)
                             int outer, int channels, int inner, Activation act,
                             cudaStream_t stream);

// dz = dy * act'(z), with act' written in terms of the output y = act(z).
void activation_backward(float* dz,        // (n)
                         const float* dy,  // (n)
                         const float* y,   // (n)
                         size_t n, Activation act, cudaStream_t stream);

// dbias[c] = sum of dz over outer and inner (overwrites dbias).
void bias_backward(float* dbias,     // (channels)
                   const float* dz,  // (outer, channels, inner)
                   int outer, int channels, int inner, cudaStream_t stream);

}  // namespace cs::cuda
