// A chart view for live metrics: drag a rectangle to zoom in, double-click (or Reset zoom in the
// right-click menu) to zoom back out. The context menu shows the widget's actions. A short chart
// stays readable (CompactChartView).
#pragma once

#include "charts/compact_chart_view.h"

class ZoomableChartView : public CompactChartView {
  Q_OBJECT

 public:
  explicit ZoomableChartView(QChart* chart, QWidget* parent = nullptr);

  bool isZoomed() const { return chart()->isZoomed(); }
  void resetZoom();

 Q_SIGNALS:
  void zoomChanged(bool zoomed);

 protected:
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
};
