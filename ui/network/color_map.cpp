#include "network/color_map.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace {

// ColorBrewer RdBu (11 classes), from blue (-1) to red (+1).
constexpr std::array<QRgb, 11> kRdBu = {0xff053061, 0xff2166ac, 0xff4393c3, 0xff92c5de,
                                        0xffd1e5f0, 0xfff7f7f7, 0xfffddbc7, 0xfff4a582,
                                        0xffd6604d, 0xffb2182b, 0xff67001f};
constexpr int kLutSize = 513;

QRgb interpolate(float u) {  // u in [0, 1]
  const float x = u * (kRdBu.size() - 1);
  const int i = std::min(static_cast<int>(x), static_cast<int>(kRdBu.size()) - 2);
  const float f = x - i;
  const auto mix = [f](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * f)); };
  const QRgb a = kRdBu[i], b = kRdBu[i + 1];
  return qRgb(mix(qRed(a), qRed(b)), mix(qGreen(a), qGreen(b)), mix(qBlue(a), qBlue(b)));
}

const std::array<QRgb, kLutSize>& lut() {
  static const std::array<QRgb, kLutSize> table = [] {
    std::array<QRgb, kLutSize> t{};
    for (int i = 0; i < kLutSize; ++i) t[i] = interpolate(float(i) / (kLutSize - 1));
    return t;
  }();
  return table;
}

}  // namespace

QRgb ColorMap::diverging(float t) {
  if (std::isnan(t)) return qRgba(0, 0, 0, 0);
  t = std::clamp(t, -1.f, 1.f);
  return lut()[static_cast<int>(std::lround((t + 1.f) * 0.5f * (kLutSize - 1)))];
}

QLinearGradient ColorMap::divergingGradient(QPointF from, QPointF to) {
  QLinearGradient g(from, to);
  for (size_t i = 0; i < kRdBu.size(); ++i)
    g.setColorAt(double(i) / (kRdBu.size() - 1), QColor::fromRgb(kRdBu[i]));
  return g;
}
