// Units that do not fire: in each layer with a ReLU (a convolution's channels, a dense layer's
// units), those whose output is exactly 0 at every place for every image of a sample of the
// validation set. Where such a "dead" ReLU is silent it passes no gradient, so it seldom comes
// back (Lu et al., "Dying ReLU and Initialization", 2020); a learning rate set too high kills
// many at once, which these counts tell before the accuracy stalls. From Backend::features()
// (one forward pass gives all the layers), so alike on the CPU and the CUDA backend.
#pragma once

#include <vector>

#include "convscope/backend.h"
#include "convscope/dataset.h"

namespace cs {

struct DeadUnits {
  int images = 0;           // the sample's size
  std::vector<int> layers;  // the layers with a ReLU, in order
  std::vector<int> dead;    // for each: its units silent on every image
  std::vector<int> units;   // for each: its units (channels)
};

constexpr int kDeadUnitImages = 1000;

// Network `net` on `count` images spread over `images` (Dataset::spread()), in chunks of at
// most 256. Throws std::invalid_argument when that leaves no image, and what features() throws.
DeadUnits dead_units(Backend& backend, int net, const Dataset& images, int count = kDeadUnitImages);

}  // namespace cs
