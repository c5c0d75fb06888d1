// A dataset's images and labels as the CPU backend keeps them (on huge pages where it can), and
// the reads that turn them into a batch: pixels / 255, moved by a training sample's random shift.
#pragma once

#include <cstdint>
#include <vector>

#include "convscope/augment.h"
#include "convscope/dataset.h"

namespace cs::cpu {

struct ImageSet {
  Shape3 shape;
  int count = 0;
  std::vector<uint8_t> images, labels;

  static ImageSet copy_of(const Dataset& d);
  // x (C, H, W) = the pixels of sample i / 255, moved by `shift` (augment.h); returns its label.
  int32_t read(int i, PixelShift shift, float* x) const;
  // Asks for the images of samples order[at], ..., order[at + n - 1] (those inside the epoch) to
  // be brought into cache: the training set is far larger than the caches, and a shuffled image
  // is otherwise a run of misses when it is read.
  void prefetch(const std::vector<int32_t>& order, int at, int n) const;
};

}  // namespace cs::cpu
