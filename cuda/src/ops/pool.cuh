// Max and average pooling with window == stride on the GPU, the mirror of
// engine/src/cpu/ops/pool.h (no padding; trailing rows/columns that do not fill a window are
// dropped, as the spec's output shapes say). Conventions, argmax included:
// convscope/op_conventions.h.
#pragma once

#include <cuda_runtime_api.h>

#include "convscope/op_conventions.h"

namespace cs::cuda {

struct PoolShape {
  int planes;  // images * channels (all networks of a group side by side)
  int in_h, in_w, window, out_h, out_w;
};

// out = the maximum of each window; argmax (null when no backward follows) = its position in
// the window.
void maxpool_forward(float* out,        // (planes, out_h, out_w)
                     int* argmax,       // (planes, out_h, out_w) or null
                     const float* inp,  // (planes, in_h, in_w)
                     const PoolShape& s, cudaStream_t stream);

// dinp = dout at each window's maximum, 0 elsewhere.
void maxpool_backward(float* dinp,        // (planes, in_h, in_w)
                      const float* dout,  // (planes, out_h, out_w)
                      const int* argmax,  // (planes, out_h, out_w)
                      const PoolShape& s, cudaStream_t stream);

// out = the mean of each window.
void avgpool_forward(float* out,        // (planes, out_h, out_w)
                     const float* inp,  // (planes, in_h, in_w)
                     const PoolShape& s, cudaStream_t stream);

// dinp = dout / window^2 inside the windows, 0 outside.
void avgpool_backward(float* dinp,        // (planes, in_h, in_w)
                      const float* dout,  // (planes, out_h, out_w)
                      const PoolShape& s, cudaStream_t stream);

}  // namespace cs::cuda
