#include "sweep/parameter_chart.h"

#include <QCategoryAxis>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

#include "charts/chart_math.h"
#include "charts/compact_chart_view.h"

namespace {

const QColor kPoint(0x4a, 0x7f, 0xc1);
const QColor kMean(0xe0, 0x7b, 0x16);

}  // namespace

ParameterChart::ParameterChart(QWidget* parent)
    : QWidget(parent), m_parameter(new QComboBox), m_chart(new QChart) {
  m_chart->setMargins(QMargins(4, 4, 4, 4));
  m_chart->setBackgroundRoundness(0);
  m_chart->legend()->setAlignment(Qt::AlignBottom);
  m_view = new CompactChartView(m_chart);
  m_view->setRenderHint(QPainter::Antialiasing);
  m_parameter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  auto* header = new QHBoxLayout;
  header->addWidget(new QLabel(tr("Accuracy against")));
  header->addWidget(m_parameter);
  header->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addLayout(header);
  layout->addWidget(m_view, 1);
  connect(m_parameter, &QComboBox::currentTextChanged, this, &ParameterChart::rebuild);
}

void ParameterChart::setSweep(SweepDataPtr sweep) {
  const QString keep = parameter();
  m_sweep = std::move(sweep);
  QStringList names;
  if (m_sweep) {
    names = m_sweep->swept();
    if (names.isEmpty()) names = m_sweep->parameters();
  }
  {
    const QSignalBlocker block(m_parameter);
    m_parameter->clear();
    m_parameter->addItems(names);
    if (names.contains(keep)) m_parameter->setCurrentText(keep);
  }
  rebuild();
}

void ParameterChart::setParameter(const QString& name) {
  m_parameter->setCurrentText(name);
}

QString ParameterChart::parameter() const {
  return m_parameter->currentText();
}

void ParameterChart::rebuild() {
  m_chart->removeAllSeries();
  for (QAbstractAxis* axis : m_chart->axes()) {
    m_chart->removeAxis(axis);
    delete axis;
  }
  m_points = nullptr;
  m_means = nullptr;
  const QString name = parameter();
  if (!m_sweep || name.isEmpty()) return;
  const QStringList values = m_sweep->values(name);
  m_chart->setTitle(tr("Final accuracy against %1").arg(name));
  auto* points = new QScatterSeries;
  points->setName(tr("a network"));
  points->setMarkerSize(7);
  points->setColor(kPoint);
  points->setBorderColor(kPoint.darker(130));
  auto* means = new QLineSeries;
  means->setName(tr("mean over the networks of the value"));
  means->setPen(QPen(kMean, 2.5));
  double lo = 1, hi = 0;
  bool any = false;
  for (int v = 0; v < values.size(); ++v) {
    // The configurations with this value, spread over the middle half of its slot.
    std::vector<const SweepConfigResult*> group;
    for (const SweepConfigResult& c : m_sweep->configs())
      if (c.param(name) == values[v] && !c.accuracy.empty()) group.push_back(&c);
    double sum = 0;
    int count = 0;
    for (size_t g = 0; g < group.size(); ++g) {
      const double x = v + (group.size() > 1 ? -0.25 + 0.5 * g / (group.size() - 1.0) : 0.0);
      for (float a : group[g]->accuracy) {
        points->append(x, 100.0 * a);
        sum += a;
        ++count;
        lo = std::min<double>(lo, a);
        hi = std::max<double>(hi, a);
      }
    }
    if (count > 0) {
      means->append(v, 100 * sum / count);
      any = true;
    }
  }
  if (!any) {
    delete points;
    delete means;
    return;
  }
  m_chart->addSeries(points);
  m_chart->addSeries(means);
  m_points = points;
  m_means = means;
  auto* x = new QCategoryAxis;
  x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionCenter);
  for (int v = 0; v < values.size(); ++v)
    x->append(values[v].isEmpty() ? tr("(default)") : values[v], v + 0.5);
  x->setStartValue(-0.5);
  x->setRange(-0.5, values.size() - 0.5);
  x->setTitleText(name);
  auto* y = new QValueAxis;
  chart_math::fitAccuracyAxis(y, 100 * lo, 100 * hi, 0.1);
  y->setTitleText(tr("accuracy (%)"));
  m_chart->addAxis(x, Qt::AlignBottom);
  m_chart->addAxis(y, Qt::AlignLeft);
  for (QAbstractSeries* s :
       {static_cast<QAbstractSeries*>(points), static_cast<QAbstractSeries*>(means)}) {
    s->attachAxis(x);
    s->attachAxis(y);
  }
  m_view->fitToHeight();
}
