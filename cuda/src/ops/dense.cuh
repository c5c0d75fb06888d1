// Dense layers of a group of networks with cuBLAS: one strided-batched GEMM over the networks.
// Activations are laid out (batch, nets, features), so network n's rows are strided by
// nets * features; weights are (nets, out, in) in PyTorch layout, biases (nets, out).
// Keep a cuBLAS handle on one stream: switching streams drops its workspace (see dense.cu).
#pragma once

#include <cublas_v2.h>

#include "convscope/spec.h"

namespace cs::cuda {

struct DenseShape {
  int batch = 0, nets = 1, in = 0, out = 0;
};

// y = act(x w^T + b) for every network.
void dense_forward(cublasHandle_t handle, const DenseShape& s,
                   float* y,        // (batch, nets, out)
                   const float* x,  // (batch, nets, in)
                   const float* w,  // (nets, out, in)
                   const float* b,  // (nets, out)
                   Activation act, cudaStream_t stream);

// From dy = dL/dy of the activated output y: dz = dy * act'(y) into the scratch dz, then db, dw
// (both null: data gradient only) and dx (null: not needed). Gradients are overwritten.
void dense_backward(cublasHandle_t handle, const DenseShape& s,
                    float* dx,        // (batch, nets, in) or null
                    float* dw,        // (nets, out, in) or null
                    float* db,        // (nets, out) or null
                    float* dz,        // (batch, nets, out) scratch
                    const float* dy,  // (batch, nets, out)
                    const float* y,   // (batch, nets, out)
                    const float* x,   // (batch, nets, in)
                    const float* w, Activation act, cudaStream_t stream);

}  // namespace cs::cuda
