// The colour maps of the heatmaps: a diverging blue–white–red map for signed values (ColorBrewer
// RdBu, reversed so that positive is red) and a grey ramp for input images.
#pragma once

#include <QColor>
#include <QLinearGradient>

class ColorMap {
 public:
  // t in [-1, 1] (clamped; NaN gives transparent): -1 deep blue, 0 near white, +1 deep red.
  static QRgb diverging(float t);
  // The diverging map as a gradient from -1 (at 0) to +1 (at 1), for legends.
  static QLinearGradient divergingGradient(QPointF from, QPointF to);
};
