#include "canvas/top_predictions.h"

#include <QPainter>
#include <algorithm>
#include <numeric>

#include "widgets/count_text.h"
#include "widgets/palette.h"

namespace {

constexpr int kRowHeight = 26;

}  // namespace

TopPredictions::TopPredictions(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("topPredictions"));
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  setFixedHeight(kShown * kRowHeight + 4);  // never squeezed by a short dock: it scrolls
}

void TopPredictions::setProbabilities(std::vector<float> probs, const QString& placeholder) {
  m_probs = std::move(probs);
  m_placeholder = placeholder;
  QStringList lines;
  for (int c : topClasses())
    lines << QStringLiteral("%1: %2").arg(m_names.name(c), percentText(m_probs[c], 1));
  setToolTip(lines.join(QLatin1Char('\n')));
  update();
}

void TopPredictions::setClassNames(const ClassNames& names) {
  m_names = names;
  update();
}

std::vector<int> TopPredictions::topClasses() const {
  std::vector<int> order(m_probs.size());
  std::iota(order.begin(), order.end(), 0);
  const size_t shown = std::min<size_t>(kShown, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shown), order.end(),
                    [this](int a, int b) { return m_probs[a] > m_probs[b]; });
  order.resize(shown);
  return order;
}

QSize TopPredictions::sizeHint() const {
  return {220, kShown * kRowHeight + 4};
}

QSize TopPredictions::minimumSizeHint() const {
  return {140, kShown * kRowHeight + 4};
}

void TopPredictions::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const std::vector<int> top = topClasses();
  if (top.empty()) {
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(rect(), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, m_placeholder);
    return;
  }
  const QFontMetrics fm = fontMetrics();
  const int labelWidth = std::max(fm.horizontalAdvance(QStringLiteral("00")),
                                  m_names.widestShortName(static_cast<int>(m_probs.size()), fm)) +
                         8;
  const int percentWidth = fm.horizontalAdvance(QStringLiteral("100.0%")) + 6;
  const int barWidth = std::max(10, width() - labelWidth - percentWidth);
  QFont bold = font();
  bold.setBold(true);
  for (size_t i = 0; i < top.size(); ++i) {
    const int c = top[i];
    const int y = static_cast<int>(i) * kRowHeight + 2;
    painter.setFont(i == 0 ? bold : font());
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(0, y, labelWidth - 6, kRowHeight), Qt::AlignRight | Qt::AlignVCenter,
                     m_names.shortName(c));
    const QRectF track(labelWidth, y + 5, barWidth, kRowHeight - 10);
    painter.setPen(Qt::NoPen);
    painter.setBrush(palette().color(QPalette::AlternateBase));
    painter.drawRoundedRect(track, 3, 3);
    painter.setBrush(i == 0 ? palette::kAccent : palette::kOther);
    painter.drawRoundedRect(
        QRectF(track.topLeft(),
               QSizeF(track.width() * std::clamp(m_probs[c], 0.f, 1.f), track.height())),
        3, 3);
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(labelWidth + barWidth + 4, y, percentWidth, kRowHeight),
                     Qt::AlignLeft | Qt::AlignVCenter, percentText(m_probs[c], 1));
  }
}
