#include "charts/chart_parts.h"

#include <QBoxSet>
#include <QChart>
#include <QColor>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPen>
#include <QScatterSeries>
#include <QValueAxis>
#include <QXYSeries>
#include <algorithm>
#include <cmath>

#include "charts/chart_math.h"
#include "charts/zoomable_chart_view.h"
#include "convscope/sweep_stats.h"

namespace chart_parts {

QList<QPointF> thinned(const std::vector<QPointF>& points, int maxPoints) {
  const size_t stride = std::max<size_t>(1, (points.size() + maxPoints - 1) / maxPoints);
  QList<QPointF> out;
  out.reserve(static_cast<qsizetype>(points.size() / stride + 1));
  for (size_t i = 0; i < points.size(); i += stride) out.append(points[i]);
  if (!points.empty() && (points.size() - 1) % stride != 0) out.append(points.back());
  return out;
}

QBoxSet* distributionBox(const cs::Distribution& d, double scale, const QString& label) {
  return new QBoxSet(scale * d.min, scale * d.q1, scale * d.median, scale * d.q3, scale * d.max,
                     label);
}

void replaceIfChanged(QXYSeries* series, const QList<QPointF>& points) {
  if (series->points() != points) series->replace(points);
}

QLineSeries* lineSeries(const QString& name, const QColor& color, qreal width) {
  auto* s = new QLineSeries;
  s->setName(name);
  QPen pen(color);
  pen.setWidthF(width);
  s->setPen(pen);
  return s;
}

QScatterSeries* markerSeries(const QColor& color) {
  auto* s = new QScatterSeries;
  s->setMarkerSize(7);
  s->setColor(color);
  s->setBorderColor(Qt::white);
  return s;
}

void roundTicks(QValueAxis* axis, double max, int ticks) {
  const double step = chart_math::roundStep(max, ticks);
  const double top = std::ceil(max / step - 1e-9) * step;  // the same step over [min, top]
  chart_math::setRoundRange(axis, axis->min(), top, ticks);
}

void fitLogAxis(QLogValueAxis* axis, std::initializer_list<const QXYSeries*> series) {
  double lo = HUGE_VAL, hi = 0;
  for (const QXYSeries* s : series)
    for (const QPointF& p : s->points()) {
      lo = std::min(lo, p.y());
      hi = std::max(hi, p.y());
    }
  if (!(hi > 0)) lo = 0.1, hi = 10;  // nothing yet: around a fresh network's 2.3
  fitLogAxis(axis, lo, hi);
}

void fitLogAxis(QLogValueAxis* axis, double lo, double hi) {
  const double from = std::pow(10.0, std::floor(std::log10(lo)));
  const double to =
      std::pow(10.0, std::max(std::ceil(std::log10(hi * 1.05)), std::log10(from) + 1));
  if (axis->min() != from || axis->max() != to) axis->setRange(from, to);
}

QValueAxis* valueAxis(const QString& title) {
  auto* axis = new QValueAxis;
  axis->setTitleText(title);
  return axis;
}

void attach(QChart* chart, QAbstractSeries* series, QValueAxis* x, QValueAxis* y) {
  chart->addSeries(series);
  series->attachAxis(x);
  series->attachAxis(y);
}

ZoomableChartView* chartView(const QString& title, QValueAxis* x, QValueAxis* y,
                             std::initializer_list<QLineSeries*> lines, QScatterSeries* markers) {
  auto* chart = new QChart;
  chart->setTitle(title);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  for (QLineSeries* line : lines) attach(chart, line, x, y);
  attach(chart, markers, x, y);
  chart->legend()->markers(markers).front()->setVisible(false);
  return new ZoomableChartView(chart);
}

QList<QPointF> atLeast(QList<QPointF> points, double floor) {
  for (QPointF& p : points) p.setY(std::max(p.y(), floor));
  return points;
}

}  // namespace chart_parts
