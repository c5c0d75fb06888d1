// Fused optimizer kernel over the flat parameter buffer of the whole group, and the tiny kernel
// that stores a step's scalars in device memory.
#include "cuda_check.h"
#include "launch.h"
#include "optimizer.cuh"

namespace cs::cuda {

namespace {

__global__ void set_step_state_kernel(StepState* dst, StepState value) {
  *dst = value;
}

__global__ void optimizer_step_kernel(float* params, const float* grads, float* slot0, float* slot1,
                                      size_t n, const OptimizerScalars* scalars) {
  const OptimizerScalars s = *scalars;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    float p = params[i], s0 = slot0[i], s1 = slot1[i];
    optimizer_update(s, p, grads[i], s0, s1);
    params[i] = p;
    slot0[i] = s0;
    slot1[i] = s1;
  }
}

}  // namespace

void set_step_state(StepState* dst, const StepState& value, cudaStream_t stream) {
  set_step_state_kernel<<<1, 1, 0, stream>>>(dst, value);
  CUDA_CHECK_LAUNCH();
}

void optimizer_step(float* params, const float* grads, float* slot0, float* slot1, size_t n,
                    const OptimizerScalars* scalars, cudaStream_t stream) {
  if (n == 0) return;
  optimizer_step_kernel<<<grid_for(n), kBlock, 0, stream>>>(params, grads, slot0, slot1, n,
                                                            scalars);
  CUDA_CHECK_LAUNCH();
}

}  // namespace cs::cuda
