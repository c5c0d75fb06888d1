// MNIST-style preprocessing: polarity, background removal, crop, anti-aliased scaling into a
// 20x20 box, placement by centre of mass in 28x28.
#include "convscope/digit_preprocess.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "convscope/pixels.h"

namespace cs {

namespace {

// One output sample of a 1-D resampling: the weighted sum of source samples [first, first + n).
struct Tap {
  int first = 0;
  std::vector<float> weights;
};

// Resampling `from` samples to `to` samples: area averaging when shrinking (each output sample
// is the mean of the source interval it covers, partial samples weighted by their overlap),
// linear interpolation between sample centres when enlarging.
std::vector<Tap> resample_taps(int from, int to) {
  std::vector<Tap> taps(static_cast<size_t>(to));
  const double f = static_cast<double>(from) / to;  // source samples per output sample
  for (int o = 0; o < to; ++o) {
    Tap& t = taps[o];
    if (f >= 1) {
      const double lo = o * f, hi = (o + 1) * f;
      t.first = static_cast<int>(std::floor(lo));
      const int last = std::min(from - 1, static_cast<int>(std::ceil(hi)) - 1);
      for (int i = t.first; i <= last; ++i) {
        const double overlap = std::min<double>(hi, i + 1) - std::max<double>(lo, i);
        t.weights.push_back(static_cast<float>(std::max(0.0, overlap) / f));
      }
    } else {
      const double c = (o + 0.5) * f - 0.5;
      const int i0 = static_cast<int>(std::floor(c));
      const float w1 = static_cast<float>(c - i0);
      const int a = std::clamp(i0, 0, from - 1), b = std::clamp(i0 + 1, 0, from - 1);
      t.first = a;
      if (a == b) {
        t.weights = {1.f};
      } else {
        t.weights = {1.f - w1, w1};
      }
    }
  }
  return taps;
}

// (h, w) -> (to_h, to_w), separably: rows first, then columns.
std::vector<float> resample(const std::vector<float>& in, int w, int h, int to_w, int to_h) {
  const std::vector<Tap> tx = resample_taps(w, to_w), ty = resample_taps(h, to_h);
  std::vector<float> rows(static_cast<size_t>(h) * to_w, 0.f);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < to_w; ++x) {
      float sum = 0;
      for (size_t k = 0; k < tx[x].weights.size(); ++k)
        sum += tx[x].weights[k] * in[static_cast<size_t>(y) * w + tx[x].first + k];
      rows[static_cast<size_t>(y) * to_w + x] = sum;
    }
  std::vector<float> out(static_cast<size_t>(to_h) * to_w, 0.f);
  for (int y = 0; y < to_h; ++y)
    for (int k = 0; k < static_cast<int>(ty[y].weights.size()); ++k) {
      const float wy = ty[y].weights[k];
      const float* src = rows.data() + static_cast<size_t>(ty[y].first + k) * to_w;
      for (int x = 0; x < to_w; ++x) out[static_cast<size_t>(y) * to_w + x] += wy * src[x];
    }
  return out;
}

void check_size(const void* pixels, int width, int height) {
  if (!pixels) throw DigitError("preprocess_digit: no pixels");
  if (width < 1 || height < 1 || width > kMaxDigitInputSide || height > kMaxDigitInputSide ||
      static_cast<long long>(width) * height > kMaxDigitInputPixels)
    throw DigitError("preprocess_digit: an image of " + std::to_string(width) + "x" +
                     std::to_string(height) + " pixels (each side 1.." +
                     std::to_string(kMaxDigitInputSide) + ", at most " +
                     std::to_string(kMaxDigitInputPixels) + " pixels)");
}

// `v` holds the input in [0, 1], 0 = black.
DigitResult preprocess(std::vector<float> v, int w, int h, const DigitOptions& opt) {
  DigitResult r;
  const float median = border_median(v.data(), w, h, w);
  r.inverted = median > 0.5f;
  if (r.inverted)
    for (float& p : v) p = 1.f - p;
  r.background = r.inverted ? 1.f - median : median;
  const float peak = *std::max_element(v.begin(), v.end());
  if (peak - r.background < opt.min_contrast) return r;  // Blank

  // Ink in [0, 1]: the background removed, the strongest ink stretched to 1.
  const float range = peak - r.background;
  int x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      float& p = v[static_cast<size_t>(y) * w + x];
      p = std::clamp((p - r.background) / range, 0.f, 1.f);
      if (p > opt.noise_threshold) {
        x0 = std::min(x0, x), x1 = std::max(x1, x);
        y0 = std::min(y0, y), y1 = std::max(y1, y);
      }
    }
  r.box_x = x0, r.box_y = y0, r.box_width = x1 - x0 + 1, r.box_height = y1 - y0 + 1;
  std::vector<float> box(static_cast<size_t>(r.box_width) * r.box_height);
  for (int y = 0; y < r.box_height; ++y)
    std::copy_n(v.begin() + static_cast<std::ptrdiff_t>(y0 + y) * w + x0, r.box_width,
                box.begin() + static_cast<std::ptrdiff_t>(y) * r.box_width);

  const double scale = static_cast<double>(kDigitBox) / std::max(r.box_width, r.box_height);
  r.scaled_width = std::clamp(static_cast<int>(std::lround(r.box_width * scale)), 1, kDigitBox);
  r.scaled_height = std::clamp(static_cast<int>(std::lround(r.box_height * scale)), 1, kDigitBox);
  const std::vector<float> scaled =
      resample(box, r.box_width, r.box_height, r.scaled_width, r.scaled_height);

  // Shift by whole pixels so that the centre of mass lands on the field's centre, keeping the
  // whole box inside the field (a very lopsided digit stays off-centre rather than clipped).
  double mass = 0, mx = 0, my = 0;
  for (int y = 0; y < r.scaled_height; ++y)
    for (int x = 0; x < r.scaled_width; ++x) {
      const double p = scaled[static_cast<size_t>(y) * r.scaled_width + x];
      mass += p, mx += p * x, my += p * y;
    }
  const double half = kDigitSide / 2;  // pixel 14, as in MNIST
  r.offset_x = mass > 0 ? static_cast<int>(std::lround(half - mx / mass))
                        : (kDigitSide - r.scaled_width) / 2;
  r.offset_y = mass > 0 ? static_cast<int>(std::lround(half - my / mass))
                        : (kDigitSide - r.scaled_height) / 2;
  r.offset_x = std::clamp(r.offset_x, 0, kDigitSide - r.scaled_width);
  r.offset_y = std::clamp(r.offset_y, 0, kDigitSide - r.scaled_height);
  for (int y = 0; y < r.scaled_height; ++y)
    for (int x = 0; x < r.scaled_width; ++x) {
      r.pixels[static_cast<size_t>(y + r.offset_y) * kDigitSide + x + r.offset_x] =
          pixel_byte(scaled[static_cast<size_t>(y) * r.scaled_width + x]);
    }
  center_of_mass(r.pixels.data(), kDigitSide, kDigitSide, &r.center_x, &r.center_y);
  r.status = r.center_x < 0 ? DigitStatus::Blank : DigitStatus::Ok;
  return r;
}

}  // namespace

DigitResult preprocess_digit(const uint8_t* pixels, int width, int height,
                             const DigitOptions& options) {
  check_size(pixels, width, height);
  return preprocess(pixel_values(pixels, static_cast<size_t>(width) * height), width, height,
                    options);
}

DigitResult preprocess_digit(const float* pixels, int width, int height,
                             const DigitOptions& options) {
  check_size(pixels, width, height);
  std::vector<float> v(static_cast<size_t>(width) * height);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = std::isnan(pixels[i]) ? 0.f : std::clamp(pixels[i], 0.f, 1.f);
  return preprocess(std::move(v), width, height, options);
}

void center_of_mass(const uint8_t* pixels, int width, int height, double* x, double* y) {
  double mass = 0, mx = 0, my = 0;
  for (int j = 0; j < height; ++j)
    for (int i = 0; i < width; ++i) {
      const double p = pixels[static_cast<size_t>(j) * width + i];
      mass += p, mx += p * i, my += p * j;
    }
  *x = mass > 0 ? mx / mass : -1;
  *y = mass > 0 ? my / mass : -1;
}

}  // namespace cs
