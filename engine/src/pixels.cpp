#include "convscope/pixels.h"

#include <stdexcept>

namespace cs {

std::vector<uint8_t> pixel_bytes(const float* values, size_t count) {
  std::vector<uint8_t> bytes(count);
  for (size_t i = 0; i < count; ++i) bytes[i] = pixel_byte(values[i]);
  return bytes;
}

std::vector<float> pixel_values(const uint8_t* bytes, size_t count) {
  std::vector<float> values(count);
  for (size_t i = 0; i < count; ++i) values[i] = pixel_value(bytes[i]);
  return values;
}

std::vector<uint8_t> side_by_side(const uint8_t* images, int count, Shape3 shape, int scale,
                                  int gap, Shape3* out) {
  if (count < 1 || scale < 1 || gap < 0)
    throw std::invalid_argument("side_by_side: " + std::to_string(count) + " images at scale " +
                                std::to_string(scale) + ", gap " + std::to_string(gap));
  const int h = shape.h * scale, w = shape.w * scale;
  *out = Shape3{shape.c, h, count * w + (count - 1) * gap};
  const size_t plane = static_cast<size_t>(out->h) * out->w, size = shape.size();
  std::vector<uint8_t> strip(plane * shape.c, 128);
  for (int u = 0; u < count; ++u)
    for (int c = 0; c < shape.c; ++c) {
      const uint8_t* from = images + u * size + static_cast<size_t>(c) * shape.h * shape.w;
      uint8_t* to = strip.data() + c * plane + static_cast<size_t>(u) * (w + gap);
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          to[static_cast<size_t>(y) * out->w + x] =
              from[static_cast<size_t>(y / scale) * shape.w + x / scale];
    }
  return strip;
}

}  // namespace cs
