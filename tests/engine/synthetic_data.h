// Shared by the ensemble-run and sweep tests: a small random dataset (4 classes of 1x6x6 images)
// that trains in milliseconds.
#pragma once

#include <cstdint>
#include <random>

#include "convscope/dataset.h"

namespace cs::test {

inline Dataset synthetic(int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Dataset d;
  d.name = "synthetic";
  d.shape = {1, 6, 6};
  d.count = count;
  d.classes = 4;
  for (int i = 0; i < count; ++i) {
    d.labels.push_back(static_cast<uint8_t>(rng() % 4));
    for (int p = 0; p < d.shape.size(); ++p) d.images.push_back(static_cast<uint8_t>(rng()));
  }
  return d;
}

}  // namespace cs::test
