// Softmax + cross-entropy over the class logits, the network's loss. Conventions:
// convscope/op_conventions.h.
#pragma once

#include <cstdint>

#include "convscope/op_conventions.h"

namespace cs::cpu {

// probs = softmax(logits) per sample; losses[b] = -log probs[b][labels[b]].
template <typename T>
void softmax_xent_forward(T* probs,               // (B, classes)
                          T* losses,              // (B)
                          const T* logits,        // (B, classes)
                          const int32_t* labels,  // (B)
                          int B, int classes);

// dlogits = scale * (probs - onehot(labels)); scale = 1 / batch for the batch-mean loss.
template <typename T>
void softmax_xent_backward(T* dlogits,             // (B, classes)
                           const T* probs,         // (B, classes)
                           const int32_t* labels,  // (B)
                           int B, int classes, T scale);

}  // namespace cs::cpu
