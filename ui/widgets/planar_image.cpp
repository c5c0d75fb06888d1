#include "widgets/planar_image.h"

#include <algorithm>

QImage planarImage(const uint8_t* pixels, cs::Shape3 shape) {
  const size_t plane = static_cast<size_t>(shape.h) * shape.w;
  if (shape.c == 3) {
    QImage out(shape.w, shape.h, QImage::Format_RGB32);
    for (int y = 0; y < shape.h; ++y) {
      auto* line = reinterpret_cast<QRgb*>(out.scanLine(y));
      for (int x = 0; x < shape.w; ++x) {
        const size_t p = static_cast<size_t>(y) * shape.w + x;
        line[x] = qRgb(pixels[p], pixels[plane + p], pixels[2 * plane + p]);
      }
    }
    return out;
  }
  QImage out(shape.w, shape.h, QImage::Format_Grayscale8);
  for (int y = 0; y < shape.h; ++y)
    std::copy_n(pixels + static_cast<size_t>(y) * shape.w, shape.w, out.scanLine(y));
  return out;
}
