#include "charts/layer_stats_chart.h"

#include <QChart>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "charts/chart_math.h"
#include "charts/chart_parts.h"
#include "charts/distribution_chart.h"
#include "charts/layer_stats.h"
#include "charts/zoomable_chart_view.h"

namespace {

using namespace chart_parts;

// A colour per layer, in order: conv1, conv2, … then the dense layers (none of them the
// palette's right green or wrong red, which mean something elsewhere).
const QColor kLayerColors[] = {{0x1f, 0x5f, 0xa8}, {0xe0, 0x7b, 0x16}, {0x8e, 0x5e, 0xb5},
                               {0x17, 0xa2, 0xb8}, {0xb8, 0x86, 0x0b}, {0x7b, 0x86, 0x91},
                               {0xc2, 0x4f, 0x9a}, {0x4b, 0x3f, 0x72}};

bool isDistribution(LayerStatsChart::Statistic statistic) {
  return statistic == LayerStatsChart::WeightDistribution ||
         statistic == LayerStatsChart::GradientDistribution;
}

QColor layerColor(int layer) {
  return kLayerColors[size_t(layer) % std::size(kLayerColors)];
}

// Layer `layer`'s (step, value) points of the statistic.
std::vector<QPointF> series(const LayerStats& stats, int layer,
                            LayerStatsChart::Statistic statistic) {
  if (statistic == LayerStatsChart::UpdateRatio) return stats.updates(layer);
  std::vector<QPointF> points;
  for (const LayerStatPoint& p : stats.points(layer))
    points.emplace_back(p.step,
                        statistic == LayerStatsChart::GradientRms ? p.gradientRms : p.weightRms);
  return points;
}

}  // namespace

LayerStatsChart::LayerStatsChart(const LayerStats* stats, QWidget* parent)
    : QWidget(parent),
      m_stats(stats),
      m_statistic(new QComboBox),
      m_layer(new QComboBox),
      m_note(new QLabel),
      m_stack(new QStackedWidget),
      m_chart(new QChart),
      m_x(valueAxis(tr("step"))),
      m_y(new QLogValueAxis) {
  m_statistic->addItem(tr("Update ÷ weight, one step"), UpdateRatio);
  m_statistic->addItem(tr("Gradient RMS"), GradientRms);
  m_statistic->addItem(tr("Weight RMS"), WeightRms);
  m_statistic->addItem(tr("Weight distribution"), WeightDistribution);
  m_statistic->addItem(tr("Gradient distribution"), GradientDistribution);
  m_statistic->setToolTip(
      tr("Update ÷ weight: how far one optimizer step moved a layer's weights, relative to their "
         "size, measured at about 10 steps a second (about 1e-3 is the usual rule of thumb; far "
         "below, the layer hardly learns). Gradient RMS: of the training batch's gradient at a "
         "live frame's step. The distributions: of one layer's values, step by step."));
  m_layer->setObjectName(QStringLiteral("layer"));
  m_layer->setToolTip(tr("The layer whose distribution is drawn"));
  connect(m_statistic, &QComboBox::currentIndexChanged, this, &LayerStatsChart::showStatistic);
  connect(m_layer, &QComboBox::currentIndexChanged, this, &LayerStatsChart::redraw);
  m_note->setObjectName(QStringLiteral("note"));
  m_note->setWordWrap(true);
  m_x->setLabelFormat(QStringLiteral("%d"));
  m_y->setLabelFormat(QStringLiteral("%g"));
  m_y->setMinorTickCount(8);
  m_chart->setTitle(tr("Layer statistics"));
  m_chart->addAxis(m_x, Qt::AlignBottom);
  m_chart->addAxis(m_y, Qt::AlignLeft);
  m_view = new ZoomableChartView(m_chart);
  m_view->setMinimumHeight(ZoomableChartView::kMinHeight);
  m_distribution = new DistributionChart;
  for (ZoomableChartView* view : {m_view, static_cast<ZoomableChartView*>(m_distribution)}) {
    view->addResetZoomAction();
    connect(view, &ZoomableChartView::zoomChanged, this, [this](bool zoomed) {
      if (!zoomed) redraw();
    });
  }
  m_stack->addWidget(m_view);
  m_stack->addWidget(m_distribution);

  auto* row = new QHBoxLayout;
  row->setContentsMargins(8, 4, 8, 0);
  row->addWidget(new QLabel(tr("Show")));
  row->addWidget(m_statistic, 1);
  row->addWidget(m_layer);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addLayout(row);
  auto* noteRow = new QHBoxLayout;
  noteRow->setContentsMargins(8, 0, 8, 0);
  noteRow->addWidget(m_note);
  layout->addLayout(noteRow);
  layout->addWidget(m_stack, 1);
  m_timer.setInterval(kRefreshMs);
  connect(&m_timer, &QTimer::timeout, this, &LayerStatsChart::refresh);
  m_timer.start();
  showStatistic();
}

void LayerStatsChart::showStatistic() {
  const bool distribution = isDistribution(statistic());
  m_layer->setVisible(distribution);
  m_stack->setCurrentWidget(distribution ? static_cast<QWidget*>(m_distribution) : m_view);
  m_note->setText(
      distribution
          ? tr("Each frame's values of the layer, about 10 a second: the shades span the minimum "
               "to the maximum, 7–93%, 16–84% and 31–69% of them, the line is the median.")
          : tr("About 10 points a second, for the layers with weights."));
  redraw();
}

int LayerStatsChart::distributionLayer() const {
  return std::max(0, m_layer->currentIndex());
}

void LayerStatsChart::setDistributionLayer(int layer) {
  m_layer->setCurrentIndex(layer);
}

LayerStatsChart::Statistic LayerStatsChart::statistic() const {
  return static_cast<Statistic>(m_statistic->currentData().toInt());
}

void LayerStatsChart::setStatistic(Statistic statistic) {
  m_statistic->setCurrentIndex(m_statistic->findData(statistic));
}

void LayerStatsChart::refresh() {
  if (m_stats->revision() != m_drawnRevision && isVisible()) redraw();
}

void LayerStatsChart::rebuildSeries() {
  for (QLineSeries* s : m_series) {
    m_chart->removeSeries(s);
    delete s;
  }
  m_series.clear();
  for (int i = 0; i < m_stats->layers(); ++i) {
    QLineSeries* s = lineSeries(m_stats->layerName(i), layerColor(i), 1.5);
    m_chart->addSeries(s);
    s->attachAxis(m_x);
    s->attachAxis(m_y);
    m_series.push_back(s);
  }
}

void LayerStatsChart::redrawDistribution() {
  QStringList names;
  for (int i = 0; i < m_stats->layers(); ++i) names << m_stats->layerName(i);
  QStringList shown;
  for (int i = 0; i < m_layer->count(); ++i) shown << m_layer->itemText(i);
  if (shown != names) {  // another network: its layers, the same one chosen where it has it
    const QString chosen = m_layer->currentText();
    const QSignalBlocker block(m_layer);
    m_layer->clear();
    m_layer->addItems(names);
    m_layer->setCurrentIndex(std::max<int>(0, static_cast<int>(names.indexOf(chosen))));
  }
  const int layer = m_layer->currentIndex();
  const bool weights = statistic() == WeightDistribution;
  std::vector<double> steps;
  std::vector<chart_math::Quantiles> quantiles;
  if (layer >= 0 && layer < m_stats->layers())
    for (const LayerStatPoint& p : m_stats->points(layer)) {
      steps.push_back(p.step);
      quantiles.push_back(weights ? p.weights : p.gradients);
    }
  const QString title =
      layer < 0 ? tr("Distribution")
                : (weights ? tr("%1 weights") : tr("%1 weight gradients")).arg(names[layer]);
  m_distribution->setDistribution(title, layerColor(std::max(0, layer)), steps, quantiles);
}

void LayerStatsChart::redraw() {
  m_drawnRevision = m_stats->revision();
  if (isDistribution(statistic())) return redrawDistribution();
  bool sameLayers = int(m_series.size()) == m_stats->layers();
  for (size_t i = 0; sameLayers && i < m_series.size(); ++i)
    sameLayers = m_series[i]->name() == m_stats->layerName(int(i));
  if (!sameLayers) rebuildSeries();
  const Statistic shown = statistic();
  double lo = HUGE_VAL, hi = 0, first = HUGE_VAL, last = 0;
  for (int i = 0; i < m_stats->layers(); ++i) {
    std::vector<QPointF> points;
    for (const QPointF& p : series(*m_stats, i, shown)) {
      if (!(p.y() > 0)) continue;  // 0 has no place on a log axis
      points.push_back(p);
      lo = std::min(lo, p.y());
      hi = std::max(hi, p.y());
      first = std::min(first, p.x());
      last = std::max(last, p.x());
    }
    replaceIfChanged(m_series[size_t(i)], thinned(points, kMaxPlottedPoints));
  }
  if (m_view->isZoomed()) return;
  // From the first step shown: a loaded or rewound run's frames start far from 0.
  if (!(last > first)) {  // one step, or none: ten steps up to it
    first = std::max(0.0, last - 10);
    last = first + 10;
  }
  const double step = chart_math::roundStep(last - first, 5);
  chart_math::setRoundRange(m_x, std::floor(first / step) * step, std::ceil(last / step) * step, 5);
  if (!(hi > 0)) {  // nothing yet
    lo = 1e-4;
    hi = 1e-2;
  }
  fitLogAxis(m_y, lo, hi);
}

QStringList LayerStatsChart::plottedLayers() const {
  QStringList names;
  for (const QLineSeries* s : m_series) names << s->name();
  return names;
}

QList<QPointF> LayerStatsChart::plottedPoints(int layer) const {
  return m_series.at(size_t(layer))->points();
}

QPointF LayerStatsChart::valueRange() const {
  return {m_y->min(), m_y->max()};
}

QPointF LayerStatsChart::stepRange() const {
  return {m_x->min(), m_x->max()};
}
