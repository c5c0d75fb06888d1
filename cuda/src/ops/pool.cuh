// Max and average pooling with window == stride (no padding; trailing rows/columns that do not
// fill a window are dropped, as the spec's output shapes say).
#pragma once

#include <cuda_runtime_api.h>

namespace cs::cuda {

struct PoolShape {
  int planes;  // images * channels (all networks of a group side by side)
  int in_h, in_w, window, out_h, out_w;
};

// y = max over each window; argmax (nullable when no backward follows) receives the position of
// each window's maximum within it, the first one in row-major order on ties (as PyTorch).
void maxpool_forward(float* y,        // (planes, out_h, out_w)
                     int* argmax,     // (planes, out_h, out_w) or null
                     const float* x,  // (planes, in_h, in_w)
                     const PoolShape& s, cudaStream_t stream);

// dx = dy at each window's maximum, 0 elsewhere (overwrites all of dx).
void maxpool_backward(float* dx,          // (planes, in_h, in_w)
                      const float* dy,    // (planes, out_h, out_w)
                      const int* argmax,  // (planes, out_h, out_w)
                      const PoolShape& s, cudaStream_t stream);

void avgpool_forward(float* y,        // (planes, out_h, out_w)
                     const float* x,  // (planes, in_h, in_w)
                     const PoolShape& s, cudaStream_t stream);

// dx = dy / window^2 inside the windows, 0 outside (overwrites all of dx).
void avgpool_backward(float* dx,        // (planes, in_h, in_w)
                      const float* dy,  // (planes, out_h, out_w)
                      const PoolShape& s, cudaStream_t stream);

}  // namespace cs::cuda
