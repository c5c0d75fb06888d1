#include "charts/zoomable_chart_view.h"

#include <QMouseEvent>

ZoomableChartView::ZoomableChartView(QChart* chart, QWidget* parent)
    : CompactChartView(chart, parent) {
  setRubberBand(QChartView::RectangleRubberBand);
  setRenderHint(QPainter::Antialiasing);
  setContextMenuPolicy(Qt::ActionsContextMenu);
  setToolTip(tr("Drag to zoom · double-click to reset · right-click for more"));
}

void ZoomableChartView::resetZoom() {
  chart()->zoomReset();
  Q_EMIT zoomChanged(false);
}

void ZoomableChartView::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::RightButton) return event->accept();  // the context menu's
  QChartView::mousePressEvent(event);
}

void ZoomableChartView::mouseReleaseEvent(QMouseEvent* event) {
  // QChartView zooms out on a right click; here the right button opens the context menu.
  if (event->button() == Qt::RightButton) return event->accept();
  const bool wasZoomed = isZoomed();
  QChartView::mouseReleaseEvent(event);
  if (isZoomed() != wasZoomed || (event->button() == Qt::LeftButton && isZoomed()))
    Q_EMIT zoomChanged(isZoomed());
}

void ZoomableChartView::mouseDoubleClickEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton && isZoomed()) return resetZoom();
  QChartView::mouseDoubleClickEvent(event);
}
