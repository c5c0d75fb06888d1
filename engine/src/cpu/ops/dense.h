// Fully connected layer out = act(inp weight^T + bias), with weight in PyTorch's (OUT, IN)
// layout, fused with bias and activation. inp is (B, IN): a conv map is flattened in (C, H, W)
// order. Conventions: convscope/op_conventions.h.
#pragma once

#include "convscope/op_conventions.h"
#include "convscope/spec.h"

namespace cs::cpu {

// Elements of scratch memory dense_forward needs for a batch of B.
long long dense_scratch_size(int B, int in, int out_features);

template <typename T>
void dense_forward(T* out,           // (B, OUT)
                   T* scratch,       // (dense_scratch_size(B, IN, OUT))
                   const T* inp,     // (B, IN)
                   const T* weight,  // (OUT, IN)
                   const T* bias,    // (OUT)
                   int B, int in, int out_features, Activation act);

// dpre = dout * act'(out), then dbias += the sum of dpre over the batch, dweight += dpre^T inp
// and dinp = dpre weight.
template <typename T>
void dense_backward(T* dinp,          // (B, IN) or null
                    T* dweight,       // (OUT, IN) or null
                    T* dbias,         // (OUT) or null
                    T* dpre,          // (B, OUT)
                    const T* dout,    // (B, OUT)
                    const T* out,     // (B, OUT) forward output
                    const T* inp,     // (B, IN)
                    const T* weight,  // (OUT, IN)
                    int B, int in, int out_features, Activation act);

}  // namespace cs::cpu
