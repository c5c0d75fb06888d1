#include "network/probability_bars.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

#include "widgets/count_text.h"
#include "widgets/palette.h"

ProbabilityBars::ProbabilityBars(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void ProbabilityBars::setProbabilities(std::vector<float> probs, int trueLabel) {
  const int bars = barCount();
  m_probs = std::move(probs);
  m_label = trueLabel;
  if (barCount() != bars) updateGeometry();
  update();
}

void ProbabilityBars::setClassNames(ClassNames names) {
  m_names = std::move(names);
  update();
}

int ProbabilityBars::barCount() const {
  return std::max<int>(10, static_cast<int>(m_probs.size()));
}

bool ProbabilityBars::event(QEvent* event) {
  if (event->type() != QEvent::ToolTip) return QWidget::event(event);
  const auto* help = static_cast<QHelpEvent*>(event);
  const int c = int(help->pos().x() * barCount() / std::max(1, width()));
  if (c >= 0 && c < static_cast<int>(m_probs.size()))
    QToolTip::showText(help->globalPos(),
                       tr("%1: %2").arg(m_names.name(c), percentText(m_probs[c], 1)), this);
  else
    QToolTip::hideText();
  return true;
}

// Slots just wide enough for a digit's label and a gap: narrower, "0123456789" runs together.
QSize ProbabilityBars::sizeHint() const {
  return {barCount() * (fontMetrics().horizontalAdvance(QLatin1Char('0')) + 8), 96};
}

void ProbabilityBars::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const int n = barCount();
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
      const QColor color = c == m_label     ? palette::kRight
                           : c == predicted ? palette::kWrong
                                            : palette::kOther;
      p.fillRect(QRectF(slotRect.left(), barArea - h, slotRect.width(), h), color);
    }
    p.setPen(c == m_label ? palette::kRight : palette().color(QPalette::Text));
    p.drawText(QRectF(c * slot, barArea + 2, slot, labelHeight), Qt::AlignCenter,
               fm.elidedText(m_names.shortName(c), Qt::ElideRight, int(slot)));
  }
}
