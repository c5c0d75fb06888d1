// Measures one real optimizer step of network 0, layer by layer, for the Layer statistics'
// update ratio: its weights read before the step and after it (Backend::read_tensor), so the
// ratio is of one step whatever the frame rate or the backend. The training worker measures the
// steps it takes a live frame at (about 10 a second) while the panel is shown; each costs two
// copies of the weights to the host (on a GPU, a wait for the steps queued before it).
#pragma once

#include <vector>

#include "training/training_types.h"

class StepUpdateMeter {
 public:
  // Networks with more weights are not measured (each copy would be above 256 MB).
  static constexpr long long kMaxWeights = 1LL << 26;

  // Before the step: network 0's weights (not its biases) as they are; false (nothing read) for a
  // network above kMaxWeights.
  bool before(cs::Backend& backend);
  // After it: each layer's RMS(w after - w before) / RMS(w before), as step `step`.
  LayerUpdates after(cs::Backend& backend, long long step);

 private:
  std::vector<int> m_params;  // the weight tensors' indices in ParamInfo order
  std::vector<std::vector<float>> m_before;
};
