#include "ensemble/epoch_learning_strip.h"

#include <QPainter>
#include <QStringList>
#include <algorithm>

#include "widgets/palette.h"

EpochLearningStrip::EpochLearningStrip(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

QSize EpochLearningStrip::sizeHint() const {
  return {160, 28};
}

void EpochLearningStrip::setCounts(std::vector<int> counts, int nets) {
  m_counts = std::move(counts);
  m_nets = m_counts.empty() ? 0 : nets;
  QStringList parts;
  for (size_t e = 0; e < m_counts.size(); ++e)
    parts << tr("epoch %1: %2 of %3 right").arg(e + 1).arg(m_counts[e]).arg(m_nets);
  setToolTip(parts.join(QLatin1Char('\n')));
  update();
}

void EpochLearningStrip::paintEvent(QPaintEvent*) {
  if (m_counts.empty() || m_nets <= 0) return;
  QPainter p(this);
  const int n = static_cast<int>(m_counts.size());
  const double width = double(this->width()) / n;
  const int height = this->height();
  for (int e = 0; e < n; ++e) {
    const int left = static_cast<int>(e * width), right = static_cast<int>((e + 1) * width);
    const int bar = std::max(1, right - left - (width > 4 ? 1 : 0));  // a 1 px gap when room
    const int good = height * m_counts[e] / m_nets;
    p.fillRect(left, 0, bar, height - good, palette::kWrongTint);
    p.fillRect(left, height - good, bar, good, palette::kRight);
  }
}
