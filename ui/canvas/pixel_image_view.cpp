#include "canvas/pixel_image_view.h"

#include <QPainter>
#include <algorithm>

PixelImageView::PixelImageView(int side, QWidget* parent) : QWidget(parent), m_side(side) {
  setMinimumSize(side / 2, side / 2);
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

void PixelImageView::setImage(const QImage& image) {
  m_image = image;
  update();
}

void PixelImageView::setPlaceholder(const QString& text) {
  m_placeholder = text;
  update();
}

void PixelImageView::setSquare(bool square) {
  m_square = square;
  QSizePolicy policy = sizePolicy();
  policy.setHeightForWidth(square);
  setSizePolicy(policy);
  updateGeometry();
}

QSize PixelImageView::sizeHint() const {
  return {m_side, m_side};
}

void PixelImageView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  const int side = std::min(width(), height()) - 2;
  const QRect square((width() - side) / 2, (height() - side) / 2, side, side);
  if (m_image.isNull()) {
    painter.fillRect(square, palette().color(QPalette::AlternateBase));
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(square.adjusted(4, 4, -4, -4), Qt::AlignCenter | Qt::TextWordWrap,
                     m_placeholder);
  } else {
    const QSize fitted = m_image.size().scaled(square.size(), Qt::KeepAspectRatio);
    const QRect target(square.center() - QPoint(fitted.width() / 2, fitted.height() / 2), fitted);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(target, m_image);
  }
  painter.setPen(palette().color(QPalette::Mid));
  painter.drawRect(square);
}
