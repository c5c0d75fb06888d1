#include "canvas/digit_input.h"

#include <cstring>

#include "convscope/pixels.h"
#include "widgets/planar_image.h"

cs::DigitResult DigitInput::preprocess(const QImage& image) {
  if (image.isNull()) return {};
  const QImage gray = image.convertToFormat(QImage::Format_Grayscale8);
  const int w = gray.width(), h = gray.height();
  std::vector<uint8_t> pixels(static_cast<size_t>(w) * h);
  for (int y = 0; y < h; ++y)
    std::memcpy(pixels.data() + static_cast<size_t>(y) * w, gray.constScanLine(y),
                static_cast<size_t>(w));
  return cs::preprocess_digit(pixels.data(), w, h);
}

std::vector<float> DigitInput::toFloats(const cs::DigitResult& digit) {
  if (digit.blank()) return {};
  return cs::pixel_values(digit.pixels.data(), digit.pixels.size());
}

std::vector<uint8_t> DigitInput::toBytes(const cs::DigitResult& digit) {
  if (digit.blank()) return {};
  return {digit.pixels.begin(), digit.pixels.end()};
}

QImage DigitInput::toImage(const float* values, int width, int height) {
  return planarImage(cs::pixel_bytes(values, static_cast<size_t>(width) * height).data(),
                     {1, height, width});
}
