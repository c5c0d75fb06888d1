// Max and average pooling with a k x k window and stride k (floor: trailing rows and columns
// that do not fill a window are dropped). NCHW, batch-major.
#pragma once

#include <cstdint>

namespace cs::cpu {

// out = max over each window; argmax records the input index (within the batch) of each max.
template <typename T>
void maxpool_forward(T* out,           // (B, C, H / k, W / k)
                     int32_t* argmax,  // (B, C, H / k, W / k)
                     const T* inp,     // (B, C, H, W)
                     int B, int C, int H, int W, int k);

// dinp[argmax[i]] += dout[i]; dinp must hold (B, C, H, W) (zero where nothing flows back).
template <typename T>
void maxpool_backward(T* dinp,                // (B, C, H, W)
                      const T* dout,          // (B, C, H / k, W / k)
                      const int32_t* argmax,  // (B, C, H / k, W / k)
                      int B, int C, int H, int W, int k);

template <typename T>
void avgpool_forward(T* out,        // (B, C, H / k, W / k)
                     const T* inp,  // (B, C, H, W)
                     int B, int C, int H, int W, int k);

// Adds dout / (k * k) to every input of each window.
template <typename T>
void avgpool_backward(T* dinp,        // (B, C, H, W)
                      const T* dout,  // (B, C, H / k, W / k)
                      int B, int C, int H, int W, int k);

}  // namespace cs::cpu
