// A drawing or a loaded picture turned into the network's input: grayscale, then the engine's
// MNIST-style preprocessing (cs::preprocess_digit: invert dark-on-light, crop, fit 20×20,
// centre by mass in 28×28), then bytes / 255 as training normalizes them.
#pragma once

#include <QImage>
#include <vector>

#include "convscope/digit_preprocess.h"

class DigitInput {
 public:
  // Throws cs::DigitError for an image too large to process; a null image is blank.
  static cs::DigitResult preprocess(const QImage& image);
  // (1, 28, 28) floats in [0, 1]; empty for a blank result.
  static std::vector<float> toFloats(const cs::DigitResult& digit);
  static std::vector<uint8_t> toBytes(const cs::DigitResult& digit);
  // A (height, width) image of [0, 1] values as grayscale, MNIST's way (white ink on black).
  static QImage toImage(const float* values, int width, int height);
};
