// Dropout: the layer of convscope/dropout.h over a run of values of a training step's batch.
// Outside training the layer is the identity: a copy (cpu/network.cpp). Conventions:
// convscope/op_conventions.h.
#pragma once

#include "convscope/dropout.h"
#include "convscope/op_conventions.h"

namespace cs::cpu {

// out[i] = dropout_value(mask, first + i, inp[i]) for i < n: `first` is the index, in the step's
// batch, of inp[0] (its sample times the values per sample).
template <typename T>
void dropout_forward(T* out,        // (n)
                     const T* inp,  // (n)
                     const DropoutMask& mask, long long first, long long n);

// dinp[i] = dropout_value(mask, first + i, dout[i]): the same mask and scale.
template <typename T>
void dropout_backward(T* dinp,        // (n)
                      const T* dout,  // (n)
                      const DropoutMask& mask, long long first, long long n);

}  // namespace cs::cpu
