#include "network/probability_bars.h"

#include <QPainter>
#include <algorithm>

ProbabilityBars::ProbabilityBars(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void ProbabilityBars::setProbabilities(std::vector<float> probs, int trueLabel) {
  m_probs = std::move(probs);
  m_label = trueLabel;
  update();
}

QSize ProbabilityBars::sizeHint() const {
  return {260, 96};
}

void ProbabilityBars::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const int n = std::max<int>(10, static_cast<int>(m_probs.size()));
  const QFontMetrics fm = fontMetrics();
  const int labelHeight = fm.height() + 2;
  const double slot = double(width()) / n;
  const int barArea = height() - labelHeight - 2;
  const int predicted =
      m_probs.empty()
          ? -1
          : static_cast<int>(std::max_element(m_probs.begin(), m_probs.end()) - m_probs.begin());
  for (int c = 0; c < n; ++c) {
    const QRectF slotRect(c * slot + 2, 0, slot - 4, barArea);
    p.fillRect(slotRect, QColor(0xf0, 0xf0, 0xf0));
    if (c < static_cast<int>(m_probs.size())) {
      const double h = std::clamp<double>(m_probs[c], 0, 1) * barArea;
      const QColor color = c == m_label     ? QColor(0x2e, 0x9e, 0x4f)
                           : c == predicted ? QColor(0xd6, 0x45, 0x45)
                                            : QColor(0x8a, 0x9b, 0xb0);
      p.fillRect(QRectF(slotRect.left(), barArea - h, slotRect.width(), h), color);
    }
    p.setPen(c == m_label ? QColor(0x2e, 0x9e, 0x4f) : palette().color(QPalette::Text));
    p.drawText(QRectF(c * slot, barArea + 2, slot, labelHeight), Qt::AlignCenter,
               QString::number(c));
  }
}
