// The optimizer step over every parameter of every network in one kernel, running the very
// optimizer_update() the CPU backend runs. Per-step scalars live in device memory (StepState)
// so that a captured CUDA graph replays unchanged while they change from step to step.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>

#include "convscope/optimizer_math.h"

namespace cs::cuda {

struct StepState {
  int first = 0;     // position of the step's batch in the epoch order
  int loss_row = 0;  // row of the loss buffer the step writes
  OptimizerScalars scalars{};
  int epoch = 0;       // the epoch the batch is in (its random shifts, BatchShift)
  long long step = 0;  // the optimizer step being taken, from 1 (its dropout masks)
};

// *dst = value, ordered on the stream (the value travels as a kernel argument).
void set_step_state(StepState* dst, const StepState& value, cudaStream_t stream);

// optimizer_update(*scalars, params[i], grads[i], slot0[i], slot1[i]) for all i < n.
void optimizer_step(float* params, const float* grads, float* slot0, float* slot1, size_t n,
                    const OptimizerScalars* scalars,  // device memory
                    cudaStream_t stream);

}  // namespace cs::cuda
