#include "cpu/image_set.h"

#include <algorithm>

#include "convscope/pixels.h"
#include "huge_pages.h"

namespace cs::cpu {

ImageSet ImageSet::copy_of(const Dataset& d) {
  ImageSet s{d.shape, d.count, {}, d.labels};
  copy_huge(s.images, d.images);
  return s;
}

int32_t ImageSet::read(int i, PixelShift shift, float* x) const {
  const int size = shape.size(), plane = shape.h * shape.w;
  const uint8_t* src = images.data() + static_cast<size_t>(i) * size;
  if (shift.dy == 0 && shift.dx == 0) {
    for (int p = 0; p < size; ++p) x[p] = pixel_value(src[p]);
  } else {
    for (int c = 0; c < shape.c; ++c)
      for (int y = 0; y < shape.h; ++y)
        for (int col = 0; col < shape.w; ++col)
          x[c * plane + y * shape.w + col] =
              shifted_pixel(src + c * plane, shape.h, shape.w, y, col, shift);
  }
  return labels[i];
}

void ImageSet::prefetch(const std::vector<int32_t>& order, int at, int n) const {
  const int size = shape.size();
  for (int s = at; s < std::min(at + n, static_cast<int>(order.size())); ++s) {
    const uint8_t* image = images.data() + static_cast<size_t>(order[s]) * size;
    for (int p = 0; p < size; p += 64) __builtin_prefetch(image + p);
  }
}

}  // namespace cs::cpu
