// Dense layers of a group of networks with cuBLAS, the mirror of engine/src/cpu/ops/dense.h: one
// strided-batched GEMM over the networks. Activations are laid out (batch, nets, features), so
// network n's rows are strided by nets * features; weights are (nets, out, in) in PyTorch
// layout, biases (nets, out). Keep a cuBLAS handle on one stream: switching streams drops its
// workspace (see dense.cu). Conventions: convscope/op_conventions.h.
#pragma once

#include <cublas_v2.h>

#include "convscope/op_conventions.h"
#include "convscope/spec.h"

namespace cs::cuda {

struct DenseShape {
  int batch = 0, nets = 1, in = 0, out = 0;
};

// out = act(inp weight^T + bias) for every network.
void dense_forward(cublasHandle_t handle, const DenseShape& s,
                   float* out,           // (batch, nets, out)
                   const float* inp,     // (batch, nets, in)
                   const float* weight,  // (nets, out, in)
                   const float* bias,    // (nets, out)
                   Activation act, cudaStream_t stream);

// dpre = dout * act'(out), then dbias += the sum of dpre over the batch, dweight += dpre^T inp
// and dinp = dpre weight, for every network.
void dense_backward(cublasHandle_t handle, const DenseShape& s,
                    float* dinp,          // (batch, nets, in) or null
                    float* dweight,       // (nets, out, in) or null
                    float* dbias,         // (nets, out) or null
                    float* dpre,          // (batch, nets, out)
                    const float* dout,    // (batch, nets, out)
                    const float* out,     // (batch, nets, out)
                    const float* inp,     // (batch, nets, in)
                    const float* weight,  // (nets, out, in)
                    Activation act, cudaStream_t stream);

}  // namespace cs::cuda
