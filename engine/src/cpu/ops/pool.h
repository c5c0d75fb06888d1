// Max and average pooling with a k x k window and stride k (floor: trailing rows and columns
// that do not fill a window are dropped). NCHW, batch-major. Conventions, argmax included:
// convscope/op_conventions.h.
#pragma once

#include <cstdint>

#include "convscope/op_conventions.h"

namespace cs::cpu {

// out = the maximum of each window; argmax = its position in the window.
template <typename T>
void maxpool_forward(T* out,           // (B, C, H / k, W / k)
                     int32_t* argmax,  // (B, C, H / k, W / k)
                     const T* inp,     // (B, C, H, W)
                     int B, int C, int H, int W, int k);

// dinp = dout at each window's maximum, 0 elsewhere.
template <typename T>
void maxpool_backward(T* dinp,                // (B, C, H, W)
                      const T* dout,          // (B, C, H / k, W / k)
                      const int32_t* argmax,  // (B, C, H / k, W / k)
                      int B, int C, int H, int W, int k);

// out = the mean of each window.
template <typename T>
void avgpool_forward(T* out,        // (B, C, H / k, W / k)
                     const T* inp,  // (B, C, H, W)
                     int B, int C, int H, int W, int k);

// dinp = dout / (k * k) inside the windows, 0 outside.
template <typename T>
void avgpool_backward(T* dinp,        // (B, C, H, W)
                      const T* dout,  // (B, C, H / k, W / k)
                      int B, int C, int H, int W, int k);

}  // namespace cs::cpu
