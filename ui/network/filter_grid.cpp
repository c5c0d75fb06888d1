#include "network/filter_grid.h"

#include <algorithm>
#include <cmath>

#include "network/color_map.h"

int Tile::valueIndexAt(int px, int py) const {
  if (px < 0 || py < 0 || px >= imageWidth() || py >= imageHeight()) return -1;
  const int cx = px / (width + 1), x = px % (width + 1);
  const int cy = py / (height + 1), y = py % (height + 1);
  if (x == width || y == height) return -1;  // the gap between channels
  const int channel = cy * mosaicColumns + cx;
  if (channel >= channels) return -1;
  const int index = (channel * height + y) * width + x;
  if (vector && index >= count) return -1;
  return index < static_cast<int>(values.size()) ? index : -1;
}

QString Tile::describe(int index) const {
  if (vector) return QStringLiteral("%1 %2").arg(source).arg(index);
  const int plane = height * width;
  const int c = index / plane, y = index % plane / width, x = index % width;
  const QString position = QStringLiteral("y %1, x %2").arg(y).arg(x);
  if (channels == 1 && source.isEmpty()) return position;
  return QStringLiteral("%1 %2 · %3")
      .arg(source.isEmpty() ? QStringLiteral("channel") : source)
      .arg(c)
      .arg(position);
}

QImage Tile::render(float scale) const {
  QImage image(imageWidth(), imageHeight(), QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  const float inverse = scale > 0 ? 1.f / scale : 0.f;
  for (int py = 0; py < image.height(); ++py) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(py));
    for (int px = 0; px < image.width(); ++px) {
      const int i = valueIndexAt(px, py);
      if (i >= 0) line[px] = ColorMap::diverging(values[i] * inverse);
    }
  }
  return image;
}

void Tile::updateAbsMax() {
  absMax = 0;
  for (float v : values)
    if (std::isfinite(v)) absMax = std::max(absMax, std::abs(v));
}

void FilterGrid::updateAbsMax() {
  absMax = 0;
  for (Tile& t : tiles) {
    t.updateAbsMax();
    absMax = std::max(absMax, t.absMax);
  }
}
