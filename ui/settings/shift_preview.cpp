#include "settings/shift_preview.h"

#include <QPainter>

#include "convscope/augment.h"
#include "convscope/pixels.h"
#include "convscope/shuffle.h"
#include "widgets/planar_image.h"

namespace {

constexpr int kScale = 2;  // screen pixels per image pixel
constexpr int kGap = 4;

}  // namespace

ShiftPreview::ShiftPreview(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("shiftPreview"));
  setToolTip(
      tr("The first training images of epoch 1 as the network sees them, each moved by "
         "its random shift; the frame marks the image's edges. Every epoch moves each "
         "image anew."));
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
  setVisible(false);
}

void ShiftPreview::setDataset(DatasetPtr data) {
  if (data == m_data) return;
  m_data = std::move(data);
  m_order.clear();
  rebuild();
}

void ShiftPreview::setShift(int maxShift, uint64_t seed) {
  if (maxShift == m_maxShift && seed == m_seed) return;
  if (seed != m_seed) m_order.clear();
  m_maxShift = maxShift;
  m_seed = seed;
  rebuild();
}

void ShiftPreview::rebuild() {
  m_images.clear();
  const bool shown = m_data && m_maxShift > 0 && m_data->train.count > 0;
  setVisible(shown);
  if (!shown) return;
  const cs::Dataset& train = m_data->train;
  if (m_order.empty()) m_order = cs::epoch_order(m_seed, 0, 0, train.count);
  const int h = train.shape.h, w = train.shape.w;
  std::vector<uint8_t> shifted(static_cast<size_t>(train.shape.size()));
  for (int p = 0; p < std::min(kImages, train.count); ++p) {
    const cs::PixelShift shift = cs::augment_shift(m_seed, 0, 0, p, m_maxShift);
    const uint8_t* image = train.image(m_order[p]);
    for (int c = 0; c < train.shape.c; ++c) {
      const uint8_t* plane = image + static_cast<size_t>(c) * h * w;
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          shifted[(static_cast<size_t>(c) * h + y) * w + x] =
              cs::pixel_byte(cs::shifted_pixel(plane, h, w, y, x, shift));
    }
    m_images.push_back(planarImage(shifted.data(), train.shape));
  }
  updateGeometry();
  update();
}

QSize ShiftPreview::imageSize() const {
  const int h = m_data ? m_data->train.shape.h : 28, w = m_data ? m_data->train.shape.w : 28;
  return {w * kScale + 2, h * kScale + 2};
}

QSize ShiftPreview::sizeHint() const {
  return {4 * (imageSize().width() + kGap), imageSize().height()};
}

QSize ShiftPreview::minimumSizeHint() const {
  return imageSize();
}

void ShiftPreview::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  int x = 0;
  for (const QImage& image : m_images) {
    const QRect frame(x, 0, image.width() * kScale + 2, image.height() * kScale + 2);
    if (frame.right() > width()) break;  // as many as fit
    painter.drawImage(frame.adjusted(1, 1, -1, -1), image);
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(frame.adjusted(0, 0, -1, -1));
    x += frame.width() + kGap;
  }
}
