// A chart view for live metrics: drag a rectangle to zoom in, double-click (or Reset zoom in the
// right-click menu) to zoom back out. The context menu shows the widget's actions. In a short view
// the chart's and the axes' titles are left out (the legend still names the series), so that
// Qt Charts does not cut the tick labels and titles to "…".
#pragma once

#include <QChartView>

class ZoomableChartView : public QChartView {
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
  void resizeEvent(QResizeEvent* event) override;

 private:
  static constexpr int kCompactHeight = 240;  // below it, no chart title
  QString m_title;
};
