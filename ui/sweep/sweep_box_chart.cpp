#include "sweep/sweep_box_chart.h"

#include <QBarCategoryAxis>
#include <QBoxPlotSeries>
#include <QBoxSet>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

#include "charts/chart_math.h"
#include "charts/chart_parts.h"
#include "charts/compact_chart_view.h"

namespace {

const QColor kBox(0x9e, 0xc3, 0xe6);
const QColor kEdge(0x1f, 0x5f, 0xa8);

}  // namespace

SweepBoxChart::SweepBoxChart(QWidget* parent) : QWidget(parent), m_chart(new QChart) {
  m_chart->setTitle(tr("Final validation accuracy of each configuration's networks"));
  m_view = new CompactChartView(m_chart);
  m_chart->legend()->hide();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_view);
}

void SweepBoxChart::setConfigs(const std::vector<const SweepConfigResult*>& configs) {
  m_chart->removeAllSeries();
  for (QAbstractAxis* axis : m_chart->axes()) {
    m_chart->removeAxis(axis);
    delete axis;
  }
  m_series = nullptr;
  QStringList categories;
  double lo = 1, hi = 0;
  auto* series = new QBoxPlotSeries;
  for (const SweepConfigResult* c : configs) {
    if (c->result.distribution.n == 0) continue;
    const cs::Distribution& d = c->result.distribution;
    QBoxSet* set = chart_parts::distributionBox(d, 100, QStringLiteral("#%1").arg(c->index));
    set->setBrush(c->finished ? kBox : kBox.lighter(120));
    set->setPen(QPen(c->finished ? kEdge : QColor(0x88, 0x88, 0x88), 1.2));
    series->append(set);
    categories << set->label();
    lo = std::min(lo, d.min);
    hi = std::max(hi, d.max);
  }
  if (categories.isEmpty()) {
    delete series;
    return;
  }
  series->setBoxWidth(0.5);
  m_chart->addSeries(series);
  m_series = series;
  auto* x = new QBarCategoryAxis;
  x->append(categories);
  x->setTitleText(tr("configuration"));
  auto* y = new QValueAxis;
  chart_math::fitAccuracyAxis(y, 100 * lo, 100 * hi, 0.1);
  y->setTitleText(tr("accuracy (%)"));
  m_chart->addAxis(x, Qt::AlignBottom);
  m_chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  m_view->fitToHeight();
}
