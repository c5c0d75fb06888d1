// The training charts' behaviour: the smoothing slider redrawing the loss, an accuracy axis that
// tells 97.7% from 98.8%, a zoom by dragging that keeps every axis labelled, the first steps drawn,
// the not-learning warning, the logarithmic loss axis, the previous run kept on the charts for
// comparison, the learning rate under a schedule and the accuracy of each class. (Their numbers:
// test_chart_math; their view options: test_chart_options.)
#include <QAction>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QSlider>
#include <QTest>
#include <QValueAxis>
#include <cmath>

#include "chart_test_util.h"
#include "charts/chart_math.h"
#include "charts/training_charts.h"
#include "charts/zoomable_chart_view.h"
#include "convscope/learning_history.h"
#include "training/metrics_history.h"
#include "widgets/elided_label.h"

using chart_test::ticksShown;

namespace {

void fill(MetricsHistory& history, int epochs, const std::vector<double>& valAccuracy) {
  history.setStepsPerEpoch(100);
  std::vector<cs::LossPoint> points;
  for (int s = 0; s < 100 * epochs; ++s)
    points.push_back({s, 2.3f * std::exp(-s / 60.f) + 0.05f * float(s % 3),
                      0.1f + 0.88f * (1 - std::exp(-s / 8.f))});  // ~98% by the first epoch
  history.addLosses(points);
  for (int e = 1; e <= epochs; ++e) {
    cs::EvaluationRecord r;
    r.step = e * 100;
    r.epoch = e;
    r.epoch_end = true;
    r.val_loss = 0.3 / e;
    r.val_accuracy = valAccuracy[e - 1];
    r.train_accuracy = valAccuracy[e - 1] + 0.002;
    history.addEvaluation(r);
  }
}

}  // namespace

class TestCharts : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void sliderSmoothsTheLoss();
  void accuracyAxisFitsTheAccuracies();
  void recentAccuracyWindow();
  void accuracyAxisBeforeTheFirstEvaluation();
  void zoomKeepsTheAxisLabels();
  void firstStepsAreDrawn();
  void notLearningWarningFollowsTheEpochs();
  void logLossAxisSpansTheLossesDecades();
  void thePreviousRunStaysForComparison();
  void theLearningRateShowsUnderASchedule();
  void eachClassHasItsAccuracyLine();
};

void TestCharts::sliderSmoothsTheLoss() {
  MetricsHistory history;
  fill(history, 3, {0.95, 0.97, 0.977});
  TrainingCharts charts(&history);
  charts.setSmoothing(0);
  QList<QPointF> plotted = charts.plottedSmoothedLoss();
  QCOMPARE(plotted.size(), 300);
  QCOMPARE(plotted[10].y(), history.losses()[10].y());  // no smoothing: the raw loss
  auto* slider = charts.findChild<QSlider*>();
  QVERIFY(slider);
  slider->setValue(60);  // the user drags it to 0.6
  QCOMPARE(charts.smoothing(), 0.6);
  plotted = charts.plottedSmoothedLoss();
  const std::vector<QPointF> expected = chart_math::smoothed(history.losses(), 0.6);
  QCOMPARE(plotted[10].y(), expected[10].y());
  QVERIFY(plotted[10].y() != history.losses()[10].y());
}

void TestCharts::accuracyAxisFitsTheAccuracies() {
  MetricsHistory history;
  fill(history, 2, {0.977, 0.988});
  TrainingCharts charts(&history);
  const QPointF range = charts.accuracyRange();
  // Not 0..100: 97.7% and 98.8% a tenth of the axis apart at least.
  QVERIFY2(range.x() > 90 && range.y() <= 100,
           qPrintable(QStringLiteral("%1..%2").arg(range.x()).arg(range.y())));
  QVERIFY((98.8 - 97.7) / (range.y() - range.x()) > 0.1);
  QVERIFY(range.x() < 97.7 && range.y() > 98.8);

  // A pass with NaN figures (a network that diverged there) is not drawn and moves no axis.
  cs::EvaluationRecord diverged;
  diverged.step = 250;
  diverged.epoch = 2.5;
  diverged.val_loss = std::nan("");
  diverged.val_accuracy = std::nan("");
  history.addEvaluation(diverged);
  charts.refresh();
  QCOMPARE(charts.plottedEvaluationPoints(), 2);
  QCOMPARE(charts.accuracyRange(), range);
  // Nor once it is the previous run's.
  charts.keepPrevious();
  history.clear();
  fill(history, 1, {0.98});
  charts.refresh();
  QCOMPARE(charts.plottedPreviousAccuracy(), (QList<QPointF>{{1, 97.7}, {2, 98.8}}));
}

void TestCharts::recentAccuracyWindow() {
  QCOMPARE(chart_math::recentAccuracyFrom(0.3), 0.15);  // the first epochs: the latest half
  QCOMPARE(chart_math::recentAccuracyFrom(2.0), 1.0);
  QCOMPARE(chart_math::recentAccuracyFrom(5.5), 4.5);  // later: the latest epoch
}

void TestCharts::accuracyAxisBeforeTheFirstEvaluation() {
  // A third of the first epoch: the batch accuracy climbs from chance (10%) to about 93%, and
  // no evaluation yet.
  MetricsHistory history;
  history.setStepsPerEpoch(900);
  std::vector<cs::LossPoint> points;
  for (int s = 0; s < 300; ++s)
    points.push_back({s, 2.3f * std::exp(-s / 60.f), 0.1f + 0.85f * (1 - std::exp(-s / 60.f))});
  history.addLosses(points);
  TrainingCharts charts(&history);
  const QPointF range = charts.accuracyRange();
  const QString shown = QStringLiteral("%1..%2").arg(range.x()).arg(range.y());
  const double latest = 100 * history.smoothedAccuracies().back().y();
  // The recent values fill the axis instead of the climb from 10%: not 2..100.
  QVERIFY2(range.x() < latest && latest < range.y() && range.y() <= 100, qPrintable(shown));
  QVERIFY2(range.x() > 60, qPrintable(shown));
  QVERIFY2(range.y() - range.x() < 30, qPrintable(shown));
  // The first few points: the axis fits the latest, with at least the minimum span.
  MetricsHistory start;
  start.setStepsPerEpoch(900);
  start.addLosses({points.begin(), points.begin() + 4});
  TrainingCharts first(&start);
  const QPointF early = first.accuracyRange();
  const double now = 100 * start.smoothedAccuracies().back().y();
  QVERIFY2(early.x() < now && now < early.y(),
           qPrintable(QStringLiteral("%1 in %2..%3").arg(now).arg(early.x()).arg(early.y())));
  QVERIFY(early.y() - early.x() >= TrainingCharts::kMinAccuracySpan);
  QVERIFY(early.y() - early.x() < 10);
}

void TestCharts::zoomKeepsTheAxisLabels() {
  MetricsHistory history;
  fill(history, 3, {0.95, 0.97, 0.977});
  TrainingCharts charts(&history);
  charts.resize(600, 700);
  charts.show();
  QVERIFY(QTest::qWaitForWindowExposed(&charts));
  const QList<ZoomableChartView*> views = charts.findChildren<ZoomableChartView*>();
  QCOMPARE(views.size(), 2);
  for (ZoomableChartView* view : views) {
    const QRectF plot = view->chart()->plotArea();
    // A small rectangle near the bottom of the plot: far inside one tick interval.
    const QPoint from = view->mapFromScene(view->chart()->mapToScene(
        plot.bottomLeft() + QPointF(plot.width() * 0.4, -plot.height() * 0.12)));
    const QPoint to = view->mapFromScene(view->chart()->mapToScene(
        plot.bottomLeft() + QPointF(plot.width() * 0.5, -plot.height() * 0.04)));
    QTest::mousePress(view->viewport(), Qt::LeftButton, {}, from);
    QTest::mouseMove(view->viewport(), (from + to) / 2);
    QTest::mouseMove(view->viewport(), to);
    QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, to);
    QVERIFY(view->isZoomed());
    for (QAbstractAxis* a : view->chart()->axes()) {
      auto* axis = qobject_cast<QValueAxis*>(a);
      QVERIFY(axis);
      QVERIFY2(ticksShown(axis) >= 2, qPrintable(QStringLiteral("%1: %2 ticks over %3..%4")
                                                     .arg(axis->titleText())
                                                     .arg(ticksShown(axis))
                                                     .arg(axis->min())
                                                     .arg(axis->max())));
    }
    view->resetZoom();
    QVERIFY(!view->isZoomed());
  }
}

void TestCharts::firstStepsAreDrawn() {
  // After one "Step one batch": one loss and one batch accuracy, which a line alone cannot show.
  MetricsHistory history;
  history.setStepsPerEpoch(900);
  history.addLosses({{0, 2.3f, 0.11f}});
  TrainingCharts charts(&history);
  charts.resize(600, 600);
  charts.show();
  QVERIFY(QTest::qWaitForWindowExposed(&charts));
  for (ZoomableChartView* view : charts.findChildren<ZoomableChartView*>()) {
    // The training series are blue; the plot area is otherwise grey (no evaluation yet).
    QChart* chart = view->chart();
    const QImage shot = view->grab().toImage();
    const QRect plot = view->mapFromScene(chart->mapToScene(chart->plotArea())).boundingRect();
    int blue = 0;
    for (int y = plot.top(); y <= plot.bottom(); ++y)
      for (int x = plot.left(); x <= plot.right(); ++x)
        if (const QColor c(shot.pixel(x, y)); c.blue() - c.red() > 30) ++blue;
    QVERIFY2(blue >= 9,
             qPrintable(QStringLiteral("%1: %2 pixels of the step").arg(chart->title()).arg(blue)));
  }
}

void TestCharts::notLearningWarningFollowsTheEpochs() {
  MetricsHistory history;
  fill(history, 2, {0.1, 0.1});
  TrainingCharts charts(&history);
  charts.resize(420, 640);
  charts.show();
  QVERIFY(QTest::qWaitForWindowExposed(&charts));
  QCOMPARE(charts.warning(), QString());  // the evaluations carry none
  const int plainHeight = charts.findChildren<ZoomableChartView*>().front()->height();

  cs::EvaluationRecord stuck;
  stuck.step = 300;
  stuck.epoch = 3;
  stuck.epoch_end = true;
  stuck.val_accuracy = 0.1;
  stuck.warning = "the network is not learning after 300 steps";
  history.addEvaluation(stuck);
  charts.refresh();
  QCOMPARE(charts.warning(), QStringLiteral("The network is not learning after 300 steps."));
  auto* note = charts.findChild<ElidedLabel*>(QStringLiteral("issue"));
  QVERIFY(note && note->isVisible());
  QCoreApplication::processEvents();
  QVERIFY2(note->geometry().bottom() <= charts.findChildren<ZoomableChartView*>().front()->y(),
           "the warning sits above the charts");
  QVERIFY(charts.findChildren<ZoomableChartView*>().front()->height() < plainHeight);

  cs::EvaluationRecord midEpoch = stuck;  // Evaluate every N steps: each pass has its verdict
  midEpoch.step = 350;
  midEpoch.epoch = 3.5;
  midEpoch.epoch_end = false;
  midEpoch.warning = "the network is not learning after 350 steps";
  history.addEvaluation(midEpoch);
  charts.refresh();
  QCOMPARE(charts.warning(), QStringLiteral("The network is not learning after 350 steps."));

  cs::EvaluationRecord recovered = stuck;
  recovered.step = 400;
  recovered.epoch = 4;
  recovered.warning.clear();
  history.addEvaluation(recovered);
  charts.refresh();
  QCOMPARE(charts.warning(), QString());
  QVERIFY(note->isHidden());

  history.addEvaluation(stuck);
  charts.refresh();
  QVERIFY(!charts.warning().isEmpty());
  history.clear();  // Reset
  charts.refresh();
  QCOMPARE(charts.warning(), QString());
}

void TestCharts::logLossAxisSpansTheLossesDecades() {
  MetricsHistory history;
  history.setStepsPerEpoch(100);
  // A spike to 800 at the start, then a loss falling to 0.004 (and one step at exactly 0).
  std::vector<cs::LossPoint> points;
  for (int s = 0; s < 300; ++s)
    points.push_back({s, s == 2 ? 800.f : s == 250 ? 0.f : 2.3f * std::exp(-s / 50.f), -1.f});
  history.addLosses(points);
  TrainingCharts charts(&history);
  charts.setSmoothing(0);
  charts.resize(500, 640);
  charts.show();
  QVERIFY(QTest::qWaitForWindowExposed(&charts));
  ZoomableChartView* loss = charts.findChildren<ZoomableChartView*>().front();
  QCOMPARE(charts.lossRange().x(), 0.0);
  QVERIFY(charts.lossRange().y() >= 800);

  QAction* log = loss->findChild<QAction*>(QStringLiteral("logLossAxis"));
  QVERIFY(log && !log->isChecked());
  log->trigger();  // as the context menu does
  QVERIFY(charts.logLossAxis());
  // The loss's axis (left) is logarithmic; the learning rate keeps its own (right).
  const auto leftAxis = [loss]() -> QAbstractAxis* {
    for (QAbstractAxis* a : loss->chart()->axes(Qt::Vertical))
      if (a->alignment() == Qt::AlignLeft) return a;
    return nullptr;
  };
  QCOMPARE(loss->chart()->axes(Qt::Vertical).size(), 2);
  QVERIFY(qobject_cast<QLogValueAxis*>(leftAxis()));
  for (QAbstractSeries* s : loss->chart()->series()) {
    QCOMPARE(s->attachedAxes().size(), 2);  // steps and one vertical axis, nothing else
    QCOMPARE(s->attachedAxes().contains(leftAxis()), s->name() != QStringLiteral("lr"));
  }
  // Decades around the losses: a 0 is drawn at 1e-6, 800 under 1000.
  QCOMPARE(charts.lossRange(), QPointF(1e-6, 1e3));
  for (const QPointF& p : charts.plottedSmoothedLoss()) QVERIFY(p.y() >= 1e-6);

  log->trigger();  // and back
  QVERIFY(!charts.logLossAxis());
  QVERIFY(qobject_cast<QValueAxis*>(leftAxis()));
  QCOMPARE(charts.lossRange().x(), 0.0);
  QVERIFY(charts.lossRange().y() >= 800);
  const QList<QPointF> linear = charts.plottedSmoothedLoss();
  QVERIFY(std::any_of(linear.begin(), linear.end(),
                      [](const QPointF& p) { return p.y() == 0; }));  // the 0 is a 0 again
}

void TestCharts::thePreviousRunStaysForComparison() {
  QCOMPARE(TrainingCharts::differingFields(QStringLiteral("c5x8 · adam lr=0.01 · batch 64"),
                                           QStringLiteral("c5x8 · adam lr=0.001 · batch 64")),
           QStringLiteral("adam lr=0.01"));
  QCOMPARE(TrainingCharts::differingFields(QStringLiteral("c5x8 · sgd lr=0.1 · batch 32"),
                                           QStringLiteral("c3x8 · sgd lr=0.1 · batch 64")),
           QStringLiteral("c5x8 · batch 32"));
  QCOMPARE(TrainingCharts::differingFields(QStringLiteral("a · b"), QStringLiteral("a · b")),
           QString());

  MetricsHistory history;
  TrainingCharts charts(&history);
  charts.resize(500, 640);
  charts.show();
  QVERIFY(QTest::qWaitForWindowExposed(&charts));
  charts.setRunDescription(QStringLiteral("c5x8 · adam lr=0.01 · batch 64"));
  charts.keepPrevious();  // nothing trained: no previous run
  charts.refresh();
  QVERIFY(charts.plottedPreviousLoss().isEmpty());
  QCOMPARE(charts.previousName(), QString());

  ZoomableChartView* accuracy = charts.findChildren<ZoomableChartView*>().back();
  const auto line = [&](const QString& name) {  // the accuracy chart's line of that name
    for (QAbstractSeries* series : accuracy->chart()->series())
      if (series->name() == name) return qobject_cast<QLineSeries*>(series);
    return static_cast<QLineSeries*>(nullptr);
  };
  QVERIFY(line(QStringLiteral("training (epoch)")) && line(QStringLiteral("previous run")));
  fill(history, 3, {0.95, 0.96, 0.97});
  charts.refresh();
  QVERIFY(!line(QStringLiteral("training (epoch)"))->pointsVisible());
  const QList<QPointF> smoothed = charts.plottedSmoothedLoss();
  charts.keepPrevious();  // as a new run begins
  history.clear();
  charts.setRunDescription(QStringLiteral("c5x8 · adam lr=0.001 · batch 64"));
  fill(history, 1, {0.98});
  charts.refresh();
  // Its smoothed loss and validation accuracy, dashed, named by what set it apart.
  QCOMPARE(charts.plottedPreviousLoss(), smoothed);
  QCOMPARE(charts.plottedPreviousAccuracy(), (QList<QPointF>{{1, 95}, {2, 96}, {3, 97}}));
  QCOMPARE(charts.previousName(), QStringLiteral("╌ previous run (adam lr=0.01)"));
  QVERIFY(charts.lossRange().y() >= smoothed.front().y());
  // A line needs two points: this run's one epoch is a dot, the previous run's three a line.
  QVERIFY(line(QStringLiteral("training (epoch)"))->pointsVisible());
  QVERIFY(!line(QStringLiteral("previous run"))->pointsVisible());
  const auto* epochs = qobject_cast<QValueAxis*>(accuracy->chart()->axes(Qt::Horizontal).front());
  QVERIFY(epochs->max() >= 3);  // its three epochs, though this run has one
  QVERIFY(charts.accuracyRange().x() <= 95);
  // A run without a step keeps the one before; hidden from the context menu, it is gone.
  charts.keepPrevious();
  history.clear();
  charts.keepPrevious();
  charts.refresh();
  QCOMPARE(charts.plottedPreviousLoss().size(), qsizetype(100));   // the one-epoch run
  QVERIFY(line(QStringLiteral("previous run"))->pointsVisible());  // its one epoch, a dot
  auto* show = accuracy->findChild<QAction*>(QStringLiteral("showPrevious"));
  QVERIFY(show && show->isChecked());
  show->trigger();
  QVERIFY(!charts.previousShown());
  QVERIFY(charts.plottedPreviousLoss().isEmpty());
  QVERIFY(charts.plottedPreviousAccuracy().isEmpty());
  QCOMPARE(charts.previousName(), QString());
  QVERIFY(!charts.findChildren<ZoomableChartView*>()
               .front()
               ->findChild<QAction*>(QStringLiteral("showPrevious"))
               ->isChecked());  // both charts' menus
}

// Where the recorded learning rate varies (a schedule, or a rate changed while paused) the loss
// chart draws each step's rate on an axis of its own, at the right, in the legend as "lr"; under
// one rate throughout, in an older history without rates, or after a reset there is no such line,
// axis or legend entry.
void TestCharts::theLearningRateShowsUnderASchedule() {
  MetricsHistory history;
  history.setStepsPerEpoch(100);
  const auto steps = [](int from, int to, float lr) {
    std::vector<cs::LossPoint> points;
    for (int s = from; s < to; ++s) points.push_back({s, 2.3f * std::exp(-s / 50.f), -1.f, lr});
    return points;
  };
  history.addLosses(steps(0, 100, -1.f));  // an older checkpoint's steps: none recorded
  TrainingCharts charts(&history);
  charts.resize(500, 640);
  charts.show();
  QVERIFY(QTest::qWaitForWindowExposed(&charts));
  ZoomableChartView* loss = charts.findChildren<ZoomableChartView*>().front();
  QLineSeries* rate = nullptr;
  for (QAbstractSeries* s : loss->chart()->series())
    if (s->name() == QStringLiteral("lr")) rate = qobject_cast<QLineSeries*>(s);
  QVERIFY(rate);
  const auto shown = [&] {
    return rate->isVisible() && loss->chart()->legend()->markers(rate).front()->isVisible();
  };
  charts.refresh();
  QVERIFY(charts.plottedLearningRates().isEmpty());
  QVERIFY(!shown());

  history.addLosses(steps(100, 150, 0.001f));  // one rate: nothing to show
  charts.refresh();
  QVERIFY(charts.plottedLearningRates().isEmpty());
  QVERIFY(!shown());
  history.addLosses(steps(150, 200, 0.0005f));  // halved
  charts.refresh();
  const QList<QPointF> plotted = charts.plottedLearningRates();
  QCOMPARE(plotted.size(), qsizetype(100));  // the steps that recorded one, x as the losses'
  QCOMPARE(plotted.front(), QPointF(101, double(0.001f)));
  QCOMPARE(plotted[50], QPointF(151, double(0.0005f)));
  QCOMPARE(plotted.back(), QPointF(200, double(0.0005f)));
  QVERIFY(shown());
  auto* axis = qobject_cast<QValueAxis*>(rate->attachedAxes().back());
  QVERIFY(axis && axis->alignment() == Qt::AlignRight && axis->isVisible());
  QCOMPARE(axis->min(), 0.0);
  QVERIFY(axis->max() >= 0.001 && axis->max() <= 0.002);

  history.clear();
  charts.refresh();
  QVERIFY(charts.plottedLearningRates().isEmpty());
  QVERIFY(!shown() && !axis->isVisible());
}

void TestCharts::eachClassHasItsAccuracyLine() {
  MetricsHistory history;
  fill(history, 2, {0.5, 0.75});
  // Four images of classes 0, 0, 1, 2 (class 3 has none), right at pass 1: image 0; at pass 2:
  // images 0, 1 and 3.
  auto learning = std::make_shared<cs::LearningHistory>(std::vector<uint8_t>{0, 0, 1, 2});
  learning->record({1, 100, 1, 1.0}, std::vector<uint8_t>{0, 1, 0, 0});
  learning->record({2, 200, 2, 2.0}, std::vector<uint8_t>{0, 0, 2, 2});
  TrainingCharts charts(&history);
  charts.setLearningHistory(learning, 4, ClassNames({"zero", "one", "two", "three"}, {"0", "1"}));
  charts.refresh();
  QVERIFY(charts.plottedClassAccuracy(0).isEmpty());  // not until asked for
  auto* view = charts.findChildren<ZoomableChartView*>().at(1);
  QAction* option = nullptr;
  for (QAction* a : view->actions())
    if (a->objectName() == QStringLiteral("classAccuracy")) option = a;
  QVERIFY(option);
  option->trigger();
  QVERIFY(charts.classAccuracyShown());
  QCOMPARE(charts.plottedClassAccuracy(0), QList<QPointF>({{1, 50}, {2, 100}}));
  QCOMPARE(charts.plottedClassAccuracy(1), QList<QPointF>({{1, 0}, {2, 0}}));
  QCOMPARE(charts.plottedClassAccuracy(2), QList<QPointF>({{1, 0}, {2, 100}}));
  QVERIFY(charts.plottedClassAccuracy(3).isEmpty());  // no image of it
  // The overall validation line stands apart from every class's colour (its usual orange is
  // within 60 of class 1's in the sum of the channels' differences).
  QList<QColor> colours;
  QColor validation;
  for (QAbstractSeries* s : view->chart()->series())
    if (auto* line = qobject_cast<QLineSeries*>(s); line && line->isVisible())
      (line->name() == QStringLiteral("validation") ? validation : colours.emplace_back()) =
          line->color();
  QVERIFY(validation.isValid());
  for (const QColor& c : colours) {
    const int apart = std::abs(c.red() - validation.red()) +
                      std::abs(c.green() - validation.green()) +
                      std::abs(c.blue() - validation.blue());
    QVERIFY2(apart > 100, qPrintable(c.name() + QStringLiteral(" near ") + validation.name()));
  }
  // The axis fits the classes' 0 to 100; the legend names them in place of the training lines.
  QCOMPARE(charts.accuracyRange().x(), 0.0);
  QCOMPARE(charts.accuracyRange().y(), 100.0);
  charts.resize(600, 500);
  charts.show();
  QVERIFY(QTest::qWaitForWindowExposed(&charts));
  const auto legend = [view] {
    QStringList shown;  // once the legend is laid out
    for (QLegendMarker* marker : view->chart()->legend()->markers())
      if (marker->isVisible()) shown << marker->label();
    return shown.join(QStringLiteral(", "));
  };
  QTRY_COMPARE(legend(), QStringLiteral("validation, 0, 1, two"));
  // Off again, or a new run without a history: no class lines.
  option->trigger();
  QVERIFY(charts.plottedClassAccuracy(0).isEmpty());
  charts.setClassAccuracyShown(true);
  charts.setLearningHistory({}, 0, {});
  charts.refresh();
  QCOMPARE(charts.plottedClassAccuracy(0), QList<QPointF>());
}

QTEST_MAIN(TestCharts)
#include "test_charts.moc"
