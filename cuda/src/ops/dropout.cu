// Dropout: one thread per value, the mask hashed per value (no mask buffer); forward and backward
// are the same elementwise rule.
#include "convscope/dropout.h"
#include "cuda_check.h"
#include "dropout.cuh"
#include "launch.h"

namespace cs::cuda {

namespace {

// `rule`: the threshold and scale of the layer's masks (its key is per network and step).
__global__ void dropout_kernel(float* out, const float* inp, DropoutShape s, DropoutMask rule) {
  const size_t per_sample = static_cast<size_t>(s.nets) * s.size;
  const size_t n = static_cast<size_t>(s.batch) * per_sample;
  const long long step = *s.step;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    const size_t b = i / per_sample;
    const int net = static_cast<int>((i / s.size) % s.nets);
    const size_t element = i % s.size;
    const DropoutMask mask{dropout_key(DropoutStep{s.seeds[net], step}, s.layer), rule.threshold,
                           rule.scale};
    out[i] = dropout_value(mask, b * s.size + element, inp[i]);
  }
}

void launch(float* out, const float* inp, const DropoutShape& s, cudaStream_t stream) {
  const size_t n = static_cast<size_t>(s.batch) * s.nets * s.size;
  if (n == 0) return;
  const DropoutMask rule = dropout_mask({}, s.layer, s.rate);
  dropout_kernel<<<grid_for(n), kBlock, 0, stream>>>(out, inp, s, rule);
  CUDA_CHECK_LAUNCH();
}

}  // namespace

void dropout_forward(float* out, const float* inp, const DropoutShape& s, cudaStream_t stream) {
  launch(out, inp, s, stream);
}

void dropout_backward(float* dinp, const float* dout, const DropoutShape& s, cudaStream_t stream) {
  launch(dinp, dout, s, stream);
}

}  // namespace cs::cuda
