// The Layer statistics panel: each frame's weight and gradient RMS per layer with weights and the
// update ratio against the frame before (pooling layers have none), a frame at the same step
// adding nothing, another network starting over, a long run halved; the chart's line per layer on
// a logarithmic axis for the statistic chosen; their CSV; and the live view recording a real run's
// frames, which File > Export writes.
#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <cmath>

#include "charts/layer_stats.h"
#include "charts/layer_stats_chart.h"
#include "convscope/snapshot.h"
#include "export/run_exports.h"
#include "test_data.h"
#include "training/training_session.h"
#include "window/live_training_view.h"
#include "window/main_window.h"
#include "window/unsaved_run_guard.h"

class TestLayerStats : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void eachFrameGivesEveryWeightedLayersStatistics();
  void aLongRunKeepsEveryOtherPoint();
  void theChartDrawsALinePerLayerOnALogAxis();
  void theLiveViewRecordsTheRunsFrames();
};

namespace {

// conv1 (4 weights), pool1 (none), fc1 (2 weights): weights scaled by `w`, gradients by `g`.
cs::Snapshot frame(long long step, float w, float g, const char* dense = "fc1") {
  cs::Snapshot s;
  s.step = step;
  cs::LayerSnapshot conv;
  conv.name = "conv1";
  conv.weight = {w, -w, w, -w};
  conv.dweight = {g, g, -g, -g};
  cs::LayerSnapshot pool;
  pool.name = "pool1";
  pool.kind = cs::LayerKind::MaxPool;
  cs::LayerSnapshot fc;
  fc.name = dense;
  fc.weight = {3 * w, 4 * w};
  fc.dweight = {0, 2 * g};
  s.layers = {conv, pool, fc};
  return s;
}

}  // namespace

void TestLayerStats::initTestCase() {
  Q_INIT_RESOURCE(convscope);
  testing_data::resetSettings();
}

void TestLayerStats::eachFrameGivesEveryWeightedLayersStatistics() {
  LayerStats stats;
  stats.add(frame(10, 0.5f, 0.25f));
  QCOMPARE(stats.layers(), 2);
  QCOMPARE(stats.layerName(0), QStringLiteral("conv1"));
  QCOMPARE(stats.layerName(1), QStringLiteral("fc1"));
  const LayerStatPoint first = stats.points(0).front();
  QCOMPARE(first.step, 10.0);
  QCOMPARE(first.weightRms, 0.5);
  QCOMPARE(first.gradientRms, 0.25);
  QCOMPARE(first.updateRatio, -1.0);  // nothing to compare with yet
  QCOMPARE(stats.points(1).front().weightRms, std::sqrt((1.5 * 1.5 + 2.0 * 2.0) / 2));
  QCOMPARE(stats.points(1).front().gradientRms, std::sqrt(0.5 * 0.5 / 2));

  const long long revision = stats.revision();
  stats.add(frame(10, 0.7f, 0.1f));  // the same step: another probe, the same weights
  QCOMPARE(stats.revision(), revision);
  QCOMPARE(stats.points(0).size(), size_t(1));

  stats.add(frame(30, 0.6f, 0.1f));  // 20 steps on: every weight moved by 0.1 (fc1: 0.3, 0.4)
  QCOMPARE(stats.points(0).size(), size_t(2));
  QVERIFY(std::abs(stats.points(0).back().updateRatio - 0.1 / 20 / 0.6) < 1e-7);
  QVERIFY(std::abs(stats.points(1).back().updateRatio -
                   std::sqrt((0.09 + 0.16) / 2) / 20 / std::sqrt((1.8 * 1.8 + 2.4 * 2.4) / 2)) <
          1e-7);

  stats.add(frame(40, 0.6f, 0.1f, "fc9"));  // another network: its own history
  QCOMPARE(stats.layerName(1), QStringLiteral("fc9"));
  QCOMPARE(stats.points(0).size(), size_t(1));
  QCOMPARE(stats.points(0).front().updateRatio, -1.0);
  stats.add(frame(5, 0.6f, 0.1f, "fc9"));  // an earlier step: the run went back, starts over
  QCOMPARE(stats.points(0).size(), size_t(1));
  QCOMPARE(stats.points(0).front().step, 5.0);

  QString csv;
  QTextStream out(&csv);
  stats.add(frame(45, 0.5f, 0.1f, "fc9"));
  stats.writeCsv(out);
  out.flush();
  // Frame by frame, layer by layer; no update ratio in the first frame.
  const auto row = [&stats](int frame, int layer) {
    const LayerStatPoint& p = stats.points(layer)[size_t(frame)];
    const auto num = [](double v) { return QString::number(v, 'g', 8); };
    return QStringLiteral("%1,%2,%3,%4,%5\n")
        .arg(qint64(p.step))
        .arg(stats.layerName(layer), num(p.weightRms), num(p.gradientRms),
             frame == 0 ? QString() : num(p.updateRatio));
  };
  QCOMPARE(csv, QStringLiteral("step,layer,weight_rms,gradient_rms,update_ratio\n") + row(0, 0) +
                    row(0, 1) + row(1, 0) + row(1, 1));
  QVERIFY(csv.contains(QStringLiteral("\n45,fc9,1.767767,0.14142136,0.0050000")));
  stats.clear();
  QCOMPARE(stats.layers(), 0);
  QVERIFY(stats.isEmpty());
}

void TestLayerStats::aLongRunKeepsEveryOtherPoint() {
  LayerStats stats;
  const long long frames = LayerStats::kMaxPoints + 1;
  for (long long i = 0; i < frames; ++i) stats.add(frame(i, 1.0f + i * 1e-4f, 0.1f));
  const std::vector<LayerStatPoint>& points = stats.points(0);
  QVERIFY(points.size() <= LayerStats::kMaxPoints);
  QVERIFY(points.size() >= LayerStats::kMaxPoints / 2);
  QCOMPARE(points.front().step, 0.0);
  QCOMPARE(points.back().step, double(frames - 1));
  QCOMPARE(points[1].step, 2.0);
}

void TestLayerStats::theChartDrawsALinePerLayerOnALogAxis() {
  LayerStats stats;
  LayerStatsChart chart(&stats);
  chart.resize(480, 360);
  chart.show();
  QVERIFY(QTest::qWaitForWindowExposed(&chart));
  chart.refresh();
  QVERIFY(chart.plottedLayers().isEmpty());
  stats.add(frame(0, 0.5f, 0.02f));
  stats.add(frame(100, 0.6f, 0.002f));
  chart.refresh();
  QCOMPARE(chart.plottedLayers(), QStringList({QStringLiteral("conv1"), QStringLiteral("fc1")}));
  QCOMPARE(chart.statistic(), LayerStatsChart::UpdateRatio);
  QCOMPARE(chart.plottedPoints(0).size(), qsizetype(1));  // the first frame has no update
  QCOMPARE(chart.plottedPoints(0).front().x(), 100.0);
  QVERIFY(std::abs(chart.plottedPoints(0).front().y() - 0.1 / 100 / 0.6) < 1e-7);
  QCOMPARE(chart.valueRange(), QPointF(1e-3, 1e-2));  // the decade around 1.7e-3

  chart.setStatistic(LayerStatsChart::GradientRms);
  QCOMPARE(chart.plottedPoints(0), QList<QPointF>({{0, double(0.02f)}, {100, double(0.002f)}}));
  QCOMPARE(chart.valueRange(), QPointF(1e-3, 1e-1));
  chart.setStatistic(LayerStatsChart::WeightRms);
  QCOMPARE(chart.plottedPoints(0).back(), QPointF(100, double(0.6f)));
  stats.clear();
  chart.refresh();
  QVERIFY(chart.plottedLayers().isEmpty());
}

// Three single steps of the small run: a frame after each, in the dock behind the charts.
void TestLayerStats::theLiveViewRecordsTheRunsFrames() {
  MainWindow window(testing_data::smallDataset(256, 64), {});
  window.show();
  LiveTrainingView* live = window.live();
  auto* dock = live->findChild<QDockWidget*>(QStringLiteral("layerStats"));
  QVERIFY(dock && dock->widget() == live->layerStatsChart());
  QVERIFY(live->tabifiedDockWidgets(dock).contains(
      live->findChild<QDockWidget*>(QStringLiteral("charts"))));
  dock->raise();
  for (int i = 1; i <= 3; ++i) {
    live->actions().step->trigger();
    QTRY_COMPARE(live->session()->state(), TrainingState::Paused);
    QTRY_VERIFY(live->session()->latestSnapshot());
    QTRY_COMPARE(live->session()->latestSnapshot()->step, i);
  }
  LayerStatsChart* chart = live->layerStatsChart();
  chart->setStatistic(LayerStatsChart::GradientRms);
  QCOMPARE(chart->plottedLayers(),
           QStringList({QStringLiteral("conv1"), QStringLiteral("fc1"), QStringLiteral("fc2")}));
  QCOMPARE(chart->plottedPoints(0).size(), qsizetype(3));
  chart->setStatistic(LayerStatsChart::UpdateRatio);
  QCOMPARE(chart->plottedPoints(2).size(), qsizetype(2));
  for (const QPointF& p : chart->plottedPoints(2))
    QVERIFY2(p.y() > 1e-6 && p.y() < 1, qPrintable(QString::number(p.y())));
  QVERIFY(live->actions().exportLayerStatsCsv->isEnabled());
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("layers.csv"));
  QVERIFY(live->exports()->writeLayerStatsCsv(path));
  QFile file(path);
  QVERIFY(file.open(QIODevice::ReadOnly));
  QCOMPARE(file.readAll().count('\n'), 1 + 3 * 3);  // the header, 3 frames of 3 layers
  live->unsavedRunGuard()->setAsker([](const QString&) {
    return UnsavedRunGuard::Answer{UnsavedRunGuard::Answer::Discard, {}};
  });
  live->actions().reset->trigger();
  QTRY_COMPARE(live->session()->state(), TrainingState::Idle);
  chart->refresh();
  QVERIFY(chart->plottedLayers().isEmpty());
  QVERIFY(!live->actions().exportLayerStatsCsv->isEnabled());
}

QTEST_MAIN(TestLayerStats)
#include "test_layer_stats.moc"
