// A distribution over the steps of a run, drawn as TensorBoard draws one: shaded bands between
// pairs of quantiles (chart_math::Quantiles) — the minimum to the maximum, then 6.68-93.32%,
// 15.87-84.13% and 30.85-69.15%, darker towards the middle — and the median as a line. Drag to
// zoom, double-click to zoom out (ZoomableChartView).
#pragma once

#include <QColor>
#include <QList>
#include <QPointF>
#include <vector>

#include "charts/chart_math.h"
#include "charts/zoomable_chart_view.h"

class QAreaSeries;
class QLineSeries;
class QValueAxis;

class DistributionChart : public ZoomableChartView {
  Q_OBJECT

 public:
  static constexpr int kBands = 4;  // min-max, then three inner pairs of quantiles
  static constexpr int kMaxPlottedPoints = 1200;

  explicit DistributionChart(QWidget* parent = nullptr);

  // The chart's title, and the quantiles of each step (steps ascending, one per quantile set);
  // the axes fit them unless zoomed.
  void setDistribution(const QString& title, const QColor& color, const std::vector<double>& steps,
                       const std::vector<chart_math::Quantiles>& quantiles);

  // What is drawn, for tests: band k's lower and upper edges (k = 0 the widest), the median.
  QList<QPointF> bandEdge(int band, bool upper) const;
  QList<QPointF> median() const;
  QPointF valueRange() const;  // (min, max) of the value axis
  QPointF stepRange() const;   // (min, max) of the steps axis

 private:
  QValueAxis* m_x;
  QValueAxis* m_y;
  std::vector<QAreaSeries*> m_bands;
  QLineSeries* m_median;
};
