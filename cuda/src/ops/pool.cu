// Pooling with window == stride: one thread per output for forward, one per input for
// backward (windows do not overlap, so every input has at most one window and no atomics).
#include "cuda_check.h"
#include "launch.h"
#include "pool.cuh"

namespace cs::cuda {

namespace {

__global__ void max_pool_forward_kernel(float* out, int* argmax, const float* inp, PoolShape s) {
  const size_t n = static_cast<size_t>(s.planes) * s.out_h * s.out_w;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    const int ox = static_cast<int>(i % s.out_w);
    const int oy = static_cast<int>((i / s.out_w) % s.out_h);
    const size_t plane = i / (static_cast<size_t>(s.out_w) * s.out_h);
    const float* src = inp + (plane * s.in_h + oy * s.window) * s.in_w + ox * s.window;
    float best = src[0];
    int best_at = 0;
    for (int dy = 0; dy < s.window; ++dy)
      for (int dx = 0; dx < s.window; ++dx) {
        const float v = src[dy * s.in_w + dx];
        if (v > best) {
          best = v;
          best_at = pool_window_position(dy, dx, s.window);
        }
      }
    out[i] = best;
    if (argmax) argmax[i] = best_at;
  }
}

__global__ void avg_pool_forward_kernel(float* out, const float* inp, PoolShape s) {
  const size_t n = static_cast<size_t>(s.planes) * s.out_h * s.out_w;
  const float scale = 1.f / static_cast<float>(s.window * s.window);
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    const int ox = static_cast<int>(i % s.out_w);
    const int oy = static_cast<int>((i / s.out_w) % s.out_h);
    const size_t plane = i / (static_cast<size_t>(s.out_w) * s.out_h);
    const float* src = inp + (plane * s.in_h + oy * s.window) * s.in_w + ox * s.window;
    float sum = 0.f;
    for (int dy = 0; dy < s.window; ++dy)
      for (int dx = 0; dx < s.window; ++dx) sum += src[dy * s.in_w + dx];
    out[i] = sum * scale;
  }
}

template <bool Max>
__global__ void pool_backward_kernel(float* dinp, const float* dout, const int* argmax,
                                     PoolShape s) {
  const size_t n = static_cast<size_t>(s.planes) * s.in_h * s.in_w;
  const float scale = 1.f / static_cast<float>(s.window * s.window);
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    const int ix = static_cast<int>(i % s.in_w);
    const int iy = static_cast<int>((i / s.in_w) % s.in_h);
    const size_t plane = i / (static_cast<size_t>(s.in_w) * s.in_h);
    const int oy = iy / s.window, ox = ix / s.window;
    float g = 0.f;
    if (oy < s.out_h && ox < s.out_w) {
      const size_t o = (plane * s.out_h + oy) * s.out_w + ox;
      if constexpr (Max)
        g = argmax[o] == pool_window_position(iy - oy * s.window, ix - ox * s.window, s.window)
                ? dout[o]
                : 0.f;
      else
        g = dout[o] * scale;
    }
    dinp[i] = g;
  }
}

}  // namespace

void maxpool_forward(float* out, int* argmax, const float* inp, const PoolShape& s,
                     cudaStream_t stream) {
  const size_t n = static_cast<size_t>(s.planes) * s.out_h * s.out_w;
  if (n == 0) return;
  max_pool_forward_kernel<<<grid_for(n), kBlock, 0, stream>>>(out, argmax, inp, s);
  CUDA_CHECK_LAUNCH();
}

void maxpool_backward(float* dinp, const float* dout, const int* argmax, const PoolShape& s,
                      cudaStream_t stream) {
  const size_t n = static_cast<size_t>(s.planes) * s.in_h * s.in_w;
  if (n == 0) return;
  pool_backward_kernel<true><<<grid_for(n), kBlock, 0, stream>>>(dinp, dout, argmax, s);
  CUDA_CHECK_LAUNCH();
}

void avgpool_forward(float* out, const float* inp, const PoolShape& s, cudaStream_t stream) {
  const size_t n = static_cast<size_t>(s.planes) * s.out_h * s.out_w;
  if (n == 0) return;
  avg_pool_forward_kernel<<<grid_for(n), kBlock, 0, stream>>>(out, inp, s);
  CUDA_CHECK_LAUNCH();
}

void avgpool_backward(float* dinp, const float* dout, const PoolShape& s, cudaStream_t stream) {
  const size_t n = static_cast<size_t>(s.planes) * s.in_h * s.in_w;
  if (n == 0) return;
  pool_backward_kernel<false><<<grid_for(n), kBlock, 0, stream>>>(dinp, dout, nullptr, s);
  CUDA_CHECK_LAUNCH();
}

}  // namespace cs::cuda
