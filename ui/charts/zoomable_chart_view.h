// A chart view for live metrics: drag a rectangle to zoom in, double-click (or Reset zoom in the
// right-click menu) to zoom back out; a zoomed axis gets round ticks of its own, so it keeps its
// labels. The context menu shows the widget's actions. A short chart stays readable
// (CompactChartView).
#pragma once

#include "charts/compact_chart_view.h"

class ZoomableChartView : public CompactChartView {
  Q_OBJECT

 public:
  static constexpr int kZoomedTicks = 4;  // about this many tick intervals on a zoomed axis

  explicit ZoomableChartView(QChart* chart, QWidget* parent = nullptr);

  bool isZoomed() const { return chart()->isZoomed(); }
  void resetZoom();
  // Adds "Reset zoom" (resetZoom()) to the context menu.
  void addResetZoomAction();
  // Round ticks for each value axis's current range (done after every zoom).
  void fitTicksToRange();

 Q_SIGNALS:
  void zoomChanged(bool zoomed);

 protected:
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
};
