#include "canvas/saliency_image.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

#include "canvas/digit_input.h"
#include "network/color_map.h"

namespace {

float largestMagnitude(const cs::SaliencyMap& map) {
  float m = 0;
  for (float v : map.values) m = std::max(m, std::abs(v));
  return m > 0 ? m : 1.f;
}

// The map's colour for value v and its weight in an overlay (0..1).
QRgb colorOf(const cs::SaliencyMap& map, float v, float scale, float* weight) {
  const float t = v / scale;
  *weight = std::min(1.f, std::abs(t));
  return map.is_signed ? ColorMap::diverging(t) : SaliencyImage::heat(t);
}

}  // namespace

QRgb SaliencyImage::heat(float t) {
  t = std::clamp(std::isnan(t) ? 0.f : t, 0.f, 1.f);
  const auto ramp = [t](float from, float to) {
    return std::clamp((t - from) / (to - from), 0.f, 1.f);
  };
  const int r = static_cast<int>(255 * ramp(0.f, 0.4f));
  const int g = static_cast<int>(255 * ramp(0.35f, 0.8f));
  const int b = static_cast<int>(255 * ramp(0.75f, 1.f));
  return qRgb(r, g, b);
}

QImage SaliencyImage::map(const cs::SaliencyMap& m) {
  QImage image(m.width, m.height, QImage::Format_RGB32);
  const float scale = largestMagnitude(m);
  float weight = 0;
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x)
      image.setPixel(x, y,
                     colorOf(m, m.values[static_cast<size_t>(y) * m.width + x], scale, &weight));
  return image;
}

QImage SaliencyImage::overlay(const std::vector<float>& input, const cs::SaliencyMap& m,
                              double opacity) {
  QImage image(m.width, m.height, QImage::Format_RGB32);
  const float scale = largestMagnitude(m);
  const bool hasInput = input.size() >= m.values.size();
  for (int y = 0; y < m.height; ++y)
    for (int x = 0; x < m.width; ++x) {
      const size_t i = static_cast<size_t>(y) * m.width + x;
      const float grey = hasInput ? std::clamp(input[i], 0.f, 1.f) * 255.f : 0.f;
      float weight = 0;
      const QRgb c = colorOf(m, m.values[i], scale, &weight);
      const float a = static_cast<float>(opacity) * (m.is_signed ? weight : std::sqrt(weight));
      const auto mix = [&](int channel) {
        return static_cast<int>(grey * (1 - a) + channel * a + 0.5f);
      };
      image.setPixel(x, y, qRgb(mix(qRed(c)), mix(qGreen(c)), mix(qBlue(c))));
    }
  return image;
}

QImage SaliencyImage::sideBySide(const std::vector<float>& input, const cs::SaliencyMap& m,
                                 int scale) {
  const int w = m.width * scale, h = m.height * scale;
  QImage out(2 * w, h, QImage::Format_RGB32);
  out.fill(Qt::black);
  QPainter painter(&out);
  painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
  if (input.size() >= m.values.size())
    painter.drawImage(QRect(0, 0, w, h), DigitInput::toImage(input.data(), m.width, m.height));
  painter.drawImage(QRect(w, 0, w, h), map(m));
  painter.end();
  return out;
}
