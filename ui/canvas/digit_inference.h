// What the training worker runs for the canvas and the saliency view, on its own thread with
// its own backend: one prediction, one saliency map. Errors become the result's message.
#pragma once

#include "canvas/canvas_types.h"
#include "convscope/backend.h"

class DigitInference {
 public:
  // Why network 0 of `backend` (null: none yet) cannot take `size` input values, or empty.
  static QString problem(const cs::Backend* backend, size_t size);
  static DigitPrediction predict(cs::Backend* backend, int id, const std::vector<float>& image);
  static SaliencyResult saliency(cs::Backend* backend, const SaliencyRequest& request);
};
