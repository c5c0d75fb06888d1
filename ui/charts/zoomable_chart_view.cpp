#include "charts/zoomable_chart_view.h"

#include <QAction>
#include <QMouseEvent>
#include <QValueAxis>

#include "charts/chart_math.h"

ZoomableChartView::ZoomableChartView(QChart* chart, QWidget* parent)
    : CompactChartView(chart, parent) {
  setRubberBand(QChartView::RectangleRubberBand);
  setContextMenuPolicy(Qt::ActionsContextMenu);
  setToolTip(tr("Drag to zoom · double-click to reset · right-click for more"));
}

void ZoomableChartView::resetZoom() {
  chart()->zoomReset();
  Q_EMIT zoomChanged(false);
}

void ZoomableChartView::addResetZoomAction() {
  auto* reset = new QAction(tr("Reset zoom"), this);
  connect(reset, &QAction::triggered, this, &ZoomableChartView::resetZoom);
  addAction(reset);
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
  if (isZoomed() != wasZoomed || (event->button() == Qt::LeftButton && isZoomed())) {
    if (isZoomed()) fitTicksToRange();
    Q_EMIT zoomChanged(isZoomed());
  }
}

void ZoomableChartView::fitTicksToRange() {
  // Ticks at fixed multiples (the unzoomed axes') may all fall outside a zoomed range, leaving an
  // axis without labels: new round ticks for what is shown.
  for (QAbstractAxis* axis : chart()->axes())
    if (auto* values = qobject_cast<QValueAxis*>(axis))
      chart_math::applyRoundTicks(values, values->min(), values->max(), kZoomedTicks);
}

void ZoomableChartView::mouseDoubleClickEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton && isZoomed()) return resetZoom();
  QChartView::mouseDoubleClickEvent(event);
}
