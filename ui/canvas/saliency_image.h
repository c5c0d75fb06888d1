// The pictures of a saliency map: the map alone in a colour map (a heat ramp for the
// non-negative methods, the diverging blue–white–red map for Integrated Gradients, which is
// signed), the map over the grayscale input, and both side by side for export. Values are
// scaled by the map's largest magnitude.
#pragma once

#include <QImage>
#include <vector>

#include "convscope/saliency.h"

class SaliencyImage {
 public:
  // t in [0, 1]: black, dark red, orange, yellow, white.
  static QRgb heat(float t);
  // The map in its colour map, (width, height) of the map.
  static QImage map(const cs::SaliencyMap& map);
  // The map over `input` ((H, W) in [0, 1], as the map): each pixel blends the grey input with
  // the map's colour by `opacity` times the pixel's share of the largest magnitude.
  static QImage overlay(const std::vector<float>& input, const cs::SaliencyMap& map,
                        double opacity);
  // The input (left) and the map (right), each `scale` times the map's size: (2 W s, H s).
  static QImage sideBySide(const std::vector<float>& input, const cs::SaliencyMap& map, int scale);
};
