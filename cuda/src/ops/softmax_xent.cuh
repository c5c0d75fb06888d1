// Softmax + cross-entropy on the logits of a group of networks, laid out (batch, nets, classes)
// with labels (batch, nets): training (loss and gradient in one kernel, no host sync) and
// evaluation (loss, top-1 hit, top-3 and the true label's probability per image). Training is
// the mirror of engine/src/cpu/ops/softmax_xent.h, forward and backward in one kernel.
// Conventions: convscope/op_conventions.h.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "convscope/op_conventions.h"

namespace cs::cuda {

// dlogits = (softmax - target) / batch, target the labels smoothed by `smoothing`
// (convscope/label_smoothing.h; 0: one-hot); loss[row * nets + n] = network n's mean loss and
// hit_rate[row * nets + n] (nullable) its top-1 hit rate, where row is read from device memory
// (*row; 0 when null) so that a captured graph writes each step's results to a new row.
// probs (nullable) receives the softmax.
void softmax_xent_forward_backward(float* dlogits,       // (batch, nets, classes)
                                   float* probs,         // (batch, nets, classes) or null
                                   float* loss,          // (rows, nets)
                                   float* hit_rate,      // (rows, nets) or null
                                   const int* row,       // device scalar or null
                                   const float* logits,  // (batch, nets, classes)
                                   const int* labels,    // (batch, nets)
                                   int batch, int nets, int classes, float smoothing,
                                   cudaStream_t stream);

// Per-image evaluation results for the whole validation set, (nets, count, ...) each.
struct EvalRows {
  uint8_t* top_labels;  // (nets, count, 3) best first
  float* top_probs;     // (nets, count, 3)
  float* true_probs;    // (nets, count)
  float* loss;          // (nets, count)
  uint8_t* hit;         // (nets, count) top-1 == label
  int count;
};

// Fills images [first, first + batch) of `rows` from a batch of logits.
void softmax_xent_evaluate(const EvalRows& rows, int first,
                           const float* logits,  // (batch, nets, classes)
                           const int* labels,    // (batch, nets)
                           int batch, int nets, int classes, cudaStream_t stream);

// Mean loss and accuracy of every network over all `rows.count` images.
void evaluate_reduce(float* loss,      // (nets)
                     float* accuracy,  // (nets)
                     const EvalRows& rows, int nets, cudaStream_t stream);

}  // namespace cs::cuda
