// A drawn or photographed digit turned into an MNIST-style 28x28 image, the way MNIST itself was
// made (LeCun et al.): the ink is cropped to its bounding box, scaled with anti-aliasing to fit a
// 20x20 box keeping its aspect ratio, and placed in a 28x28 field so that its centre of mass is at
// the field's centre.
//
// The output uses the Dataset convention (0 = background, 255 = full ink, one byte per pixel), so
// a backend normalizes it exactly as it normalizes training images (bytes / 255).
//
// Coordinates: a centre of mass is measured in pixel indices (pixel (x, y) sits at (x, y)) and
// placed on pixel (14, 14), as in MNIST (its test images' centre of mass is at (14.0, 14.0) on
// average, half a pixel right of and below the field's geometric centre, 13.5).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "convscope/error.h"

namespace cs {

// Invalid arguments (a null image, a size that is zero, negative or too large).
class DigitError : public Error {
 public:
  explicit DigitError(const std::string& message) : Error(ErrorKind::InvalidInput, message) {}
};

constexpr int kDigitSide = 28;  // the output field
constexpr int kDigitBox = 20;   // the ink is scaled to fit this box
constexpr int kMaxDigitInputSide = 16384;
constexpr long long kMaxDigitInputPixels = 1LL << 26;

struct DigitOptions {
  // Ink weaker than this (after inversion and background removal, 0..1) does not count for the
  // bounding box, so faint noise does not stretch it. Inside the box it stays and counts for the
  // centre of mass; outside it is cropped away.
  float noise_threshold = 0.1f;
  // An image whose strongest ink is below this above the background has no digit on it.
  float min_contrast = 0.1f;
};

enum class DigitStatus {
  Ok,
  Blank,  // no ink: every pixel is within min_contrast of the background
};

struct DigitResult {
  DigitStatus status = DigitStatus::Blank;
  std::array<uint8_t, kDigitSide * kDigitSide> pixels{};  // (28, 28), 0 = background
  bool inverted = false;     // the input was dark ink on a light background
  float background = 0;      // the background level removed, 0..1 after inversion
  int box_x = 0, box_y = 0;  // the ink's bounding box in the input
  int box_width = 0, box_height = 0;
  int scaled_width = 0, scaled_height = 0;  // its size after scaling (the larger is 20)
  int offset_x = 0, offset_y = 0;           // where the scaled box landed in the 28x28 field
  double center_x = 0, center_y = 0;        // centre of mass in the output (about 14, 14)

  bool blank() const { return status == DigitStatus::Blank; }
};

// `pixels` is (height, width) row-major, 0 = black and 255 (or 1.0) = white as the image stores
// them; the polarity is decided here: a light background (the median of the border pixels above
// one half) means dark ink, which is inverted. Float pixels are clamped to [0, 1].
// Throws DigitError for invalid arguments; a blank image is a result (status Blank, all zeros).
DigitResult preprocess_digit(const uint8_t* pixels, int width, int height,
                             const DigitOptions& options = {});
DigitResult preprocess_digit(const float* pixels, int width, int height,
                             const DigitOptions& options = {});

// The median of the border pixels (the first and last rows and columns) of a (height, width) image
// whose rows lie `stride` values apart, width and height at least 1: the background's level, from
// which preprocess_digit() takes the polarity.
template <typename T>
T border_median(const T* pixels, int width, int height, std::ptrdiff_t stride) {
  std::vector<T> border;
  for (int y = 0; y < height; ++y) {
    const T* row = pixels + y * stride;
    if (y == 0 || y == height - 1)
      border.insert(border.end(), row, row + width);
    else
      border.insert(border.end(), {row[0], row[width - 1]});
  }
  const auto mid = border.begin() + static_cast<std::ptrdiff_t>(border.size() / 2);
  std::nth_element(border.begin(), mid, border.end());
  return *mid;
}

// Centre of mass of a (height, width) byte image in the coordinates above; (-1, -1) when it is
// all zeros.
void center_of_mass(const uint8_t* pixels, int width, int height, double* x, double* y);

}  // namespace cs
