#include "sweep/parameter_chart.h"

#include <QCategoryAxis>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

#include "charts/chart_math.h"
#include "charts/compact_chart_view.h"
#include "widgets/palette.h"

namespace {

// The configurations that share the values of every other swept parameter: one colour, one
// place within each value's slot and one line of means. Named by those values ("optimizer=sgd";
// an architecture shortened), in the order the sweep first has them.
struct Group {
  QString key;   // the other parameters' values, whole
  QString name;  // the same with long values shortened, for the legend
  std::vector<const SweepConfigResult*> configs;
};

std::vector<Group> groupsAgainst(const SweepData& sweep, const QString& name) {
  constexpr int kLongestValue = 24;
  QStringList others = sweep.swept();
  others.removeAll(name);
  std::vector<Group> groups;
  for (const SweepConfigResult& c : sweep.configs()) {
    if (c.result.accuracy.empty()) continue;
    QStringList whole, shown;
    for (const QString& other : others) {
      QString value = c.param(other);
      if (value.isEmpty()) value = ParameterChart::tr("(default)");
      whole << other + QLatin1Char('=') + value;
      shown << other + QLatin1Char('=') +
                   (value.size() > kLongestValue ? value.left(kLongestValue - 1) + QChar(0x2026)
                                                 : value);
    }
    const QString key = whole.join(QLatin1Char(' '));
    auto group =
        std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.key == key; });
    if (group == groups.end())
      group = groups.insert(groups.end(), Group{key, shown.join(QLatin1Char(' ')), {}});
    group->configs.push_back(&c);
  }
  return groups;
}

}  // namespace

ParameterChart::ParameterChart(QWidget* parent)
    : QWidget(parent), m_parameter(new QComboBox), m_chart(new QChart) {
  m_view = new CompactChartView(m_chart);
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
  m_points.clear();
  m_means.clear();
  m_view->setTitle(QString());
  const QString name = parameter();
  if (!m_sweep || name.isEmpty()) return;
  const std::vector<Group> groups = groupsAgainst(*m_sweep, name);
  if (groups.empty()) return;
  const QStringList values = m_sweep->values(name);
  // An unfinished configuration's networks are at their latest epoch, not their last.
  int unfinished = 0;
  for (const Group& g : groups)
    unfinished +=
        static_cast<int>(std::count_if(g.configs.begin(), g.configs.end(),
                                       [](const SweepConfigResult* c) { return !c->finished; }));
  QString title = unfinished == 0
                      ? tr("Final accuracy against %1").arg(name)
                      : tr("Latest accuracy against %1 (%2 unfinished)")
                            .arg(name)
                            .arg(unfinished == 1 ? tr("1 configuration")
                                                 : tr("%1 configurations").arg(unfinished));
  if (groups.size() > 1) title += tr(": a point per network, a line through each group's means");
  m_view->setTitle(title);
  double lo = 1, hi = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    // Each group at its own place in the middle half of a value's slot.
    const double offset = groups.size() > 1 ? -0.25 + 0.5 * g / (groups.size() - 1.0) : 0.0;
    const QColor color = palette::category(static_cast<int>(g));
    auto* points = new QScatterSeries;
    points->setName(groups.size() > 1 ? groups[g].name : tr("a network"));
    points->setMarkerSize(7);
    points->setColor(color);
    points->setBorderColor(color.darker(130));
    auto* means = new QLineSeries;
    means->setName(tr("mean of the networks"));
    // One group: the line in a colour of its own, to tell it from the points.
    means->setPen(QPen(groups.size() > 1 ? color.darker(115) : palette::category(1), 2.5));
    means->setPointsVisible(true);  // a group with one value has no line
    for (int v = 0; v < values.size(); ++v) {
      double sum = 0;
      int count = 0;
      for (const SweepConfigResult* c : groups[g].configs) {
        if (c->param(name) != values[v]) continue;
        for (float a : c->result.accuracy) {
          points->append(v + offset, 100.0 * a);
          sum += a;
          ++count;
          lo = std::min<double>(lo, a);
          hi = std::max<double>(hi, a);
        }
      }
      if (count > 0) means->append(v + offset, 100 * sum / count);
    }
    m_chart->addSeries(points);
    m_chart->addSeries(means);
    // With groups, a group's colour names it; its line needs no entry of its own.
    if (groups.size() > 1) m_chart->legend()->markers(means).value(0)->setVisible(false);
    m_points.append(points);
    m_means.append(means);
  }
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
  for (QAbstractSeries* s : m_chart->series()) {
    s->attachAxis(x);
    s->attachAxis(y);
  }
  m_view->fitToHeight();
}
