// Label smoothing (GroupConfig::label_smoothing, Szegedy et al. 2016; PyTorch's
// CrossEntropyLoss(label_smoothing=e)): training fits the softmax to a target that gives the true
// class 1 - e + e / K and every other class e / K, K the classes, so the loss of a step is
//   (1 - e) * -log p[label] + (e / K) * sum_j -log p[j],
// and its gradient with respect to the logits is p - target. Only training steps smooth (their
// losses are the smoothed one); the validation loss and the probe's stay the plain cross-entropy,
// which runs with and without smoothing compare by. e = 0 is the plain loss, bit for bit.
#pragma once

#include <string>

#include "convscope/hd.h"

namespace cs {

// The smoothed target of class j for a sample of class `label` (1 or 0 when smoothing is 0).
template <typename T>
CS_HD T label_target(int j, int label, T smoothing, int classes) {
  const T off = smoothing / static_cast<T>(classes);
  return j == label ? T(1) - smoothing + off : off;
}

// Why `smoothing` cannot be used ("" when it can): it must lie in [0, 1).
std::string label_smoothing_problem(float smoothing);
// How a run's settings name it: "0.1", or "none".
std::string label_smoothing_text(float smoothing);

}  // namespace cs
