// Data augmentation by random shifts (GroupConfig::augment_shift): each training image moved by
// a whole number of pixels, up to the shift in each direction, the pixels moved in black (0, the
// background of MNIST-style digits); validation, prediction and snapshots see the images as they
// are. A sample's shift is a pure function of the shuffle seed, the epoch, the order stream and
// the sample's position in that epoch's order (as shuffle_key), so the CPU and the GPU shift
// alike, a resumed run shifts as the run without a stop did, and networks sharing one order
// share the shifted batch.
#pragma once

#include <cstdint>
#include <string>

#include "convscope/hd.h"
#include "convscope/pixels.h"
#include "convscope/shuffle.h"
#include "convscope/spec.h"

namespace cs {

constexpr int kMaxAugmentShift = 8;

struct PixelShift {
  int dy = 0, dx = 0;  // the image moves down by dy and right by dx (negative: up, left)
};

// The shift of the sample at `position` of epoch `epoch`'s order `stream`: dy and dx each
// uniform in [-max_shift, max_shift]; none when max_shift is 0.
CS_HD PixelShift augment_shift(uint64_t seed, int epoch, int stream, int position, int max_shift) {
  if (max_shift <= 0) return PixelShift{0, 0};
  const uint64_t salted = splitmix64(seed ^ 0x5348494654ull);  // "SHIFT": not the order's keys
  const uint64_t h = shuffle_key(salted, epoch, stream, position);
  const uint32_t span = 2u * static_cast<uint32_t>(max_shift) + 1u;
  return PixelShift{static_cast<int>(static_cast<uint32_t>(h) % span) - max_shift,
                    static_cast<int>(static_cast<uint32_t>(h >> 32) % span) - max_shift};
}

// Pixel (y, x) of an h x w plane of bytes moved by `shift`, as training reads it: the byte at
// (y - dy, x - dx) / 255, or 0 where that lies outside the plane.
CS_HD float shifted_pixel(const uint8_t* plane, int h, int w, int y, int x, PixelShift shift) {
  const int sy = y - shift.dy, sx = x - shift.dx;
  if (sy < 0 || sy >= h || sx < 0 || sx >= w) return 0.f;
  return pixel_value(plane[sy * w + sx]);
}

// Why `max_shift` cannot augment `input` images ("" when it can): below 0, above
// kMaxAugmentShift, or at least half the image's height or width.
std::string augment_shift_problem(int max_shift, Shape3 input);
// How a run's settings name it: "±2 px", or "none".
std::string augment_shift_text(int max_shift);

}  // namespace cs
