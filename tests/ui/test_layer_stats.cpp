// The Layer statistics panel: each frame's weight and gradient RMS per layer with weights (pooling
// layers have none), a frame at the same step adding nothing, an older one starting the frames
// over, another network starting over, a long run halved; a measured step's update ratio being
// the optimizer's update; the chart's line per layer on a logarithmic axis for the statistic
// chosen; their CSV; and the live view recording a real run's frames and measured steps, which
// File > Export writes.
#include <QAction>
#include <QChart>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "charts/distribution_chart.h"
#include "charts/layer_stats.h"
#include "charts/layer_stats_chart.h"
#include "convscope/cpu_backend.h"
#include "convscope/snapshot.h"
#include "convscope/trainer.h"
#include "export/run_exports.h"
#include "settings/hyperparameter_panel.h"
#include "settings/training_settings.h"
#include "test_data.h"
#include "training/step_update_meter.h"
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
  void aMeasuredStepIsTheOptimizersUpdate();
  void theChartDrawsALinePerLayerOnALogAxis();
  void quantilesAreTensorBoardsBasisPoints();
  void theChartDrawsALayersDistribution();
  void theLiveViewRecordsTheRunsFrames();
  void aRunningRunMeasuresTheStepsOfItsFrames();
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

// A measured step of that network (conv1 and fc1).
LayerUpdates measured(long long step, std::vector<double> ratios) {
  LayerUpdates u;
  u.step = step;
  u.layers = QStringList({QStringLiteral("conv1"), QStringLiteral("fc1")});
  u.sizes = {4, 2};
  u.ratios = std::move(ratios);
  return u;
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
  QCOMPARE(stats.points(1).front().weightRms, std::sqrt((1.5 * 1.5 + 2.0 * 2.0) / 2));
  QCOMPARE(stats.points(1).front().gradientRms, std::sqrt(0.5 * 0.5 / 2));

  const long long revision = stats.revision();
  stats.add(frame(10, 0.7f, 0.1f));  // the same step: another probe, the same weights
  QCOMPARE(stats.revision(), revision);
  QCOMPARE(stats.points(0).size(), size_t(1));
  stats.add(frame(30, 0.6f, 0.1f));
  QCOMPARE(stats.points(0).size(), size_t(2));

  // A measured step's ratios join the same layers; one that is not finite (a step that
  // diverged) is left out.
  stats.addUpdates(measured(30, {1e-3, 2e-3}));
  QCOMPARE(stats.updates(1), std::vector<QPointF>({{30, 2e-3}}));
  QCOMPARE(stats.points(0).size(), size_t(2));
  stats.addUpdates(measured(31, {std::nan(""), 3e-3}));
  QCOMPARE(stats.updates(0).size(), size_t(1));
  QCOMPARE(stats.updates(1).size(), size_t(2));

  QString csv;  // step by step, layer by layer, the cells there are
  QTextStream out(&csv);
  stats.writeCsv(out);
  out.flush();
  const auto num = [](double v) { return QString::number(v, 'g', 8); };
  // A row: the frame's RMS values, the update, then the frame's weight and gradient quantiles.
  const auto row = [&](const QString& start, int frame, int layer, const QString& update) {
    const LayerStatPoint* p = frame < 0 ? nullptr : &stats.points(layer)[size_t(frame)];
    QString text =
        start + (p ? num(p->weightRms) + ',' + num(p->gradientRms) : QString(',')) + ',' + update;
    for (const chart_math::Quantiles* q : {p ? &p->weights : nullptr, p ? &p->gradients : nullptr})
      for (size_t i = 0; i < 9; ++i) text += ',' + (q ? num((*q)[i]) : QString());
    return text + '\n';
  };
  QCOMPARE(csv, QStringLiteral("step,layer,weight_rms,gradient_rms,update_ratio,weight_min,"
                               "weight_p7,weight_p16,weight_p31,weight_median,weight_p69,"
                               "weight_p84,weight_p93,weight_max,gradient_min,gradient_p7,"
                               "gradient_p16,gradient_p31,gradient_median,gradient_p69,"
                               "gradient_p84,gradient_p93,gradient_max\n") +
                    row("10,conv1,", 0, 0, "") + row("10,fc1,", 0, 1, "") +
                    row("30,conv1,", 1, 0, "0.001") + row("30,fc1,", 1, 1, "0.002") +
                    row("31,fc1,", -1, 1, "0.003"));
  // The quantiles written are the frame's: conv1's weights at step 10 are ±0.5, its gradient ±0.25.
  const QStringList conv1 = csv.split(u'\n')[1].split(u',');
  QCOMPARE(conv1.size(), 23);
  QCOMPARE(conv1[5], QStringLiteral("-0.5"));    // weight_min
  QCOMPARE(conv1[13], QStringLiteral("0.5"));    // weight_max
  QCOMPARE(conv1[14], QStringLiteral("-0.25"));  // gradient_min
  QCOMPARE(conv1[22], QStringLiteral("0.25"));   // gradient_max

  // A divergence took the run back to step 20: what was recorded from there on goes.
  stats.add(frame(20, 0.55f, 0.1f));
  QCOMPARE(stats.points(0).size(), size_t(2));
  QCOMPARE(stats.points(0).back().step, 20.0);
  QVERIFY(stats.updates(0).empty());
  QVERIFY(stats.updates(1).empty());
  stats.addUpdates(measured(25, {1e-3, 1e-3}));
  stats.addUpdates(measured(15, {1e-3, 1e-3}));  // and by an update
  QCOMPARE(stats.points(0).size(), size_t(1));
  QCOMPARE(stats.updates(0), std::vector<QPointF>({{15, 1e-3}}));

  stats.add(frame(40, 0.6f, 0.1f, "fc9"));  // another network: its own history
  QCOMPARE(stats.layerName(1), QStringLiteral("fc9"));
  QCOMPARE(stats.points(0).size(), size_t(1));
  QVERIFY(stats.updates(0).empty());
  stats.clear();
  QCOMPARE(stats.layers(), 0);
  QVERIFY(stats.isEmpty());
}

void TestLayerStats::aLongRunKeepsEveryOtherPoint() {
  for (const long long frames :
       {(long long)LayerStats::kMaxPoints + 1, (long long)LayerStats::kMaxPoints * 2 + 2}) {
    LayerStats stats;
    for (long long i = 0; i < frames; ++i) {
      stats.add(frame(i, 1.0f + i * 1e-4f, 0.1f));
      stats.addUpdates(measured(i, {1e-3, 1e-3}));
    }
    for (const std::vector<double>& steps : {[&] {
                                               std::vector<double> v;
                                               for (const auto& p : stats.points(0))
                                                 v.push_back(p.step);
                                               return v;
                                             }(),
                                             [&] {
                                               std::vector<double> v;
                                               for (const auto& p : stats.updates(0))
                                                 v.push_back(p.x());
                                               return v;
                                             }()}) {
      QVERIFY(steps.size() <= LayerStats::kMaxPoints);
      QVERIFY(steps.size() >= LayerStats::kMaxPoints / 2);
      QCOMPARE(steps.front(), 0.0);
      QCOMPARE(steps.back(), double(frames - 1));  // the newest, whatever its parity
      QVERIFY(std::is_sorted(steps.begin(), steps.end()));
    }
  }
}

// One step of plain SGD (no momentum, no decay) moves the weights by lr x the step's gradient:
// the meter's ratio is lr x RMS(gradient) / RMS(weights before), layer by layer.
void TestLayerStats::aMeasuredStepIsTheOptimizersUpdate() {
  const DatasetPtr data = testing_data::smallDataset(64, 32);
  cs::TrainConfig cfg;
  cfg.group.spec = cs::NetworkSpec::parse("c3x4:relu-m2-d16:relu-d10", data->train.shape, 10);
  cfg.group.optimizer = cs::OptimizerConfig::defaults(cs::OptimizerKind::Sgd);
  cfg.group.optimizer.lr = 0.1f;
  cfg.group.batch_size = 16;
  cfg.epochs = 1;
  std::unique_ptr<cs::Backend> backend = cs::make_cpu_backend(1);
  cs::Trainer trainer(*backend, data->train, data->test, cfg);
  trainer.step();  // the second step, so that the weights are not only their initialization
  const std::vector<cs::ParamInfo> params = cfg.group.spec.params();
  const auto read = [&](int p, cs::TensorRole role) {
    std::vector<float> v(static_cast<size_t>(params[size_t(p)].size()));
    backend->read_tensor(0, p, role, v.data());
    return v;
  };
  const auto rms = [](const std::vector<float>& v) {
    double sum = 0;
    for (float x : v) sum += double(x) * x;
    return std::sqrt(sum / double(v.size()));
  };
  std::vector<std::vector<float>> before;
  for (size_t p = 0; p < params.size(); ++p) before.push_back(read(int(p), cs::TensorRole::Param));
  StepUpdateMeter meter;
  QVERIFY(meter.before(*backend));
  trainer.step();
  const LayerUpdates u = meter.after(*backend, 1);
  QCOMPARE(u.sizes, std::vector<size_t>({4 * 9, 16 * 4 * 13 * 13, 10 * 16}));
  QCOMPARE(u.layers,
           QStringList({QStringLiteral("conv1"), QStringLiteral("fc1"), QStringLiteral("fc2")}));
  QCOMPARE(u.ratios.size(), size_t(3));
  int layer = 0;
  for (size_t p = 0; p < params.size(); ++p) {
    if (params[p].is_bias) continue;
    const double want = 0.1 * rms(read(int(p), cs::TensorRole::Grad)) / rms(before[p]);
    QVERIFY2(std::abs(u.ratios[size_t(layer)] - want) < 1e-4 * want,
             qPrintable(QStringLiteral("%1: %2, not %3")
                            .arg(u.layers[layer])
                            .arg(u.ratios[size_t(layer)])
                            .arg(want)));
    ++layer;
  }
}

void TestLayerStats::theChartDrawsALinePerLayerOnALogAxis() {
  LayerStats stats;
  LayerStatsChart chart(&stats);
  chart.resize(480, 360);
  chart.show();
  QVERIFY(QTest::qWaitForWindowExposed(&chart));
  chart.refresh();
  QVERIFY(chart.plottedLayers().isEmpty());
  stats.add(frame(1000, 0.5f, 0.02f));
  stats.add(frame(1100, 0.6f, 0.002f));
  stats.addUpdates(measured(1000, {0.0017, 0.0012}));
  stats.addUpdates(measured(1100, {0.0015, 0.0}));  // a layer that did not move: not on a log axis
  chart.refresh();
  QCOMPARE(chart.plottedLayers(), QStringList({QStringLiteral("conv1"), QStringLiteral("fc1")}));
  QCOMPARE(chart.statistic(), LayerStatsChart::UpdateRatio);
  QCOMPARE(chart.plottedPoints(0), QList<QPointF>({{1000, 0.0017}, {1100, 0.0015}}));
  QCOMPARE(chart.plottedPoints(1), QList<QPointF>({{1000, 0.0012}}));
  QCOMPARE(chart.valueRange(), QPointF(1e-3, 1e-2));  // the decade of the ratios
  QVERIFY2(chart.stepRange().x() >= 900 && chart.stepRange().y() >= 1100,
           "the steps axis starts near the first point, not at 0");

  chart.setStatistic(LayerStatsChart::GradientRms);
  QCOMPARE(chart.plottedPoints(0), QList<QPointF>({{1000, double(0.02f)}, {1100, double(0.002f)}}));
  QCOMPARE(chart.valueRange(), QPointF(1e-3, 1e-1));
  chart.setStatistic(LayerStatsChart::WeightRms);
  QCOMPARE(chart.plottedPoints(0).back(), QPointF(1100, double(0.6f)));
  stats.clear();
  chart.refresh();
  QVERIFY(chart.plottedLayers().isEmpty());
}

// The values 0..10000 in any order have the basis points themselves as quantiles; what is not
// finite is left out; a tensor beyond kQuantileSample values takes its inner quantiles from a
// sample (close) and its extremes from every value (exact).
void TestLayerStats::quantilesAreTensorBoardsBasisPoints() {
  std::mt19937 rng(3);
  std::vector<float> values;
  for (int i = 0; i <= 10000; ++i) values.push_back(float(i));
  std::shuffle(values.begin(), values.end(), rng);
  values.insert(values.begin() + 17, std::numeric_limits<float>::quiet_NaN());
  values.push_back(std::numeric_limits<float>::infinity());
  const chart_math::Quantiles q = chart_math::quantiles(values);
  for (size_t k = 0; k < q.size(); ++k) QCOMPARE(q[k], float(chart_math::kQuantileBasisPoints[k]));
  QCOMPARE(chart_math::quantiles({}), chart_math::Quantiles{});
  QCOMPARE(chart_math::quantiles({std::nanf("")}), chart_math::Quantiles{});

  std::vector<float> many;
  for (int i = 0; i <= 1000000; ++i) many.push_back(float(i) / 1e6f);
  std::shuffle(many.begin(), many.end(), rng);
  const chart_math::Quantiles m = chart_math::quantiles(many);
  QCOMPARE(m.front(), 0.f);
  QCOMPARE(m.back(), 1.f);
  for (size_t k = 1; k + 1 < m.size(); ++k)
    QVERIFY2(std::abs(m[k] - chart_math::kQuantileBasisPoints[k] / 10000.f) < 0.01f,
             qPrintable(QString::number(m[k])));
}

// Weight distribution: the bands of the chosen layer's quantiles step by step, the median line,
// the value axis around them; another layer, the gradients; a new network keeps the layer chosen.
void TestLayerStats::theChartDrawsALayersDistribution() {
  LayerStats stats;
  LayerStatsChart chart(&stats);
  chart.resize(480, 480);  // tall enough for the chart's title (CompactChartView)
  chart.show();
  QVERIFY(QTest::qWaitForWindowExposed(&chart));
  stats.add(frame(1000, 0.5f, 0.02f));
  stats.add(frame(1100, 0.6f, 0.002f));
  chart.setStatistic(LayerStatsChart::WeightDistribution);
  const DistributionChart* d = chart.distributionChart();
  QVERIFY(d->isVisible());
  const auto* layer = chart.findChild<QComboBox*>(QStringLiteral("layer"));
  QVERIFY(layer && layer->isVisible());
  QCOMPARE(layer->count(), 2);
  QCOMPARE(chart.distributionLayer(), 0);  // conv1: weights {w, -w, w, -w}
  QCOMPARE(d->bandEdge(0, false), QList<QPointF>({{1000, -0.5}, {1100, double(-0.6f)}}));
  QCOMPARE(d->bandEdge(0, true), QList<QPointF>({{1000, 0.5}, {1100, double(0.6f)}}));
  QCOMPARE(d->median(), QList<QPointF>({{1000, 0.5}, {1100, double(0.6f)}}));  // rank 2 of 4
  QVERIFY(d->valueRange().x() <= -0.6 && d->valueRange().y() >= 0.6);
  QVERIFY2(d->stepRange().x() >= 900 && d->stepRange().y() >= 1100, "steps from the first point");
  QCOMPARE(d->chart()->title(), QStringLiteral("conv1 weights"));

  chart.setDistributionLayer(1);  // fc1: weights {3w, 4w}
  QCOMPARE(d->bandEdge(0, false).front(), QPointF(1000, 1.5));
  QCOMPARE(d->bandEdge(0, true).front(), QPointF(1000, 2.0));
  chart.setStatistic(LayerStatsChart::GradientDistribution);  // fc1: {0, 2g}
  QCOMPARE(d->bandEdge(0, true), QList<QPointF>({{1000, double(0.04f)}, {1100, double(0.004f)}}));
  QCOMPARE(d->chart()->title(), QStringLiteral("fc1 weight gradients"));

  stats.add(frame(10, 0.5f, 0.02f, "fc9"));  // another network: fc1 gone, back to its first layer
  chart.refresh();
  QCOMPARE(layer->itemText(1), QStringLiteral("fc9"));
  QCOMPARE(chart.distributionLayer(), 0);
  chart.setStatistic(LayerStatsChart::WeightRms);
  QVERIFY(!layer->isVisible());
  QVERIFY(!d->isVisible());
}

// Three single steps of the small run: each one measured, a frame after each, in the dock behind
// the charts; File > Export writes them.
void TestLayerStats::theLiveViewRecordsTheRunsFrames() {
  MainWindow window(testing_data::smallDataset(256, 64), {});
  window.show();
  LiveTrainingView* live = window.live();
  auto* dock = live->findChild<QDockWidget*>(QStringLiteral("layerStats"));
  QVERIFY(dock && dock->widget() == live->layerStatsChart());
  QVERIFY(live->tabifiedDockWidgets(dock).contains(
      live->findChild<QDockWidget*>(QStringLiteral("charts"))));
  dock->raise();
  QVERIFY(!live->actions().exportLayerStatsCsv->isEnabled());
  for (int i = 1; i <= 3; ++i) {
    live->actions().step->trigger();
    QTRY_COMPARE(live->session()->state(), TrainingState::Paused);
    QTRY_VERIFY(live->session()->latestSnapshot());
    QTRY_COMPARE(live->session()->latestSnapshot()->step, i);
    // The run's first frame may have been shown before the run's start reached the view (which
    // starts the statistics over): the frame again, as the views ask for after a start.
    live->session()->invoke(&TrainingWorker::refreshSnapshot);
    QTRY_COMPARE(live->layerStats().points(0).size(), size_t(i));
  }
  const LayerStats& stats = live->layerStats();
  QCOMPARE(stats.layers(), 3);  // conv1, fc1, fc2: the pooling layer has no weights
  QCOMPARE(stats.updates(2).size(), size_t(3));
  QCOMPARE(stats.updates(2), std::vector<QPointF>({{0, stats.updates(2)[0].y()},
                                                   {1, stats.updates(2)[1].y()},
                                                   {2, stats.updates(2)[2].y()}}));
  LayerStatsChart* chart = live->layerStatsChart();
  chart->refresh();
  QCOMPARE(chart->plottedLayers(),
           QStringList({QStringLiteral("conv1"), QStringLiteral("fc1"), QStringLiteral("fc2")}));
  for (const QPointF& p : chart->plottedPoints(2))
    QVERIFY2(p.y() > 1e-6 && p.y() < 1, qPrintable(QString::number(p.y())));
  QVERIFY(live->actions().exportLayerStatsCsv->isEnabled());
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("layers.csv"));
  QVERIFY(live->exports()->writeLayerStatsCsv(path));
  QFile file(path);
  QVERIFY(file.open(QIODevice::ReadOnly));
  QCOMPARE(file.readAll().count('\n'), 1 + 4 * 3);  // the header; steps 0-3 of 3 layers
  live->unsavedRunGuard()->setAsker([](const QString&) {
    return UnsavedRunGuard::Answer{UnsavedRunGuard::Answer::Discard, {}};
  });
  live->actions().reset->trigger();
  QTRY_COMPARE(live->session()->state(), TrainingState::Idle);
  chart->refresh();
  QVERIFY(chart->plottedLayers().isEmpty());
  QVERIFY(!live->actions().exportLayerStatsCsv->isEnabled());
}

// While a run trains with the panel shown, the worker measures the steps it takes the live frames
// at. (The first frame may have come before the run's start reached the view, and the last one
// may be replaced by the frame of the pause: those two are not checked.)
void TestLayerStats::aRunningRunMeasuresTheStepsOfItsFrames() {
  MainWindow window(testing_data::smallDataset(1024, 64), {});
  window.show();
  LiveTrainingView* live = window.live();
  live->findChild<QDockWidget*>(QStringLiteral("layerStats"))->raise();
  TrainingSettings settings = live->panel()->settings();
  settings.epochs = 500;
  live->panel()->setSettings(settings);
  live->actions().start->trigger();
  const LayerStats& stats = live->layerStats();
  QTRY_VERIFY_WITH_TIMEOUT(stats.layers() == 3 && stats.updates(0).size() >= 5, 30000);
  live->actions().pauseResume->trigger();
  QTRY_COMPARE(live->session()->state(), TrainingState::Paused);
  QTest::qWait(300);  // the frames and measurements queued before the pause
  const std::vector<QPointF>& updates = stats.updates(0);
  const std::vector<LayerStatPoint>& frames = stats.points(0);
  for (size_t i = 1; i + 1 < updates.size(); ++i)
    QVERIFY2(std::any_of(frames.begin(), frames.end(),
                         [&](const LayerStatPoint& f) { return f.step == updates[i].x(); }),
             qPrintable(QStringLiteral("no frame at measured step %1").arg(updates[i].x())));
  QVERIFY(std::is_sorted(updates.begin(), updates.end(),
                         [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); }));
}

QTEST_MAIN(TestLayerStats)
#include "test_layer_stats.moc"
