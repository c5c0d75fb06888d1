// Pixels as bytes and back: the one conversion of every place that turns the network's inputs
// (values in [0, 1], 0 black) into an image to show or write and of every place that feeds it
// image bytes, and the one layout of images put side by side.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "convscope/hd.h"
#include "convscope/spec.h"

namespace cs {

// A value as a byte: round(255 v), v clamped to [0, 1].
inline uint8_t pixel_byte(float v) {
  return static_cast<uint8_t>(std::lround(std::clamp(v, 0.f, 1.f) * 255.f));
}

// `values` as pixel_byte()s.
std::vector<uint8_t> pixel_bytes(const float* values, size_t count);

// A byte as the network reads it: b / 255, in [0, 1] (training's normalization, on the CPU and in
// the CUDA backend's gather; pixel_byte() turns it back).
CS_HD float pixel_value(uint8_t b) {
  return static_cast<float>(b) / 255.f;
}
// `count` bytes as pixel_value()s.
std::vector<float> pixel_values(const uint8_t* bytes, size_t count);

// `count` images of `shape` (each planes of C x H x W bytes, one after the other) left to right in
// one image of `*out` = {C, H·scale, count·W·scale + (count − 1)·gap}: each pixel as a
// scale × scale square, `gap` columns of mid grey (128) between two images. Throws
// std::invalid_argument for a count or scale below 1 or a negative gap.
std::vector<uint8_t> side_by_side(const uint8_t* images, int count, Shape3 shape, int scale,
                                  int gap, Shape3* out);

}  // namespace cs
