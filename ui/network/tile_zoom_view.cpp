#include "network/tile_zoom_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

namespace {

constexpr int kPreferredSide = 448;  // about this many screen pixels on the longer side

}  // namespace

TileZoomView::TileZoomView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void TileZoomView::setImage(const QImage& image) {
  const bool resized = image.size() != m_image.size();
  m_image = image;
  if (resized) updateGeometry();
  update();
}

int TileZoomView::zoom() const {
  if (m_image.isNull()) return 1;
  return std::max(1, std::min(width() / m_image.width(), height() / m_image.height()));
}

QRect TileZoomView::imageRect() const {
  const QSize size = m_image.size() * zoom();
  return {(width() - size.width()) / 2, (height() - size.height()) / 2, size.width(),
          size.height()};
}

QSize TileZoomView::sizeHint() const {
  if (m_image.isNull()) return {kPreferredSide, kPreferredSide};
  const int side = std::max(m_image.width(), m_image.height());
  return m_image.size() * std::max(1, kPreferredSide / side);
}

QSize TileZoomView::minimumSizeHint() const {
  return m_image.isNull() ? QSize(64, 64) : m_image.size();
}

void TileZoomView::paintEvent(QPaintEvent*) {
  if (m_image.isNull()) return;
  QPainter painter(this);
  painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
  const QRect r = imageRect();
  painter.fillRect(r, QColor(0xf7, 0xf7, 0xf7));
  painter.drawImage(r, m_image);
  painter.setPen(QColor(0xc8, 0xc8, 0xc8));
  painter.drawRect(r.adjusted(-1, -1, 0, 0));
}

void TileZoomView::mouseMoveEvent(QMouseEvent* event) {
  const QRect r = imageRect();
  const QPoint at = event->position().toPoint();
  const int z = zoom();
  Q_EMIT hovered(r.contains(at) ? QPoint((at.x() - r.x()) / z, (at.y() - r.y()) / z)
                                : QPoint(-1, -1));
}

void TileZoomView::leaveEvent(QEvent*) {
  Q_EMIT hovered({-1, -1});
}
