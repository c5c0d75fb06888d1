#include "ensemble/accuracy_charts.h"

#include "export/save_file.h"

#include <QAbstractBarSeries>
#include <QAction>
#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QBoxPlotSeries>
#include <QBoxSet>
#include <QButtonGroup>
#include <QCursor>
#include <QHBoxLayout>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMenu>
#include <QScatterSeries>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStackedWidget>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "charts/chart_math.h"
#include "charts/chart_parts.h"
#include "charts/compact_chart_view.h"
#include "ensemble/ensemble_types.h"
#include "widgets/count_text.h"

namespace {

const QColor kBar(0x4a, 0x7f, 0xc1);
const QColor kMean(0xe0, 0x7b, 0x16);
const QColor kVote(0x2e, 0x9e, 0x4f);

void clear(QChart* chart) {
  chart->removeAllSeries();
  for (QAbstractAxis* axis : chart->axes()) {
    chart->removeAxis(axis);
    delete axis;
  }
}

QLineSeries* level(const QString& name, double y, double x0, double x1, const QColor& color,
                   Qt::PenStyle style) {
  auto* s = new QLineSeries;
  s->setName(name);
  s->append(x0, y);
  s->append(x1, y);
  QPen pen(color, 2, style);
  s->setPen(pen);
  return s;
}

// One bar set in its own series.
QBarSeries* bars(const QList<qreal>& values, qreal width) {
  auto* set = new QBarSet(QString());
  set->append(values);
  set->setColor(kBar);
  set->setBorderColor(kBar.darker(115));
  auto* series = new QBarSeries;
  series->append(set);
  series->setBarWidth(width);
  return series;
}

}  // namespace

AccuracyCharts::AccuracyCharts(QWidget* parent)
    : QWidget(parent),
      m_toggle(new QButtonGroup(this)),
      m_stack(new QStackedWidget),
      m_epoch(new QSpinBox) {
  m_sorted = newView(tr("Validation accuracy of each network, sorted"));
  m_histogram = newView(tr("Distribution of the networks' validation accuracy"));
  m_classes = newView(tr("Validation accuracy of each class over the networks"));
  m_stack->addWidget(m_sorted);
  m_stack->addWidget(m_histogram);
  m_stack->addWidget(m_classes);

  auto* header = new QHBoxLayout;
  header->setSpacing(0);
  const QStringList names{tr("Sorted bars"), tr("Histogram"), tr("Each class")};
  for (int i = 0; i < names.size(); ++i) {
    auto* button = new QToolButton;
    button->setText(names[i]);
    button->setCheckable(true);
    button->setChecked(i == 0);
    button->setAutoRaise(true);
    m_toggle->addButton(button, i);
    header->addWidget(button);
  }
  m_epoch->setObjectName(QStringLiteral("classEpoch"));
  m_epoch->setPrefix(tr("epoch "));
  m_epoch->setToolTip(
      tr("The epoch whose accuracies the boxes show; the vote's is the latest "
         "epoch's only (the earlier epochs keep each network's top-1, not its "
         "probabilities)"));
  m_epoch->setRange(1, 1);
  m_epoch->setKeyboardTracking(false);  // "12" typed is one chart, not two
  m_epoch->setVisible(false);
  header->addSpacing(8);
  header->addWidget(m_epoch);
  header->addStretch(1);
  auto* exportButton = new QToolButton;
  exportButton->setText(tr("Export chart"));
  exportButton->setIcon(QIcon(QStringLiteral(":/icons/export.svg")));
  exportButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  exportButton->setAutoRaise(true);
  exportButton->setPopupMode(QToolButton::InstantPopup);
  auto* menu = new QMenu(exportButton);
  menu->addAction(tr("As PNG…"), this, &AccuracyCharts::exportPngRequested);
  menu->addAction(tr("As SVG…"), this, &AccuracyCharts::exportSvgRequested);
  exportButton->setMenu(menu);
  header->addWidget(exportButton);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addLayout(header);
  layout->addWidget(m_stack, 1);
  connect(m_toggle, &QButtonGroup::idClicked, this, [this](int id) {
    m_stack->setCurrentIndex(id);
    showEpochPicker();
  });
  connect(m_epoch, &QSpinBox::valueChanged, this, [this] {
    if (!m_run || !m_run->hasPredictions()) return;
    clear(m_classes->chart());
    fillClasses(*m_run);
    m_classes->fitToHeight();
  });
}

void AccuracyCharts::showEpochPicker() {
  m_epoch->setVisible(currentChart() == ClassChart && m_epoch->maximum() > 1);
}

int AccuracyCharts::classEpoch() const {
  return m_epoch->value();
}

void AccuracyCharts::setClassEpoch(int epoch) {
  m_epoch->setValue(epoch);
}

CompactChartView* AccuracyCharts::newView(const QString& title) {
  auto* chart = new QChart;
  chart->setTitle(title);
  auto* view = new CompactChartView(chart);
  view->setContextMenuPolicy(Qt::ActionsContextMenu);
  auto* png = new QAction(tr("Export chart as PNG…"), view);
  connect(png, &QAction::triggered, this, &AccuracyCharts::exportPngRequested);
  auto* svg = new QAction(tr("Export chart as SVG…"), view);
  connect(svg, &QAction::triggered, this, &AccuracyCharts::exportSvgRequested);
  view->addActions({png, svg});
  return view;
}

AccuracyCharts::Chart AccuracyCharts::currentChart() const {
  return static_cast<Chart>(m_stack->currentIndex());
}

void AccuracyCharts::setCurrentChart(Chart chart) {
  m_stack->setCurrentIndex(chart);
  m_toggle->button(chart)->setChecked(true);
  showEpochPicker();
}

CompactChartView* AccuracyCharts::view(Chart chart) const {
  return chart == HistogramChart ? m_histogram : chart == ClassChart ? m_classes : m_sorted;
}

int AccuracyCharts::barCount(Chart chart) const {
  const QList<QAbstractSeries*> series = view(chart)->chart()->series();
  for (QAbstractSeries* s : series) {
    if (auto* b = qobject_cast<QBarSeries*>(s))
      return static_cast<int>(b->barSets().front()->count());
    if (auto* b = qobject_cast<QBoxPlotSeries*>(s)) return static_cast<int>(b->count());
  }
  return 0;
}

void AccuracyCharts::setRun(const EnsembleRunPtr& run) {
  for (CompactChartView* v : {m_sorted, m_histogram, m_classes}) clear(v->chart());
  // The same run with a new epoch keeps an earlier epoch picked; the latest follows the latest.
  const bool sameRun = m_run && run && m_run->info().id == run->info().id;
  const bool latest = m_epoch->value() == m_epoch->maximum();
  m_run = run;
  {
    const QSignalBlocker quiet(m_epoch);  // filled once, below
    m_epoch->setMaximum(run && run->hasHistory() ? run->historyEpochs() : 1);
    if (!sameRun || latest) m_epoch->setValue(m_epoch->maximum());
  }
  showEpochPicker();
  if (!run || !run->hasPredictions())  // an empty chart under its usual title
    return m_classes->setTitle(tr("Validation accuracy of each class over the networks"));
  fillSorted(*run);
  fillHistogram(*run);
  fillClasses(*run);
  for (CompactChartView* v : {m_sorted, m_histogram, m_classes}) v->fitToHeight();
}

void AccuracyCharts::fillSorted(const EnsembleRun& run) {
  QChart* chart = m_sorted->chart();
  const cs::EnsembleStats& s = run.stats();
  const int n = s.nets;
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return s.net_accuracy[a] < s.net_accuracy[b]; });
  QList<qreal> values;
  QStringList names;
  for (int net : order) {
    values.append(100.0 * s.net_accuracy[net]);
    names.append(QString::number(net));
  }
  QBarSeries* series = bars(values, 0.8);
  series->setName(tr("network"));
  connect(series, &QBarSeries::hovered, this, [order, values](bool on, int index, QBarSet*) {
    if (on)
      QToolTip::showText(
          QCursor::pos(),
          tr("network %1: %2").arg(order[index]).arg(percentText(values[index] / 100, 2)));
    else
      QToolTip::hideText();
  });

  auto* categories = new QBarCategoryAxis;
  categories->append(names);
  categories->setTitleText(tr("network (sorted by accuracy)"));
  categories->setLabelsVisible(n <= 100);
  if (n > 25) categories->setLabelsAngle(-90);
  QFont small = categories->labelsFont();
  small.setPointSizeF(7);
  categories->setLabelsFont(small);
  auto* y = new QValueAxis;
  y->setTitleText(tr("accuracy (%)"));
  const double lo = 100 * s.min_accuracy, hi = 100 * std::max(s.max_accuracy, s.vote_accuracy);
  chart_math::fitAccuracyAxis(y, lo, hi, 0.15);
  auto* x = new QValueAxis;  // a hidden continuous axis for the lines across the bars
  x->setRange(-0.5, n - 0.5);
  x->setVisible(false);
  chart->addAxis(categories, Qt::AlignBottom);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  const double mean = 100 * s.mean_accuracy, sd = 100 * s.std_accuracy;
  auto* upper = level({}, mean + sd, -0.5, n - 0.5, kMean, Qt::NoPen);
  auto* lower = level({}, mean - sd, -0.5, n - 0.5, kMean, Qt::NoPen);
  auto* band = new QAreaSeries(upper, lower);
  upper->setParent(band);  // the area series does not own its boundaries
  lower->setParent(band);
  band->setName(tr("mean ± std"));
  QColor fill = kMean;
  fill.setAlphaF(0.18);
  band->setBrush(fill);
  band->setPen(Qt::NoPen);
  chart->addSeries(band);  // behind the bars
  band->attachAxis(x);
  band->attachAxis(y);
  chart->addSeries(series);
  series->attachAxis(categories);
  series->attachAxis(y);
  const QList<QAbstractSeries*> lines{
      level(tr("mean %1").arg(percentText(mean / 100, 2)), mean, -0.5, n - 0.5, kMean,
            Qt::DashLine),
      level(tr("ensemble vote %1").arg(percentText(s.vote_accuracy, 2)), 100 * s.vote_accuracy,
            -0.5, n - 0.5, kVote, Qt::SolidLine)};
  for (QAbstractSeries* line : lines) {
    chart->addSeries(line);
    line->attachAxis(x);
    line->attachAxis(y);
  }
  chart->legend()->markers(series).front()->setVisible(false);
}

// A network's accuracy counts right images: `span` such counts lie between the lowest and the
// highest network's, and each bin spans at least one, so that no two bins share a label. Bin b
// holds the counts first + ceil(b * span / bins) up to the next bin's first, exclusive.
void AccuracyCharts::fillHistogram(const EnsembleRun& run) {
  QChart* chart = m_histogram->chart();
  const cs::EnsembleStats& s = run.stats();
  if (s.count < 1) return;  // no validation image: no accuracy to bin
  const auto right = [&](double accuracy) { return int(std::lround(accuracy * s.count)); };
  const int first = right(s.min_accuracy), span = right(s.max_accuracy) - first + 1;
  const int bins = std::min(span, std::clamp(int(std::ceil(std::sqrt(double(s.nets)))) + 1, 4, 20));
  const auto start = [&](int b) { return first + (b * span + bins - 1) / bins; };
  std::vector<int> counts(bins, 0);
  for (float a : s.net_accuracy)
    ++counts[std::clamp((right(a) - first) * bins / span, 0, bins - 1)];
  // Enough decimals that one image more is another label: 2 for 10,000 images (0.01%).
  const int digits = std::max(0, int(std::ceil(std::log10(s.count / 100.0) - 1e-9)));
  const auto percent = [&](int images) { return numberText(100.0 * images / s.count, digits); };
  QList<qreal> heights;
  QStringList names, labels;  // labels: the range on two lines, so that a narrow bin shows it all
  for (int b = 0; b < bins; ++b) {
    heights.append(counts[b]);
    const int low = start(b), high = start(b + 1) - 1;
    names.append(low == high ? percent(low)
                             : QStringLiteral("%1–%2").arg(percent(low), percent(high)));
    labels.append(low == high ? percent(low)
                              : QStringLiteral("%1–<br>%2").arg(percent(low), percent(high)));
  }
  QBarSeries* series = bars(heights, 0.96);
  connect(series, &QBarSeries::hovered, this, [names, counts](bool on, int index, QBarSet*) {
    if (on)
      QToolTip::showText(
          QCursor::pos(),
          tr("%1 at %2%")
              .arg(countText(counts[index], tr("network"), tr("networks")), names[index]));
    else
      QToolTip::hideText();
  });
  auto* categories = new QBarCategoryAxis;
  categories->append(labels);
  categories->setTitleText(tr("validation accuracy (%)"));
  auto* y = new QValueAxis;
  y->setTitleText(tr("networks"));
  const int top = *std::max_element(counts.begin(), counts.end());
  y->setRange(0, top + 1);
  y->setLabelFormat(QStringLiteral("%d"));
  y->setTickCount(std::min(top + 2, 6));
  if (top + 1 > 5) y->applyNiceNumbers();
  chart->addAxis(categories, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  chart->addSeries(series);
  series->attachAxis(categories);
  series->attachAxis(y);
  chart->legend()->setVisible(false);
}

void AccuracyCharts::fillClasses(const EnsembleRun& run) {
  QChart* chart = m_classes->chart();
  const cs::EnsembleStats& s = run.stats();
  auto* boxes = new QBoxPlotSeries;
  boxes->setName(tr("networks: minimum, quartiles, maximum"));
  boxes->setBoxWidth(0.55);
  QColor fill = kBar;
  fill.setAlphaF(0.35);
  boxes->setBrush(fill);
  boxes->setPen(QPen(kBar.darker(130), 1.2));
  auto* votes = new QScatterSeries;
  votes->setName(tr("ensemble vote"));
  votes->setColor(kVote);
  votes->setBorderColor(kVote.darker(130));
  votes->setMarkerSize(9);
  QStringList names;
  QStringList tips;
  QList<int> labels;  // the class of each box
  double lo = 100, hi = 0;
  // An earlier epoch: its networks' top-1 from the history, and no vote.
  const int epoch = m_epoch->value();
  const bool earlier = run.hasHistory() && epoch < run.historyEpochs();
  m_classes->setTitle(earlier
                          ? tr("Validation accuracy of each class over the networks at epoch %1 "
                               "of %2")
                                .arg(epoch)
                                .arg(run.historyEpochs())
                          : tr("Validation accuracy of each class over the networks"));
  for (int c = 0; c < s.classes; ++c) {
    const int images = s.class_images[c];
    if (images == 0) continue;  // no images, no accuracy
    const cs::Distribution d =
        earlier ? run.classAccuracySpread(epoch, c) : cs::class_accuracy_spread(s, c);
    const double vote = s.vote_class_accuracy[c];
    const QString name = run.classNames().shortName(c);  // the full one in the tool tip
    boxes->append(chart_parts::distributionBox(d, 100, name));
    if (!earlier) votes->append(names.size(), 100 * vote);
    names << name;
    labels << c;
    tips << tr("%1 (%2): the networks %3 to %4, median %5; %6\nClick to list them")
                .arg(run.classNames().name(c), countText(images, tr("image"), tr("images")),
                     percentText(d.min, 1), percentText(d.max, 1), percentText(d.median, 1),
                     earlier ? tr("the vote: the latest epoch's only")
                             : tr("the vote %1").arg(percentText(vote, 1)));
    lo = std::min({lo, 100 * d.min, earlier ? lo : 100 * vote});
    hi = std::max({hi, 100 * d.max, earlier ? hi : 100 * vote});
  }
  connect(boxes, &QBoxPlotSeries::hovered, this, [tips, boxes](bool on, QBoxSet* set) {
    const int at = static_cast<int>(boxes->boxSets().indexOf(set));
    if (on && at >= 0)
      QToolTip::showText(QCursor::pos(), tips[at]);
    else
      QToolTip::hideText();
  });
  connect(boxes, &QBoxPlotSeries::clicked, this, [this, labels, boxes](QBoxSet* set) {
    const int at = static_cast<int>(boxes->boxSets().indexOf(set));
    if (at >= 0) Q_EMIT classActivated(labels[at]);
  });
  auto* categories = new QBarCategoryAxis;
  categories->append(names);
  categories->setTitleText(tr("class"));
  auto* y = new QValueAxis;
  y->setTitleText(tr("accuracy (%)"));
  chart_math::fitAccuracyAxis(y, lo, hi, 0.1);
  auto* x = new QValueAxis;  // a hidden continuous axis for the vote's points on the boxes
  x->setRange(-0.5, names.size() - 0.5);
  x->setVisible(false);
  chart->addAxis(categories, Qt::AlignBottom);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  chart->addSeries(boxes);
  boxes->attachAxis(categories);
  boxes->attachAxis(y);
  if (earlier) {  // no vote to show, nor to name in the legend
    delete votes;
    return;
  }
  chart->addSeries(votes);
  votes->attachAxis(x);
  votes->attachAxis(y);
}

QString AccuracyCharts::fileStem() const {
  switch (currentChart()) {
    case HistogramChart:
      return QStringLiteral("accuracy-histogram");
    case ClassChart:
      return QStringLiteral("accuracy-by-class");
    default:
      return QStringLiteral("accuracy-sorted");
  }
}

bool AccuracyCharts::exportPng(const QString& path, QString* error) const {
  constexpr int kScale = 2;
  QChartView* v = view(currentChart());
  QImage image(v->size() * kScale, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::white);
  {
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(kScale, kScale);
    v->QWidget::render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
  }
  return savePng(path, image, error);
}

bool AccuracyCharts::exportSvg(const QString& path, QString* error) const {
  QChartView* v = view(currentChart());
  return saveSvg(
      path, v->size(), v->chart()->title(), tr("Convscope ensemble chart"),
      [&](QPainter& painter) {
        v->QWidget::render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
      },
      error);
}
