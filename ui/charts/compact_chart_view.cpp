#include "charts/compact_chart_view.h"

#include <QAbstractAxis>
#include <QLegend>
#include <QResizeEvent>

CompactChartView::CompactChartView(QChart* chart, QWidget* parent)
    : QChartView(chart, parent), m_title(chart->title()) {
  QFont font = chart->titleFont();
  font.setBold(true);
  chart->setTitleFont(font);
  chart->setMargins(QMargins(4, 4, 4, 4));
  chart->setBackgroundRoundness(0);
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->legend()->setShowToolTips(true);  // a name cut to "trainin…" in a narrow chart, whole
  setRenderHint(QPainter::Antialiasing);
}

void CompactChartView::setTitle(const QString& title) {
  m_title = title;
  fitToHeight();
}

void CompactChartView::fitToHeight() {
  const bool compact = height() < kCompactHeight;
  chart()->setTitle(compact ? QString() : m_title);
  for (QAbstractAxis* axis : chart()->axes()) {
    axis->setTitleVisible(!compact);
    axis->setTruncateLabels(false);
  }
}

void CompactChartView::resizeEvent(QResizeEvent* event) {
  fitToHeight();
  QChartView::resizeEvent(event);
}
