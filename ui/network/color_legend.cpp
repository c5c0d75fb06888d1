#include "network/color_legend.h"

#include <QPainter>

#include "network/color_map.h"

ColorLegend::ColorLegend(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
}

void ColorLegend::setRange(float absMax) {
  if (absMax == m_absMax) return;
  m_absMax = absMax;
  setToolTip(absMax < 0 ? tr("Each tile is coloured on its own scale, ±its largest |value| "
                             "(hover a tile to see it)")
                        : tr("Colour scale of this layer: ±%1").arg(absMax, 0, 'g', 4));
  update();
}

QSize ColorLegend::sizeHint() const {
  return {180, fontMetrics().height() + 12};
}

void ColorLegend::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const QFontMetrics fm = fontMetrics();
  const QString lo = m_absMax < 0 ? tr("−max") : QStringLiteral("−%1").arg(m_absMax, 0, 'g', 2);
  const QString hi = m_absMax < 0 ? tr("+max") : QStringLiteral("+%1").arg(m_absMax, 0, 'g', 2);
  const int textWidth = std::max(fm.horizontalAdvance(lo), fm.horizontalAdvance(hi)) + 6;
  const QRect bar(textWidth, (height() - 10) / 2, width() - 2 * textWidth, 10);
  p.fillRect(bar, ColorMap::divergingGradient(bar.topLeft(), bar.topRight()));
  p.setPen(palette().color(QPalette::Mid));
  p.drawRect(bar.adjusted(0, 0, -1, -1));
  p.drawLine(bar.center().x(), bar.top() - 2, bar.center().x(), bar.bottom() + 2);
  p.setPen(palette().color(QPalette::PlaceholderText));
  p.drawText(QRect(0, 0, textWidth - 4, height()), Qt::AlignRight | Qt::AlignVCenter, lo);
  p.drawText(QRect(bar.right() + 5, 0, textWidth, height()), Qt::AlignLeft | Qt::AlignVCenter, hi);
}
