#include "charts/compact_chart_view.h"

#include <QAbstractAxis>
#include <QResizeEvent>

CompactChartView::CompactChartView(QChart* chart, QWidget* parent)
    : QChartView(chart, parent), m_title(chart->title()) {}

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
