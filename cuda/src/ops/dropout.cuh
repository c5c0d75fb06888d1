// Dropout over a group's training batch on the GPU, the mirror of engine/src/cpu/ops/dropout.h
// (convscope/dropout.h): network k of the group drops with the mask of its own seed, the value
// at (sample b, element i) of its batch taking index b * size + i, as on the CPU. Outside
// training the layer is a copy (GroupNet's). Conventions: convscope/op_conventions.h.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "convscope/op_conventions.h"

namespace cs::cuda {

// One dropout layer of a training step: the step is read on the device (a replayed graph takes
// each step's).
struct DropoutShape {
  int batch, nets, size;  // values per sample and network
  int layer;              // the layer's index in the spec
  float rate;
  const uint64_t* seeds;  // device (nets): each network's initialization seed
  const long long* step;  // device: the optimizer step being taken, from 1
};

// out = dropout_value(mask of (seeds[k], *step, layer), b * size + i, inp) for every value.
void dropout_forward(float* out,        // (batch, nets, size)
                     const float* inp,  // (batch, nets, size)
                     const DropoutShape& s, cudaStream_t stream);

// dinp = dropout_value(the same mask, the same index, dout).
void dropout_backward(float* dinp,        // (batch, nets, size)
                      const float* dout,  // (batch, nets, size)
                      const DropoutShape& s, cudaStream_t stream);

}  // namespace cs::cuda
