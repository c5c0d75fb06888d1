// Launch helpers shared by the kernel files: ceil-div grids for grid-stride loops, and a
// deterministic block-wide sum (device code; include from .cu files only).
#pragma once

#include <cstddef>

namespace cs::cuda {

constexpr int kBlock = 256;  // threads per block for element-wise kernels

constexpr size_t ceil_div(size_t n, size_t d) {
  return (n + d - 1) / d;
}

// Blocks for a grid-stride loop over n elements: ceil(n / block), at least 1, at most 2^20.
inline unsigned grid_for(size_t n, int block = kBlock) {
  const size_t g = ceil_div(n, static_cast<size_t>(block));
  return static_cast<unsigned>(g < 1 ? 1 : (g > (size_t{1} << 20) ? (size_t{1} << 20) : g));
}

#ifdef __CUDACC__
// Sum of `v` over the block (blockDim.x a multiple of 32, at most 1024); the result is valid in
// thread 0. The order of additions is fixed, so results are reproducible run to run.
__device__ inline float block_sum(float v) {
  __shared__ float warp_sums[32];
  for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  __syncthreads();  // warp_sums may still be read by a previous call
  if (lane == 0) warp_sums[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < static_cast<int>(blockDim.x / 32) ? warp_sums[lane] : 0.f;
    for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
  }
  return v;
}
#endif

}  // namespace cs::cuda
