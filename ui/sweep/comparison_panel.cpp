#include "sweep/comparison_panel.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <algorithm>
#include <numeric>

#include "widgets/count_text.h"

namespace {

// Points of accuracy with a sign: 0.0012 → "+0.12".
QString points(double difference) {
  return QStringLiteral("%1%2")
      .arg(difference >= 0 ? QStringLiteral("+") : QString())
      .arg(numberText(100 * difference, 2));
}

QString name(const SweepConfigResult& c) {
  return QStringLiteral("#%1").arg(c.index);
}

}  // namespace

ComparisonPanel::ComparisonPanel(QWidget* parent)
    : QWidget(parent), m_a(new QComboBox), m_b(new QComboBox), m_result(new QLabel) {
  m_result->setWordWrap(true);
  m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_result->setObjectName(QStringLiteral("comparisonResult"));
  for (QComboBox* box : {m_a, m_b}) {
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(24);
  }
  auto* title = new QLabel(tr("Compare two configurations"));
  title->setObjectName(QStringLiteral("sectionTitle"));
  auto* layout = new QGridLayout(this);
  layout->setContentsMargins(0, 4, 0, 0);
  layout->addWidget(title, 0, 0, 1, 4);
  layout->addWidget(new QLabel(tr("A")), 1, 0);
  layout->addWidget(m_a, 1, 1);
  layout->addWidget(new QLabel(tr("B")), 1, 2);
  layout->addWidget(m_b, 1, 3);
  layout->addWidget(m_result, 2, 0, 1, 4);
  layout->setColumnStretch(1, 1);
  layout->setColumnStretch(3, 1);
  connect(m_a, &QComboBox::currentIndexChanged, this, &ComparisonPanel::update);
  connect(m_b, &QComboBox::currentIndexChanged, this, &ComparisonPanel::update);
}

void ComparisonPanel::setSweep(SweepDataPtr sweep) {
  m_sweep = std::move(sweep);
  {
    const QSignalBlocker blockA(m_a), blockB(m_b);
    m_a->clear();
    m_b->clear();
    if (m_sweep)
      for (const SweepConfigResult& c : m_sweep->configs()) {
        m_a->addItem(c.label(), c.index);
        m_b->addItem(c.label(), c.index);
      }
  }
  if (!m_sweep || m_sweep->configs().empty()) return update();
  // Best two by mean accuracy; configurations without networks last.
  std::vector<int> order(m_sweep->configs().size());
  std::iota(order.begin(), order.end(), 0);
  const auto mean = [&](int i) {
    const cs::Distribution& d = m_sweep->configs()[i].result.distribution;
    return d.n > 0 ? d.mean : -1.0;
  };
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return mean(x) > mean(y); });
  compare(order[0], order[std::min<size_t>(1, order.size() - 1)]);
}

void ComparisonPanel::compare(int a, int b) {
  {
    const QSignalBlocker blockA(m_a), blockB(m_b);
    m_a->setCurrentIndex(m_a->findData(a));
    m_b->setCurrentIndex(m_b->findData(b));
  }
  update();
}

int ComparisonPanel::first() const {
  return m_a->currentData().isValid() ? m_a->currentData().toInt() : -1;
}

int ComparisonPanel::second() const {
  return m_b->currentData().isValid() ? m_b->currentData().toInt() : -1;
}

QString ComparisonPanel::text() const {
  return m_result->text();
}

QString ComparisonPanel::describe(const SweepConfigResult& a, const SweepConfigResult& b,
                                  const cs::MeanDifference& d) {
  const QString head =
      tr("Mean accuracy %1 − %2: %3 points, 95% confidence interval [%4, %5] "
         "(bootstrap over the networks, %6 and %7 networks, %8 resamples).")
          .arg(name(a), name(b), points(d.difference), points(d.low), points(d.high))
          .arg(a.result.distribution.n)
          .arg(b.result.distribution.n)
          .arg(QLocale().toString(d.resamples));
  if (&a == &b || a.index == b.index)
    return head + QLatin1Char(' ') + tr("The same configuration.");
  // The percentile bootstrap is too narrow for a handful of networks.
  const QString few =
      std::min(a.result.distribution.n, b.result.distribution.n) < kFewNetworks
          ? QLatin1Char(' ') + tr("With fewer than %1 networks per configuration the interval "
                                  "is optimistic: train more to be sure.")
                                   .arg(kFewNetworks)
          : QString();
  if (!d.excludes_zero())
    return head + QLatin1Char(' ') +
           tr("The interval includes 0: the difference is within seed noise; these networks "
              "cannot tell %1 and %2 apart.")
               .arg(name(a), name(b)) +
           few;
  const bool aBetter = d.low > 0;
  return head + QLatin1Char(' ') +
         tr("%1 is better than %2 beyond seed noise.")
             .arg(aBetter ? name(a) : name(b), aBetter ? name(b) : name(a)) +
         few;
}

QString ComparisonPanel::compareText(const SweepConfigResult& a, const SweepConfigResult& b) {
  for (const SweepConfigResult* c : {&a, &b})
    if (c->result.distribution.n == 0)
      return tr("%1 has no finished epoch yet: nothing to compare.").arg(name(*c));
  // Networks at different points of training differ by their epochs more than by their settings.
  if (a.result.epochsDone != b.result.epochsDone)
    return tr("%1 has %2 and %3 %4 recorded: they compare once both have trained as long "
              "(Resume trains the unfinished).")
        .arg(name(a), countText(a.result.epochsDone, tr("epoch"), tr("epochs")), name(b),
             QString::number(b.result.epochsDone));
  // One network's accuracy says nothing of its seed's luck: a bootstrap of it is that one value.
  for (const SweepConfigResult* c : {&a, &b})
    if (c->result.distribution.n < 2)
      return tr("Mean accuracy %1 − %2: %3 points. %4 has one network: without a second seed the "
                "seed noise cannot be measured, so the difference has no interval (sweep 2 or "
                "more networks per configuration).")
          .arg(name(a), name(b), points(a.result.distribution.mean - b.result.distribution.mean),
               name(*c));
  const cs::MeanDifference d =
      cs::bootstrap_mean_difference(a.result.accuracy, b.result.accuracy, kResamples, kSeed);
  return describe(a, b, d);
}

void ComparisonPanel::update() {
  const int a = first(), b = second();
  if (!m_sweep || a < 0 || b < 0) {
    m_result->setText(tr("Pick two configurations."));
    return;
  }
  m_result->setText(compareText(m_sweep->configs()[a], m_sweep->configs()[b]));
}
