// Softmax + cross-entropy over the class logits, the network's loss, against labels smoothed by
// `smoothing` (convscope/label_smoothing.h; 0: the plain one-hot labels). Conventions:
// convscope/op_conventions.h.
#pragma once

#include <cstdint>

#include "convscope/op_conventions.h"

namespace cs::cpu {

// probs = softmax(logits) per sample; losses[b] = -sum_j target_j log probs[b][j], target the
// smoothed labels (-log probs[b][labels[b]] without smoothing).
template <typename T>
void softmax_xent_forward(T* probs,               // (B, classes)
                          T* losses,              // (B)
                          const T* logits,        // (B, classes)
                          const int32_t* labels,  // (B)
                          int B, int classes, T smoothing = 0);

// dlogits = scale * (probs - target(labels)); scale = 1 / batch for the batch-mean loss.
template <typename T>
void softmax_xent_backward(T* dlogits,             // (B, classes)
                           const T* probs,         // (B, classes)
                           const int32_t* labels,  // (B)
                           int B, int classes, T scale, T smoothing = 0);

}  // namespace cs::cpu
