// Pixels as bytes: round(255 v) with v clamped to [0, 1]; images side by side, scaled by whole
// pixels with mid-grey gaps, every channel placed alike; the refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "convscope/pixels.h"

namespace cs {
namespace {

TEST(Pixels, ByteRoundsAndClamps) {
  EXPECT_EQ(pixel_byte(0.f), 0);
  EXPECT_EQ(pixel_byte(1.f), 255);
  EXPECT_EQ(pixel_byte(0.5f), 128);  // 127.5 rounds away from zero
  EXPECT_EQ(pixel_byte(0.499f), 127);
  EXPECT_EQ(pixel_byte(-3.f), 0);
  EXPECT_EQ(pixel_byte(7.f), 255);
  EXPECT_EQ(pixel_byte(std::numeric_limits<float>::infinity()), 255);
  const float values[] = {0.f, 0.2f, 1.f};
  EXPECT_EQ(pixel_bytes(values, 3), (std::vector<uint8_t>{0, 51, 255}));
}

TEST(Pixels, SideBySideScalesEachImageAndPutsGreyBetween) {
  // Two 2-channel 1x2 images: channel 0 {1, 2} and {5, 6}, channel 1 {3, 4} and {7, 8}.
  const std::vector<uint8_t> images = {1, 2, 3, 4, 5, 6, 7, 8};
  Shape3 out;
  const std::vector<uint8_t> strip = side_by_side(images.data(), 2, {2, 1, 2}, 2, 1, &out);
  EXPECT_EQ(out.c, 2);
  EXPECT_EQ(out.h, 2);
  EXPECT_EQ(out.w, 2 * 4 + 1);
  // Each row of each channel: image 0's two pixels doubled, a grey column, image 1's.
  const std::vector<uint8_t> row0 = {1, 1, 2, 2, 128, 5, 5, 6, 6};
  const std::vector<uint8_t> row1 = {3, 3, 4, 4, 128, 7, 7, 8, 8};
  std::vector<uint8_t> expected;
  for (const auto* row : {&row0, &row0, &row1, &row1})
    expected.insert(expected.end(), row->begin(), row->end());
  EXPECT_EQ(strip, expected);

  const std::vector<uint8_t> one = side_by_side(images.data(), 1, {1, 2, 2}, 1, 3, &out);
  EXPECT_EQ(out.w, 2);  // no gap after the last image
  EXPECT_EQ(one, (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_THROW(side_by_side(images.data(), 0, {1, 2, 2}, 1, 0, &out), std::invalid_argument);
  EXPECT_THROW(side_by_side(images.data(), 1, {1, 2, 2}, 0, 0, &out), std::invalid_argument);
  EXPECT_THROW(side_by_side(images.data(), 1, {1, 2, 2}, 1, -1, &out), std::invalid_argument);
}

}  // namespace
}  // namespace cs
