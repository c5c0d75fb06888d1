// Fully connected layer y = act(x W^T + b), with W in PyTorch's [out, in] layout, fused with
// bias and activation. x is (B, IN): a conv map is flattened in (C, H, W) order.
#pragma once

#include "convscope/spec.h"

namespace cs::cpu {

template <typename T>
void dense_forward(T* out,           // (B, OUT)
                   const T* inp,     // (B, IN)
                   const T* weight,  // (OUT, IN)
                   const T* bias,    // (OUT)
                   int B, int in, int out_features, Activation act);

// Adds the gradients to dinp (skipped when null), dweight and dbias. dout holds d(loss)/d(out)
// on entry and d(loss)/d(pre-activation) on return.
template <typename T>
void dense_backward(T* dinp,          // (B, IN) or null
                    T* dweight,       // (OUT, IN)
                    T* dbias,         // (OUT)
                    T* dout,          // (B, OUT)
                    const T* out,     // (B, OUT) forward output
                    const T* inp,     // (B, IN)
                    const T* weight,  // (OUT, IN)
                    int B, int in, int out_features, Activation act);

}  // namespace cs::cpu
