#include "charts/distribution_chart.h"

#include <QAreaSeries>
#include <QChart>
#include <QLineSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "charts/chart_parts.h"

namespace {

using namespace chart_parts;

// Band k lies between quantiles kLow[k] and kHigh[k] (indices into chart_math::Quantiles).
constexpr int kLow[DistributionChart::kBands] = {0, 1, 2, 3};
constexpr int kHigh[DistributionChart::kBands] = {8, 7, 6, 5};
constexpr int kMedian = 4;

}  // namespace

DistributionChart::DistributionChart(QWidget* parent)
    : ZoomableChartView(new QChart, parent),
      m_x(valueAxis(tr("step"))),
      m_y(valueAxis(QString())),
      m_median(nullptr) {
  QChart* c = chart();
  c->addAxis(m_x, Qt::AlignBottom);
  c->addAxis(m_y, Qt::AlignLeft);
  m_x->setLabelFormat(QStringLiteral("%d"));
  c->legend()->hide();  // the panel's note says what the bands are
  for (int k = 0; k < kBands; ++k) {
    auto* area = new QAreaSeries(new QLineSeries, new QLineSeries);
    area->setPen(Qt::NoPen);
    c->addSeries(area);
    area->attachAxis(m_x);
    area->attachAxis(m_y);
    m_bands.push_back(area);
  }
  m_median = lineSeries(tr("median"), Qt::black, 1.5);
  c->addSeries(m_median);
  m_median->attachAxis(m_x);
  m_median->attachAxis(m_y);
  fitToHeight();
  setMinimumHeight(kMinHeight);
}

void DistributionChart::setDistribution(const QString& title, const QColor& color,
                                        const std::vector<double>& steps,
                                        const std::vector<chart_math::Quantiles>& quantiles) {
  setTitle(title);
  const size_t n = std::min(steps.size(), quantiles.size());
  const auto edge = [&](int q) {
    std::vector<QPointF> points;
    points.reserve(n);
    for (size_t i = 0; i < n; ++i) points.emplace_back(steps[i], quantiles[i][size_t(q)]);
    return thinned(points, kMaxPlottedPoints);
  };
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (size_t i = 0; i < n; ++i) {
    lo = std::min<double>(lo, quantiles[i].front());
    hi = std::max<double>(hi, quantiles[i].back());
  }
  for (int k = 0; k < kBands; ++k) {
    QColor fill = color;
    fill.setAlphaF(0.16 + 0.14 * k);  // the middle darkest
    m_bands[size_t(k)]->setBrush(fill);
    replaceIfChanged(m_bands[size_t(k)]->lowerSeries(), edge(kLow[k]));
    replaceIfChanged(m_bands[size_t(k)]->upperSeries(), edge(kHigh[k]));
  }
  m_median->setColor(color.darker(150));
  replaceIfChanged(m_median, edge(kMedian));
  if (isZoomed()) return;
  double first = n ? steps.front() : 0, last = n ? steps[n - 1] : 10;
  if (!(last > first)) {  // one step, or none: ten steps up to it
    first = std::max(0.0, last - 10);
    last = first + 10;
  }
  chart_math::setRoundRange(m_x, first, last, 5);
  if (!(hi > lo)) {  // nothing yet, or one value: a span around it
    const double at = std::isfinite(lo) ? lo : 0;
    lo = at - 1;
    hi = at + 1;
  }
  const double pad = 0.04 * (hi - lo);
  chart_math::setRoundRange(m_y, lo - pad, hi + pad, 5);
}

QList<QPointF> DistributionChart::bandEdge(int band, bool upper) const {
  const QAreaSeries* area = m_bands.at(size_t(band));
  return (upper ? area->upperSeries() : area->lowerSeries())->points();
}

QList<QPointF> DistributionChart::median() const {
  return m_median->points();
}

QPointF DistributionChart::valueRange() const {
  return {m_y->min(), m_y->max()};
}

QPointF DistributionChart::stepRange() const {
  return {m_x->min(), m_x->max()};
}
