#include "charts/lr_finder_chart.h"

#include <QChart>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPen>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "charts/chart_math.h"
#include "charts/chart_parts.h"
#include "charts/zoomable_chart_view.h"
#include "widgets/palette.h"

namespace {

using namespace chart_parts;

const QColor kLrFinderRaw(0x9e, 0xc3, 0xe6,
                          0xb0);  // the loss chart's: faint, under the smoothed line
const QColor kLrFinderSmoothed(0x1f, 0x5f, 0xa8);
constexpr double kLrFinderEdge = 1e-3;  // the rate axis reaches this much past its decades
constexpr double kLrFinderRawCap =
    1.5;  // raw losses above this times the highest smoothed are cut off

}  // namespace

LrFinderChart::LrFinderChart(QWidget* parent)
    : QWidget(parent),
      m_x(new QLogValueAxis),
      m_y(valueAxis(tr("cross-entropy"))),
      m_raw(lineSeries(tr("loss (per step)"), kLrFinderRaw, 1.0)),
      m_smoothed(lineSeries(tr("loss (smoothed)"), kLrFinderSmoothed, 2.0)),
      m_marker(lineSeries(tr("suggested rate"), palette::kRight, 1.5)) {
  m_x->setBase(10);
  m_x->setLabelFormat(QStringLiteral("%.0e"));
  m_x->setMinorTickCount(8);
  m_x->setTitleText(tr("learning rate"));
  QPen pen = m_marker->pen();
  pen.setStyle(Qt::DashLine);
  m_marker->setPen(pen);
  auto* chart = new QChart;
  chart->setTitle(tr("Loss as the learning rate grows"));
  chart->addAxis(m_x, Qt::AlignBottom);
  chart->addAxis(m_y, Qt::AlignLeft);
  for (QLineSeries* s : {m_raw, m_smoothed, m_marker}) {
    chart->addSeries(s);
    s->attachAxis(m_x);
    s->attachAxis(m_y);
  }
  m_view = new ZoomableChartView(chart);
  m_view->setMinimumHeight(ZoomableChartView::kMinHeight);
  m_view->addResetZoomAction();
  connect(m_view, &ZoomableChartView::zoomChanged, this, [this](bool zoomed) {
    if (!zoomed) fitLossAxis();
  });
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_view);
  start(cs::LrFinderSettings{}.min_lr, cs::LrFinderSettings{}.max_lr);
}

void LrFinderChart::start(double minLr, double maxLr) {
  m_view->resetZoom();
  m_rawPoints.clear();
  m_smoothedPoints.clear();
  m_raw->clear();
  m_smoothed->clear();
  m_empty = true;
  setSuggestion(0);
  // Whole decades: a log axis ticks at the powers of its base.
  const double from = std::pow(10.0, std::floor(std::log10(minLr)));
  const double to = std::pow(10.0, std::max(std::ceil(std::log10(maxLr)), std::log10(from) + 1));
  // A hair wider: log10(1e-6) comes out as -5.99…, and Qt Charts would leave its tick out.
  m_x->setRange(from * (1 - kLrFinderEdge), to * (1 + kLrFinderEdge));
  fitLossAxis();
}

void LrFinderChart::addPoints(const LrFinderPoints& points) {
  if (points.empty()) return;
  for (const cs::LrFinderPoint& p : points) {
    m_rawPoints.append({p.lr, double(p.loss)});
    m_smoothedPoints.append({p.lr, p.smoothed});
    if (m_empty) {
      m_smoothedMin = m_smoothedMax = p.smoothed;
      m_rawMin = m_rawMax = p.loss;
      m_empty = false;
    }
    m_smoothedMin = std::min(m_smoothedMin, p.smoothed);
    m_smoothedMax = std::max(m_smoothedMax, p.smoothed);
    m_rawMin = std::min(m_rawMin, double(p.loss));
    m_rawMax = std::max(m_rawMax, double(p.loss));
  }
  // One replace maps the points once; append() of a list adds them one by one, each mapping all
  // of them again (3,000 points held the event loop for 1.5 s).
  m_raw->replace(m_rawPoints);
  m_smoothed->replace(m_smoothedPoints);
  if (!m_view->isZoomed()) fitLossAxis();
}

void LrFinderChart::setSuggestion(double lr) {
  m_suggestion = lr > 0 ? lr : 0;
  m_marker->setName(m_suggestion > 0 ? tr("suggested %1").arg(QString::number(m_suggestion, 'g', 3))
                                     : tr("suggested rate"));
  m_view->chart()->legend()->markers(m_marker).front()->setVisible(m_suggestion > 0);
  // A tenth of a rate in the first decade lies before the axis: it widens to the decade below.
  if (m_suggestion > 0 && m_suggestion < m_x->min())
    m_x->setMin(std::pow(10.0, std::floor(std::log10(m_suggestion))) * (1 - kLrFinderEdge));
  placeMarker();
}

void LrFinderChart::fitLossAxis() {
  std::vector<double> values;
  if (!m_empty)
    values = {m_smoothedMin, m_smoothedMax, m_rawMin,
              std::min(m_rawMax, kLrFinderRawCap * m_smoothedMax)};
  else
    values = {0.0, 2.5};  // nothing yet: about a fresh network's 2.3
  const chart_math::Range r = chart_math::fitRange(values, 0.05, 0.1, 0, HUGE_VAL);
  chart_math::setRoundRange(m_y, r.min, r.max, 5);
  placeMarker();
}

void LrFinderChart::placeMarker() {
  if (m_suggestion > 0)
    replaceIfChanged(m_marker, {{m_suggestion, m_y->min()}, {m_suggestion, m_y->max()}});
  else
    m_marker->clear();
}

QList<QPointF> LrFinderChart::rawPoints() const {
  return m_raw->points();
}

QList<QPointF> LrFinderChart::smoothedPoints() const {
  return m_smoothed->points();
}

QList<QPointF> LrFinderChart::markerPoints() const {
  return m_marker->points();
}

QPointF LrFinderChart::rateRange() const {
  return {m_x->min(), m_x->max()};
}

QPointF LrFinderChart::lossRange() const {
  return {m_y->min(), m_y->max()};
}
