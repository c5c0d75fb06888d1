#include "charts/training_charts.h"

#include <QAction>
#include <QChart>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QScatterSeries>
#include <QSlider>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QXYSeries>
#include <algorithm>
#include <cmath>

#include "charts/chart_math.h"
#include "charts/chart_parts.h"
#include "charts/class_accuracy_lines.h"
#include "charts/zoomable_chart_view.h"
#include "export/save_file.h"
#include "training/metrics_history.h"
#include "widgets/count_text.h"
#include "widgets/elided_label.h"

namespace {

using namespace chart_parts;

const QColor kRawLoss(0x9e, 0xc3, 0xe6, 0xb0);  // faint, under the smoothed line
const QColor kTrain(0x1f, 0x5f, 0xa8);
const QColor kValidation(0xe0, 0x7b, 0x16);
const QColor kValidationAmongClasses(0x22, 0x22, 0x22);
const QColor kPrevious(0x7b, 0x86, 0x91);
const QColor kRate(0x2e, 0x9e, 0x4f);

QLineSeries* previousSeries() {
  QLineSeries* s = lineSeries(QObject::tr("previous run"), kPrevious, 1.5);  // named by a note
  QPen pen = s->pen();
  pen.setStyle(Qt::DashLine);
  s->setPen(pen);
  s->setMarkerSize(6);  // a run of one step or one epoch is drawn as a dot
  return s;
}

constexpr double kLeastLogLoss = 1e-6;  // a loss of 0 (float rounding) is drawn at this height

}  // namespace

TrainingCharts::TrainingCharts(const MetricsHistory* history, QWidget* parent)
    : QWidget(parent), m_history(history) {
  buildLossChart();
  buildAccuracyChart();
  m_warning = new ElidedLabel;
  m_warning->setObjectName(QStringLiteral("issue"));
  m_warning->hide();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  auto* warningRow = new QHBoxLayout;
  warningRow->setContentsMargins(8, 2, 8, 0);
  warningRow->addWidget(m_warning);
  layout->addLayout(warningRow);
  layout->addWidget(m_lossView, 4);
  layout->addLayout(buildSmoothingRow());
  layout->addWidget(m_accuracyView, 3);
  for (ZoomableChartView* view : {m_lossView, m_accuracyView}) {
    view->setMinimumHeight(ZoomableChartView::kMinHeight);
    addContextActions(view);
    addPreviousAction(view);
    auto* option = view == m_lossView ? new QAction(tr("Logarithmic loss axis"), view)
                                      : new QAction(tr("Accuracy of each class"), view);
    option->setObjectName(view == m_lossView ? QStringLiteral("logLossAxis")
                                             : QStringLiteral("classAccuracy"));
    option->setCheckable(true);
    if (view == m_lossView)
      connect(option, &QAction::toggled, this, &TrainingCharts::setLogLossAxis);
    else
      connect(option, &QAction::toggled, this, &TrainingCharts::setClassAccuracyShown);
    view->insertAction(view->actions().value(1), option);  // after Reset zoom
    connect(view, &ZoomableChartView::zoomChanged, this, [this](bool zoomed) {
      if (!zoomed) redraw();
    });
  }
  m_timer.setInterval(kRefreshMs);
  connect(&m_timer, &QTimer::timeout, this, &TrainingCharts::refresh);
  m_timer.start();
  redraw();
}

void TrainingCharts::buildLossChart() {
  m_lossX = valueAxis(tr("step"));
  m_lossY = valueAxis(tr("cross-entropy"));
  m_lossX->setLabelFormat(QStringLiteral("%d"));
  m_rawLoss = lineSeries(tr("training (per step)"), kRawLoss, 1.0);
  m_smoothLoss = lineSeries(tr("training (smoothed)"), kTrain, 2.0);
  m_smoothLoss->setMarkerSize(6);  // while there are few steps (redraw)
  m_valLoss = lineSeries(tr("validation"), kValidation, 2.0);
  m_valLossPoints = markerSeries(kValidation);
  m_previousLoss = previousSeries();
  m_lossView = chartView(tr("Loss"), m_lossX, m_lossY,
                         {m_previousLoss, m_rawLoss, m_smoothLoss, m_valLoss}, m_valLossPoints);
  m_lossView->chart()->legend()->markers(m_previousLoss).front()->setVisible(false);
  m_rateAxis = valueAxis(tr("learning rate"));
  m_learningRate = lineSeries(tr("lr"), kRate, 1.5);  // short: the legend is full
  m_lossView->chart()->addAxis(m_rateAxis, Qt::AlignRight);
  attach(m_lossView->chart(), m_learningRate, m_lossX, m_rateAxis);
  m_lossLogY = new QLogValueAxis(this);  // the chart owns it while it is shown
  m_lossLogY->setTitleText(m_lossY->titleText());
  m_lossLogY->setLabelFormat(QStringLiteral("%g"));
  m_lossLogY->setMinorTickCount(8);
}

QLayout* TrainingCharts::buildSmoothingRow() {
  m_smoothing = new QSlider(Qt::Horizontal);
  m_smoothing->setRange(0, int(std::lround(ChartOptions::kMaxSmoothing * kSmoothingSteps)));
  m_smoothing->setValue(int(std::lround(MetricsHistory::kSmoothing * kSmoothingSteps)));
  m_smoothing->setToolTip(
      tr("How strongly the training loss is smoothed: an exponential moving average, debiased "
         "as in TensorBoard (0: the raw loss)"));
  auto* value = new QLabel;
  value->setObjectName(QStringLiteral("note"));
  value->setMinimumWidth(value->fontMetrics().horizontalAdvance(QStringLiteral("0.000")));
  const auto show = [this, value] {
    value->setText(numberText(smoothing(), 2));
    redraw();
    Q_EMIT optionsChanged();
  };
  connect(m_smoothing, &QSlider::valueChanged, this, show);
  value->setText(numberText(smoothing(), 2));
  auto* row = new QHBoxLayout;
  row->setContentsMargins(8, 2, 8, 2);
  row->addWidget(new QLabel(tr("Smoothing")));
  row->addWidget(m_smoothing, 1);
  row->addWidget(value);
  // The previous run's key (the legends have no room for a fourth entry at 1366x768).
  m_previousNote = new ElidedLabel;
  m_previousNote->setObjectName(QStringLiteral("note"));
  m_previousNote->setStyleSheet(QStringLiteral("color: %1").arg(kPrevious.name()));
  m_previousNote->hide();
  row->addSpacing(8);
  row->addWidget(m_previousNote, 2);
  return row;
}

double TrainingCharts::smoothing() const {
  return double(m_smoothing->value()) / kSmoothingSteps;
}

void TrainingCharts::setSmoothing(double weight) {
  m_smoothing->setValue(int(std::lround(std::clamp(weight, 0.0, 1.0) * kSmoothingSteps)));
}

ChartOptions TrainingCharts::options() const {
  return {smoothing(), m_logLoss, classAccuracyShown(), m_previousShown};
}

void TrainingCharts::setOptions(const ChartOptions& options) {
  setSmoothing(options.smoothing);
  setLogLossAxis(options.logLossAxis);
  setClassAccuracyShown(options.classAccuracy);
  setPreviousShown(options.previousShown);
}

QList<QPointF> TrainingCharts::plottedSmoothedLoss() const {
  return m_smoothLoss->points();
}

QList<QPointF> TrainingCharts::plottedLearningRates() const {
  return m_learningRate->isVisible() ? m_learningRate->points() : QList<QPointF>();
}

QString TrainingCharts::warning() const {
  return m_warning->isHidden() ? QString() : m_warning->text();
}

void TrainingCharts::showWarning() {
  const auto& evaluations = m_history->evaluations();
  const QString text =
      evaluations.empty() ? QString() : QString::fromStdString(evaluations.back().warning);
  if (text.isEmpty()) {
    m_warning->hide();
    return;
  }
  m_warning->setText(sentence(text));
  m_warning->show();
}

QPointF TrainingCharts::accuracyRange() const {
  return {m_accuracyY->min(), m_accuracyY->max()};
}

void TrainingCharts::buildAccuracyChart() {
  m_accuracyX = valueAxis(tr("epoch"));
  m_accuracyY = valueAxis(tr("accuracy (%)"));
  m_batchAccuracy = lineSeries(tr("training batches (smoothed)"), kRawLoss, 1.5);
  m_batchAccuracy->setMarkerSize(6);
  m_trainAccuracy = lineSeries(tr("training (epoch)"), kTrain, 2.0);
  m_trainAccuracy->setMarkerSize(6);
  m_valAccuracy = lineSeries(tr("validation"), kValidation, 2.0);
  m_valAccuracyPoints = markerSeries(kValidation);
  m_previousAccuracy = previousSeries();
  m_accuracyView = chartView(tr("Accuracy"), m_accuracyX, m_accuracyY,
                             {m_previousAccuracy, m_batchAccuracy, m_trainAccuracy, m_valAccuracy},
                             m_valAccuracyPoints);
  m_accuracyView->chart()->legend()->markers(m_previousAccuracy).front()->setVisible(false);
  m_classLines = new ClassAccuracyLines(m_accuracyView->chart(), m_accuracyX, m_accuracyY, this);
}

void TrainingCharts::addPreviousAction(ZoomableChartView* view) {
  auto* show = new QAction(tr("Show the previous run"), view);
  show->setObjectName(QStringLiteral("showPrevious"));
  show->setCheckable(true);
  show->setChecked(m_previousShown);
  connect(show, &QAction::toggled, this, &TrainingCharts::setPreviousShown);
  view->insertAction(view->actions().value(1), show);  // after Reset zoom
}

void TrainingCharts::setRunDescription(const QString& description) {
  m_runDescription = description;
  m_drawnRevision = -1;  // the previous run's name may change
}

void TrainingCharts::keepPrevious() {
  if (m_history->isEmpty()) return;
  m_previous = *m_history;
  m_previousDescription = m_runDescription;
  m_drawnRevision = -1;
}

void TrainingCharts::setPreviousShown(bool shown) {
  if (shown == m_previousShown) return;
  m_previousShown = shown;
  for (ZoomableChartView* view : {m_lossView, m_accuracyView})
    for (QAction* action : view->actions())
      if (action->objectName() == QStringLiteral("showPrevious")) action->setChecked(shown);
  m_drawnRevision = -1;
  redraw();
  Q_EMIT optionsChanged();
}

QString TrainingCharts::differingFields(const QString& previous, const QString& current) {
  const QString separator = QStringLiteral(" · ");
  const QStringList now = current.split(separator), before = previous.split(separator);
  QStringList differing;
  for (const QString& field : before)
    if (!now.contains(field)) differing << field;
  // The fields a description may lack (RunInfo::describe()): a random shift, a label smoothing.
  const std::pair<QString, QString> optional[] = {
      {QStringLiteral("shift "), tr("no shift")},
      {QStringLiteral("label smoothing "), tr("no label smoothing")}};
  for (const auto& [prefix, absent] : optional) {
    const auto has = [&prefix](const QStringList& fields) {
      return std::any_of(fields.begin(), fields.end(),
                         [&prefix](const QString& field) { return field.startsWith(prefix); });
    };
    if (has(now) && !has(before)) differing << absent;
  }
  return differing.join(separator);
}

QString TrainingCharts::previousName() const {
  return m_previousNote->isHidden() ? QString() : m_previousNote->text();
}

QList<QPointF> TrainingCharts::plottedPreviousLoss() const {
  return m_previousLoss->points();
}

QList<QPointF> TrainingCharts::plottedPreviousAccuracy() const {
  return m_previousAccuracy->points();
}

void TrainingCharts::addContextActions(ZoomableChartView* view) {
  auto* reset = new QAction(tr("Reset zoom"), view);
  connect(reset, &QAction::triggered, this, &TrainingCharts::resetZoom);
  auto* separator = new QAction(view);
  separator->setSeparator(true);
  auto* png = new QAction(tr("Export charts as PNG…"), view);
  connect(png, &QAction::triggered, this, &TrainingCharts::exportPngRequested);
  auto* svg = new QAction(tr("Export charts as SVG…"), view);
  connect(svg, &QAction::triggered, this, &TrainingCharts::exportSvgRequested);
  view->addActions({reset, separator, png, svg});
}

void TrainingCharts::setLogLossAxis(bool on) {
  if (on == m_logLoss) return;
  m_logLoss = on;
  QChart* chart = m_lossView->chart();
  QAbstractAxis* from = on ? static_cast<QAbstractAxis*>(m_lossY) : m_lossLogY;
  QAbstractAxis* to = on ? static_cast<QAbstractAxis*>(m_lossLogY) : m_lossY;
  m_lossView->resetZoom();
  chart->removeAxis(from);  // detaches the series; the axis is ours again
  from->setParent(this);
  chart->addAxis(to, Qt::AlignLeft);
  for (QAbstractSeries* series : chart->series())
    if (series != m_learningRate) series->attachAxis(to);
  m_lossView->fitToHeight();  // the new axis's title as the old one's
  for (QAction* action : m_lossView->actions())
    if (action->objectName() == QStringLiteral("logLossAxis")) action->setChecked(on);
  m_drawnRevision = -1;
  redraw();
  Q_EMIT optionsChanged();
}

void TrainingCharts::setLearningHistory(HistoryPtr history, int classes, ClassNames names) {
  m_classLines->setHistory(std::move(history), classes, std::move(names));
  m_drawnRevision = -1;
}

void TrainingCharts::setClassAccuracyShown(bool shown) {
  if (shown == m_classLines->shown()) return;
  m_classLines->setShown(shown);
  // Dark among the classes' colours (one of them near its own orange), and drawn wider.
  QPen pen = m_valAccuracy->pen();
  pen.setColor(shown ? kValidationAmongClasses : kValidation);
  pen.setWidthF(shown ? 3.0 : 2.0);
  m_valAccuracy->setPen(pen);
  m_valAccuracyPoints->setColor(pen.color());
  for (QAction* action : m_accuracyView->actions())
    if (action->objectName() == QStringLiteral("classAccuracy")) action->setChecked(shown);
  m_drawnRevision = -1;
  redraw();
  Q_EMIT optionsChanged();
}

bool TrainingCharts::classAccuracyShown() const {
  return m_classLines->shown();
}

QList<QPointF> TrainingCharts::plottedClassAccuracy(int c) const {
  return m_classLines->points(c);
}

QPointF TrainingCharts::lossRange() const {
  return m_logLoss ? QPointF(m_lossLogY->min(), m_lossLogY->max())
                   : QPointF(m_lossY->min(), m_lossY->max());
}

void TrainingCharts::refresh() {
  if (m_history->revision() != m_drawnRevision) redraw();
}

void TrainingCharts::resetZoom() {
  m_lossView->resetZoom();
  m_accuracyView->resetZoom();
}

void TrainingCharts::redraw() {
  if (!m_smoothing) return;  // still being built
  m_drawnRevision = m_history->revision();
  showWarning();
  const std::vector<QPointF> smooth = chart_math::smoothed(m_history->losses(), smoothing());
  const double floor = m_logLoss ? kLeastLogLoss : -HUGE_VAL;
  replaceIfChanged(m_rawLoss, atLeast(thinned(m_history->losses(), kMaxPlottedPoints), floor));
  replaceIfChanged(m_smoothLoss, atLeast(thinned(smooth, kMaxPlottedPoints), floor));
  // A line needs two points: the first steps (Step one batch) are drawn as dots.
  const bool fewSteps = m_history->losses().size() <= kMarkedSteps;
  m_smoothLoss->setPointsVisible(fewSteps);
  m_batchAccuracy->setPointsVisible(fewSteps);
  QList<QPointF> valLoss, valAccuracy, trainAccuracy, batchAccuracy;
  double lossMax = 0.5, epochMax = 1;
  for (const QPointF& p : smooth) lossMax = std::max(lossMax, p.y());
  if (const int perEpoch = m_history->stepsPerEpoch(); perEpoch > 0) {
    for (const QPointF& p : thinned(m_history->smoothedAccuracies(), kMaxPlottedPoints))
      batchAccuracy.append({p.x() / perEpoch, 100 * p.y()});
    if (!batchAccuracy.isEmpty())
      epochMax = std::max(epochMax, std::ceil(batchAccuracy.back().x()));
  }
  std::vector<double> accuracies;  // what the accuracy axis fits
  for (const cs::EvaluationRecord& e : m_history->evaluations()) {
    // A pass of a network that diverged (NaN, from its checkpoint's history) has nothing to draw.
    if (!std::isfinite(e.val_loss) || !std::isfinite(e.val_accuracy)) continue;
    valLoss.append({double(e.step), e.val_loss});
    valAccuracy.append({e.epoch, 100 * e.val_accuracy});
    accuracies.push_back(100 * e.val_accuracy);
    if (e.epoch_end && e.train_accuracy >= 0 && !m_classLines->shown()) {
      trainAccuracy.append({e.epoch, 100 * e.train_accuracy});
      accuracies.push_back(100 * e.train_accuracy);
    }
    lossMax = std::max(lossMax, e.val_loss);
    epochMax = std::max(epochMax, std::ceil(e.epoch));
  }
  // Every evaluation and the recent batch accuracy (not the climb from chance).
  const double from =
      batchAccuracy.isEmpty() ? 0 : chart_math::recentAccuracyFrom(batchAccuracy.back().x());
  if (m_classLines->shown())
    batchAccuracy.clear();  // the classes' lines in place of the training accuracies
  for (const QPointF& p : batchAccuracy)
    if (p.x() >= from) accuracies.push_back(p.y());
  m_classLines->update(&accuracies, &epochMax);
  for (QLineSeries* training : {m_batchAccuracy, m_trainAccuracy})
    m_accuracyView->chart()->legend()->markers(training).front()->setVisible(
        !m_classLines->shown());
  valLoss = atLeast(valLoss, floor);
  replaceIfChanged(m_valLoss, valLoss);
  replaceIfChanged(m_valLossPoints, valLoss);
  replaceIfChanged(m_valAccuracy, valAccuracy);
  replaceIfChanged(m_valAccuracyPoints, valAccuracy);
  replaceIfChanged(m_trainAccuracy, trainAccuracy);
  replaceIfChanged(m_batchAccuracy, batchAccuracy);
  m_trainAccuracy->setPointsVisible(trainAccuracy.size() == 1);  // after the first epoch

  // The learning rate, where a schedule or a change while paused moves it, on its own axis from 0.
  const bool scheduled = m_history->learningRateVaries();
  const QList<QPointF> rates =
      scheduled ? thinned(m_history->learningRates(), kMaxPlottedPoints) : QList<QPointF>();
  replaceIfChanged(m_learningRate, rates);
  m_learningRate->setVisible(scheduled);
  m_rateAxis->setVisible(scheduled);
  m_lossView->chart()->legend()->markers(m_learningRate).front()->setVisible(scheduled);

  // The previous run, on the same terms: its loss smoothed alike, its validation accuracy.
  const bool previous = m_previousShown && !m_previous.isEmpty();
  QList<QPointF> previousLoss, previousAccuracy;
  if (previous) {
    previousLoss = atLeast(
        thinned(chart_math::smoothed(m_previous.losses(), smoothing()), kMaxPlottedPoints), floor);
    for (const cs::EvaluationRecord& e : m_previous.evaluations()) {
      if (!std::isfinite(e.val_accuracy)) continue;  // as the run's own, above
      previousAccuracy.append({e.epoch, 100 * e.val_accuracy});
      accuracies.push_back(100 * e.val_accuracy);
      epochMax = std::max(epochMax, std::ceil(e.epoch));
    }
    for (const QPointF& p : previousLoss) lossMax = std::max(lossMax, p.y());
    const QString differs = differingFields(m_previousDescription, m_runDescription);
    m_previousNote->setText(differs.isEmpty() ? tr("╌ previous run")
                                              : tr("╌ previous run (%1)").arg(differs));
  }
  m_previousNote->setVisible(previous);
  replaceIfChanged(m_previousLoss, previousLoss);
  replaceIfChanged(m_previousAccuracy, previousAccuracy);
  m_previousLoss->setPointsVisible(previousLoss.size() == 1);
  m_previousAccuracy->setPointsVisible(previousAccuracy.size() == 1);

  if (!m_lossView->isZoomed()) {
    double steps = m_history->losses().empty() ? 0 : m_history->losses().back().x();
    if (!m_history->evaluations().empty())
      steps = std::max(steps, double(m_history->evaluations().back().step));
    if (previous && !previousLoss.isEmpty()) steps = std::max(steps, previousLoss.back().x());
    // Straight to the round range: each change of an axis maps every point of its series again.
    m_lossX->setMin(0);
    roundTicks(m_lossX, std::max({steps, double(m_history->stepsPerEpoch()), 10.0}), 5);
    if (m_logLoss) {
      fitLogAxis(m_lossLogY, {m_rawLoss, m_smoothLoss, m_valLoss, m_previousLoss});
    } else {
      m_lossY->setMin(0);
      roundTicks(m_lossY, lossMax * 1.05, 5);
    }
    double rateMax = 0;
    for (const QPointF& p : rates) rateMax = std::max(rateMax, p.y());
    m_rateAxis->setMin(0);
    if (rateMax > 0) roundTicks(m_rateAxis, rateMax * 1.05, 4);
  }
  if (!m_accuracyView->isZoomed()) {
    m_accuracyX->setMin(0);
    roundTicks(m_accuracyX, epochMax, 4);
    const chart_math::Range r =
        chart_math::fitRange(accuracies, kAccuracyPadding, kMinAccuracySpan, 0, 100);
    chart_math::setRoundRange(m_accuracyY, r.min, r.max, 4);
  }
}

int TrainingCharts::plottedLossPoints() const {
  return static_cast<int>(m_rawLoss->count());
}

int TrainingCharts::plottedEvaluationPoints() const {
  return static_cast<int>(m_valLoss->count());
}

bool TrainingCharts::exportPng(const QString& path, QString* error) {
  constexpr int kScale = 2;  // a crisp image for slides and READMEs
  QImage image(size() * kScale, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::white);
  {
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(kScale, kScale);
    render(&painter, {}, {}, QWidget::DrawChildren);
  }
  return savePng(path, image, error);
}

bool TrainingCharts::exportSvg(const QString& path, QString* error) {
  return saveSvg(
      path, size(), tr("Convscope training charts"),
      tr("Loss and accuracy of a Convscope training run"),
      [&](QPainter& painter) { render(&painter, {}, {}, QWidget::DrawChildren); }, error);
}
