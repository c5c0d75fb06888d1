// A probe image of the user's own (a drawn or loaded digit) instead of a validation image.
//
// The backends take snapshots of validation images only, so the probe runs on a second, CPU
// backend whose "validation set" is the image: before each frame it receives the live network's
// weights and last weight gradients (read_tensor/write_tensor), takes the snapshot, and the
// frame is published into the live backend's exchange as if that one had taken it. The probe's
// loss and gradients are those of the class the live network predicts for the image.
// Lives on the training worker's thread, like the live backend.
#pragma once

#include <memory>
#include <vector>

#include "convscope/backend.h"
#include "convscope/dataset.h"

class ImageProbe {
 public:
  // `image`: (C, H, W) bytes, 0 = background (as a Dataset holds them). `probe` (< 0) is the
  // number its frames carry as Snapshot::probe, which tells them from validation frames and from
  // frames of another image.
  ImageProbe(std::vector<uint8_t> image, int probe);
  ~ImageProbe();

  // A snapshot of network 0 of `live` on the image, published through live.publish_snapshot()
  // with the given step and epoch, and this image's probe number. Throws InputError when the
  // network takes another shape.
  void capture(cs::Backend& live, long long step, int epoch);
  // Whether `live`'s network takes images of this one's size (a run on another dataset may not).
  bool fits(const cs::Backend& live) const;

 private:
  std::vector<uint8_t> m_image;
  int m_probe;
  std::unique_ptr<cs::Backend> m_cpu;
  cs::Dataset m_set;  // `classes` copies of the image, copy k labelled k
  cs::NetworkSpec m_spec;
};
