// Dropout (LayerKind::Dropout, Srivastava et al. 2014), inverted as torch.nn.Dropout: in a
// training step each value of the layer's input is kept with probability 1 - rate and scaled by
// 1 / (1 - rate), or zeroed; outside training (validation, prediction, snapshots, saliency, the
// probe) the layer passes its input on unchanged.
//
// Which values a step keeps is a pure function of the network's initialization seed, the step
// (Adam's t, 1 for the first step), the layer and the value's place in the step's batch (sample,
// then element), so the CPU and the GPU drop alike, a network trains alike alone and in a group,
// and a resumed run drops as the run without a stop did.
#pragma once

#include <cstdint>

#include "convscope/hd.h"
#include "convscope/shuffle.h"

namespace cs {

// What a training step's dropout layers need besides the rate: the network's seed and the step.
struct DropoutStep {
  uint64_t seed = 0;   // the network's initialization seed (GroupConfig::seeds)
  long long step = 0;  // the optimizer step being taken, from 1
};

// One dropout layer of one step of one network: its hash key, and the rate as an integer
// threshold in 24-bit units with the scale of the kept values.
struct DropoutMask {
  uint64_t key;
  uint32_t threshold;  // a value is kept when its 24-bit hash is at least this
  float scale;         // 1 / (1 - rate)
};

// The mask's key: what differs between networks, steps and layers.
CS_HD uint64_t dropout_key(DropoutStep at, int layer) {
  const uint64_t salted = splitmix64(at.seed ^ 0x44524f504f5554ull);  // "DROPOUT"
  return splitmix64(
      salted ^ splitmix64((static_cast<uint64_t>(at.step) << 16) ^ static_cast<uint64_t>(layer)));
}

// The mask of layer `layer` (its index in the spec) at a step of a network. The GPU computes the
// key per value and takes the threshold and scale from the host, where this computes them.
CS_HD DropoutMask dropout_mask(DropoutStep at, int layer, float rate) {
  const double units = static_cast<double>(1u << 24);
  return DropoutMask{dropout_key(at, layer),
                     static_cast<uint32_t>(static_cast<double>(rate) * units + 0.5),
                     1.f / (1.f - rate)};
}

// Whether the value at `index` of the step's batch (sample * values per sample + element) is kept.
CS_HD bool dropout_keeps(const DropoutMask& m, uint64_t index) {
  return static_cast<uint32_t>(splitmix64(m.key + index) >> 40) >= m.threshold;
}

// The forward of one value: x * scale where kept, else 0. Its backward is the same with dout for
// x: the layer is linear in its input for a fixed mask.
template <typename T>
CS_HD T dropout_value(const DropoutMask& m, uint64_t index, T x) {
  return dropout_keeps(m, index) ? x * static_cast<T>(m.scale) : T(0);
}

}  // namespace cs
