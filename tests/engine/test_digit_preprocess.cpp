// MNIST-style preprocessing on hand-made images and on real MNIST test images.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "convscope/dataset.h"
#include "convscope/digit_preprocess.h"

namespace cs {
namespace {

struct Canvas {
  int w, h;
  std::vector<uint8_t> px;
  Canvas(int w_, int h_, uint8_t bg) : w(w_), h(h_), px(static_cast<size_t>(w_) * h_, bg) {}
  void fill(int x0, int y0, int x1, int y1, uint8_t v) {  // [x0, x1) x [y0, y1)
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) px[static_cast<size_t>(y) * w + x] = v;
  }
  DigitResult run() const { return preprocess_digit(px.data(), w, h); }
};

// Columns and rows of the 28x28 output holding any ink.
void ink_extent(const DigitResult& r, int* cols, int* rows) {
  std::vector<bool> c(kDigitSide), ro(kDigitSide);
  for (int y = 0; y < kDigitSide; ++y)
    for (int x = 0; x < kDigitSide; ++x)
      if (r.pixels[y * kDigitSide + x] > 0) c[x] = ro[y] = true;
  *cols = static_cast<int>(std::count(c.begin(), c.end(), true));
  *rows = static_cast<int>(std::count(ro.begin(), ro.end(), true));
}

TEST(DigitPreprocess, OffCentreDigitLandsCentred) {
  Canvas c(120, 90, 0);
  // A lopsided "7" in the top-left corner: a thick bar and a stem down its right end.
  c.fill(5, 4, 45, 12, 255);
  c.fill(35, 12, 45, 60, 255);
  const DigitResult r = c.run();
  ASSERT_EQ(r.status, DigitStatus::Ok);
  EXPECT_FALSE(r.inverted);
  EXPECT_EQ(r.box_x, 5);
  EXPECT_EQ(r.box_y, 4);
  EXPECT_EQ(r.box_width, 40);
  EXPECT_EQ(r.box_height, 56);
  EXPECT_EQ(r.scaled_height, 20);
  EXPECT_EQ(r.scaled_width, 14);  // 40 * 20 / 56 = 14.3
  double x = 0, y = 0;
  center_of_mass(r.pixels.data(), kDigitSide, kDigitSide, &x, &y);
  EXPECT_NEAR(x, 14.0, 0.5);
  EXPECT_NEAR(y, 14.0, 0.5);
  EXPECT_DOUBLE_EQ(r.center_x, x);
  // The stem is on the right, so the box sits left of the field's middle to centre the mass.
  EXPECT_LT(r.offset_x + r.scaled_width / 2.0, 14.0);
}

TEST(DigitPreprocess, DarkOnLightIsInverted) {
  Canvas light(64, 48, 255), dark(64, 48, 0);
  light.fill(20, 10, 40, 14, 0), dark.fill(20, 10, 40, 14, 255);
  light.fill(30, 14, 34, 40, 0), dark.fill(30, 14, 34, 40, 255);
  const DigitResult a = light.run(), b = dark.run();
  ASSERT_EQ(a.status, DigitStatus::Ok);
  EXPECT_TRUE(a.inverted);
  EXPECT_FALSE(b.inverted);
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_EQ(a.pixels[0], 0);  // background is 0 in the output
  EXPECT_EQ(*std::max_element(a.pixels.begin(), a.pixels.end()), 255);
}

TEST(DigitPreprocess, GrayBackgroundIsRemovedAndInkStretched) {
  Canvas c(40, 40, 60);
  c.fill(10, 10, 30, 30, 160);
  const DigitResult r = c.run();
  ASSERT_EQ(r.status, DigitStatus::Ok);
  EXPECT_NEAR(r.background, 60 / 255.f, 1e-6);
  EXPECT_EQ(r.pixels[0], 0);
  EXPECT_EQ(r.pixels[14 * kDigitSide + 14], 255);
}

TEST(DigitPreprocess, WideStrokeKeepsItsAspectRatio) {
  Canvas wide(300, 50, 0);
  wide.fill(50, 20, 250, 30, 255);  // 200 x 10
  const DigitResult r = wide.run();
  ASSERT_EQ(r.status, DigitStatus::Ok);
  EXPECT_EQ(r.scaled_width, 20);
  EXPECT_EQ(r.scaled_height, 1);
  int cols = 0, rows = 0;
  ink_extent(r, &cols, &rows);
  EXPECT_EQ(cols, 20);
  EXPECT_EQ(rows, 1);
  EXPECT_EQ(r.pixels[r.offset_y * kDigitSide + r.offset_x], 255);  // 10 x 10 area, all ink

  Canvas tall(60, 200, 0);
  tall.fill(10, 20, 40, 170, 255);  // 30 x 150 -> 4 x 20
  const DigitResult t = tall.run();
  EXPECT_EQ(t.scaled_width, 4);
  EXPECT_EQ(t.scaled_height, 20);
  ink_extent(t, &cols, &rows);
  EXPECT_EQ(cols, 4);
  EXPECT_EQ(rows, 20);
}

TEST(DigitPreprocess, AreaAveragingAntiAliases) {
  // A 1-pixel line in a 40-pixel-tall digit becomes half-intensity in a 20-pixel-tall one.
  Canvas c(40, 40, 0);
  c.fill(0, 0, 40, 1, 255);    // top edge line spans the width
  c.fill(19, 0, 20, 40, 255);  // one-pixel-wide stem: column 19 of 40
  const DigitResult r = c.run();
  ASSERT_EQ(r.scaled_width, 20);
  const uint8_t stem = r.pixels[(r.offset_y + 10) * kDigitSide + r.offset_x + 9];
  EXPECT_NEAR(stem, 128, 1);
}

TEST(DigitPreprocess, SmallDigitIsEnlarged) {
  Canvas c(10, 10, 0);
  c.fill(3, 3, 8, 8, 255);  // 5 x 5 -> 20 x 20, bilinear
  const DigitResult r = c.run();
  ASSERT_EQ(r.status, DigitStatus::Ok);
  EXPECT_EQ(r.scaled_width, 20);
  EXPECT_EQ(r.scaled_height, 20);
  // Centre of mass 9.5 in the 20x20 block: 14 - 9.5 = 4.5 rounds to 5.
  EXPECT_EQ(r.offset_x, 5);
  EXPECT_EQ(r.offset_y, 5);
  EXPECT_EQ(r.pixels[14 * kDigitSide + 14], 255);
}

TEST(DigitPreprocess, NoiseDoesNotStretchTheBox) {
  Canvas c(50, 50, 0);
  c.fill(20, 10, 30, 40, 255);
  c.fill(1, 1, 2, 2, 20);  // faint speck below the noise threshold
  const DigitResult r = c.run();
  EXPECT_EQ(r.box_x, 20);
  EXPECT_EQ(r.box_width, 10);
  EXPECT_EQ(r.box_height, 30);
}

TEST(DigitPreprocess, BlankImagesHaveNoDigit) {
  for (uint8_t bg : {0, 128, 255}) {
    Canvas c(30, 20, bg);
    c.fill(5, 5, 10, 10, static_cast<uint8_t>(bg > 128 ? bg - 10 : bg + 10));  // within 0.1
    const DigitResult r = c.run();
    EXPECT_TRUE(r.blank()) << int(bg);
    EXPECT_TRUE(std::all_of(r.pixels.begin(), r.pixels.end(), [](uint8_t p) { return p == 0; }));
  }
  const float zero[4] = {0, 0, 0, 0};
  EXPECT_TRUE(preprocess_digit(zero, 2, 2).blank());
}

TEST(DigitPreprocess, FloatsMatchBytes) {
  Canvas c(33, 47, 255);
  c.fill(8, 9, 25, 13, 0);
  c.fill(20, 13, 24, 40, 30);
  std::vector<float> f(c.px.size());
  for (size_t i = 0; i < f.size(); ++i) f[i] = c.px[i] / 255.f;
  EXPECT_EQ(preprocess_digit(f.data(), c.w, c.h).pixels, c.run().pixels);
}

TEST(DigitPreprocess, InvalidArgumentsThrow) {
  const uint8_t px[4] = {};
  EXPECT_THROW(preprocess_digit(static_cast<const uint8_t*>(nullptr), 2, 2), DigitError);
  EXPECT_THROW(preprocess_digit(px, 0, 2), DigitError);
  EXPECT_THROW(preprocess_digit(px, 2, -1), DigitError);
  EXPECT_THROW(preprocess_digit(px, kMaxDigitInputSide + 1, 1), DigitError);
  EXPECT_THROW(preprocess_digit(px, kMaxDigitInputSide, kMaxDigitInputSide), DigitError);
}

// MNIST images were made by this very procedure, so preprocessing one changes it little.
TEST(DigitPreprocess, MnistImagesStayCloseToThemselves) {
  const std::string dir = default_mnist_dir();
  if (!idx_folder_installed(dir))
    GTEST_SKIP() << "MNIST not installed in " << dir << " (run scripts/fetch-mnist.sh)";
  const Dataset test = load_idx_folder(dir, "mnist").test;
  const int n = 2000;
  double diff = 0, shifted = 0, worst = 0;
  int identical_box = 0;
  for (int i = 0; i < n; ++i) {
    const uint8_t* img = test.image(i);
    const DigitResult r = preprocess_digit(img, 28, 28);
    ASSERT_EQ(r.status, DigitStatus::Ok) << "image " << i;
    EXPECT_FALSE(r.inverted) << "image " << i;
    EXPECT_NEAR(r.center_x, 14.0, 0.5) << "image " << i;
    EXPECT_NEAR(r.center_y, 14.0, 0.5) << "image " << i;
    double d = 0, s = 0;
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) {
        d += std::abs(r.pixels[y * 28 + x] - img[y * 28 + x]) / 255.0;
        // The same image one pixel to the right, for scale.
        s += std::abs((x > 0 ? img[y * 28 + x - 1] : 0) - img[y * 28 + x]) / 255.0;
      }
    diff += d / 784, shifted += s / 784, worst = std::max(worst, d / 784);
    identical_box += std::max(r.box_width, r.box_height) == 20;
  }
  diff /= n, shifted /= n;
  std::printf(
      "mean |preprocessed - original| %.4f (worst %.4f), one-pixel shift %.4f, "
      "%d/%d with a 20-pixel box\n",
      diff, worst, shifted, identical_box, n);
  EXPECT_LT(diff, 0.02 * shifted);
}

}  // namespace
}  // namespace cs
