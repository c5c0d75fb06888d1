// Exports of the Ensemble view: the misclassification table as CSV (the rows shown, in the order
// shown, every column) and the accuracy charts as PNG and SVG; the boxes of each class's
// accuracies over the networks.
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QBoxPlotSeries>
#include <QBoxSet>
#include <QChartView>
#include <QImage>
#include <QLocale>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>
#include <functional>

#include "charts/compact_chart_view.h"
#include "convscope/store.h"
#include "convscope/sweep_stats.h"
#include "ensemble/accuracy_charts.h"
#include "ensemble/ensemble_page.h"
#include "ensemble/misclassification_filter_model.h"
#include "ensemble/misclassification_model.h"
#include "ensemble_test_data.h"
#include "full_disk_export.h"

using namespace ensemble_testing;

namespace {

QStringList readLines(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) return {};
  return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

// Pixels that are neither white nor transparent.
int inkPixels(const QImage& image) {
  int ink = 0;
  for (int y = 0; y < image.height(); y += 2)
    for (int x = 0; x < image.width(); x += 2) {
      const QRgb p = image.pixel(x, y);
      ink += qAlpha(p) > 0 && (qRed(p) < 200 || qGreen(p) < 200 || qBlue(p) < 200);
    }
  return ink;
}

}  // namespace

class TestEnsembleExports : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { Q_INIT_RESOURCE(convscope); }

  void csvHasTheShownRowsInOrder() {
    const StoredHandBuilt s;
    EnsemblePage page;
    QVERIFY(openStored(page, s));
    page.filterModel()->setMinimumWrong(1);
    const QString path = s.dir.filePath("table.csv");
    QVERIFY(page.writeCsv(path));
    const QStringList lines = readLines(path);
    QCOMPARE(lines.size(), 1 + 5);
    QCOMPARE(lines[0],
             QStringLiteral("index,true_label,wrong,nets,common_wrong_label,"
                            "common_wrong_count,mean_true_prob,vote,disagreement_bits,forgotten"));
    // 2 ×3, 9 ×1; one stored epoch, so nothing can have been forgotten.
    QCOMPARE(lines[1], QStringLiteral("2,7,4,4,2,3,0.2,2,0.811278,0"));
    QCOMPARE(lines[2].section(',', 0, 7), QStringLiteral("4,3,3,4,8,2,0.3,8"));
    QStringList order;
    for (const QString& line : lines.mid(1)) order << line.section(',', 0, 0);
    QCOMPARE(order, (QStringList{"2", "4", "6", "1", "3"}));

    // Another order and filter: the 3s by mean probability of the true label, highest first.
    page.filterModel()->setMinimumWrong(0);
    page.filterModel()->setTrueLabel(3);
    page.filterModel()->sort(MisclassificationModel::MeanTrueProbColumn, Qt::DescendingOrder);
    QVERIFY(page.writeCsv(path));
    const QStringList threes = readLines(path);
    QCOMPARE(threes.size(), 3);
    QCOMPARE(threes[1], QStringLiteral("0,3,0,4,,0,0.9,3,0,0"));
    QCOMPARE(threes[2].section(',', 0, 0), QStringLiteral("4"));
  }

  void csvReportsAnUnwritablePath() {
    EnsemblePage page;
    QString error;
    QVERIFY(!page.writeCsv(QStringLiteral("/proc/no-such-dir/table.csv"), &error));
    QVERIFY(!error.isEmpty());
  }

  void exportsKeepTheOldFileOnAFullDisk() {
    const StoredHandBuilt s;
    EnsemblePage page;
    QVERIFY(openShown(page, s, QSize(1000, 700)));
    const std::pair<const char*, std::function<bool(const QString&, QString*)>> writers[] = {
        {"table.csv", [&](const QString& p, QString* e) { return page.writeCsv(p, e); }},
        {"chart.png", [&](const QString& p, QString* e) { return page.writeChartPng(p, e); }},
        {"chart.svg", [&](const QString& p, QString* e) { return page.writeChartSvg(p, e); }}};
    for (const auto& [name, write] : writers) {
      checkExportKeepsTheOldFileOnAFullDisk(s.dir.filePath(QString::fromLatin1(name)), write, name);
      if (QTest::currentTestFailed()) return;
    }
  }

  void chartsExportPngAndSvg_data() {
    QTest::addColumn<int>("chart");
    QTest::addColumn<int>("bars");
    QTest::newRow("sorted bars") << int(AccuracyCharts::SortedChart) << 20;
    QTest::newRow("histogram") << int(AccuracyCharts::HistogramChart) << 6;  // ceil(√20) + 1
    QTest::newRow("each class") << int(AccuracyCharts::ClassChart) << 10;
  }

  void chartsExportPngAndSvg() {
    QFETCH(int, chart);
    QFETCH(int, bars);
    std::vector<uint8_t> labels(500);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = uint8_t(i % 10);
    AccuracyCharts charts;
    charts.resize(800, 420);
    charts.setRun(makeRun(randomEval(20, labels, 0.9, 5), labels));
    charts.setCurrentChart(static_cast<AccuracyCharts::Chart>(chart));
    charts.show();
    QVERIFY(QTest::qWaitForWindowExposed(&charts));
    QCOMPARE(charts.barCount(static_cast<AccuracyCharts::Chart>(chart)), bars);

    QTemporaryDir dir;
    const QString png = dir.filePath("chart.png"), svg = dir.filePath("chart.svg");
    QString error;
    QVERIFY2(charts.exportPng(png, &error), qPrintable(error));
    const QImage image(png);
    QVERIFY(!image.isNull());
    const QSize shown = charts.view(static_cast<AccuracyCharts::Chart>(chart))->size();
    QCOMPARE(image.size(), shown * 2);
    QVERIFY2(inkPixels(image) > 2000, "the PNG is blank");

    QVERIFY2(charts.exportSvg(svg, &error), qPrintable(error));
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("<path") || text.contains("<rect"));
    QSvgRenderer renderer(svg);
    QVERIFY(renderer.isValid());
    QCOMPARE(renderer.viewBox(), QRect(QPoint(0, 0), shown));
  }

  // Networks a few images apart: a bin is at least one image wide (0.01% of 10,000), so that no
  // two bins share a label (a category axis drops a repeated one, and with it a bar).
  void histogramBinsAreWholeImagesWithTheirOwnLabels() {
    std::vector<uint8_t> labels(10000);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = uint8_t(i % 10);
    std::vector<std::vector<int>> top1;
    for (int rightImages : {9850, 9851, 9851, 9853}) {
      std::vector<int> net(labels.begin(), labels.end());
      for (int i = rightImages; i < 10000; ++i) net[i] = (labels[i] + 1) % 10;
      top1.push_back(net);
    }
    AccuracyCharts charts;
    charts.setRun(makeRun(buildEval(labels, top1, std::vector<float>(10000, 0.05f)), labels));
    QCOMPARE(charts.barCount(AccuracyCharts::HistogramChart), 4);
    QChart* chart = charts.view(AccuracyCharts::HistogramChart)->chart();
    auto* axis = qobject_cast<QBarCategoryAxis*>(chart->axes(Qt::Horizontal).front());
    QVERIFY(axis);
    const QLocale locale;
    QStringList expected;
    for (double percent : {98.50, 98.51, 98.52, 98.53})
      expected << locale.toString(percent, 'f', 2);
    QCOMPARE(axis->categories(), expected);
    auto* bars = qobject_cast<QBarSeries*>(chart->series().front());
    QVERIFY(bars);
    const QBarSet* set = bars->barSets().front();
    QCOMPARE(QList<qreal>({set->at(0), set->at(1), set->at(2), set->at(3)}),
             QList<qreal>({1, 2, 0, 1}));
    // 20 networks 98.50% to 98.79%: 6 bins of 5 images each, labelled by their first and last.
    top1.clear();
    for (int n = 0; n < 20; ++n) {
      std::vector<int> net(labels.begin(), labels.end());
      for (int i = 9850 + (n == 19 ? 29 : n); i < 10000; ++i) net[i] = (labels[i] + 1) % 10;
      top1.push_back(net);
    }
    charts.setRun(makeRun(buildEval(labels, top1, std::vector<float>(10000, 0.05f)), labels));
    axis = qobject_cast<QBarCategoryAxis*>(
        charts.view(AccuracyCharts::HistogramChart)->chart()->axes(Qt::Horizontal).front());
    QVERIFY(axis);
    QCOMPARE(axis->count(), 6);
    QCOMPARE(axis->categories().front(),
             locale.toString(98.50, 'f', 2) + "–<br>" + locale.toString(98.54, 'f', 2));
    QCOMPARE(axis->categories().back(),
             locale.toString(98.75, 'f', 2) + "–<br>" + locale.toString(98.79, 'f', 2));
  }

  // A box per class with images (7 of 10 here: no 2s, 8s or 9s), over the 20 networks'
  // accuracies on it, and the vote's accuracy as a point on it.
  void classChartBoxesTheNetworksOfEachClass() {
    const std::vector<int> present{0, 1, 3, 4, 5, 6, 7};
    std::vector<uint8_t> labels(400);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = uint8_t(present[i % 7]);
    const EnsembleRunPtr run = makeRun(randomEval(20, labels, 0.8, 3), labels);
    const cs::EnsembleStats& s = run->stats();
    AccuracyCharts charts;
    charts.setRun(run);
    QCOMPARE(charts.barCount(AccuracyCharts::ClassChart), 7);
    QBoxPlotSeries* boxes = nullptr;
    QScatterSeries* votes = nullptr;
    for (QAbstractSeries* series : charts.view(AccuracyCharts::ClassChart)->chart()->series()) {
      if (auto* b = qobject_cast<QBoxPlotSeries*>(series)) boxes = b;
      if (auto* v = qobject_cast<QScatterSeries*>(series)) votes = v;
    }
    QVERIFY(boxes && votes);
    QCOMPARE(votes->count(), 7);
    bool spread = false;
    for (int k = 0; k < 7; ++k) {
      const int c = present[k];
      std::vector<float> column;
      for (int n = 0; n < 20; ++n) column.push_back(s.net_class_accuracy[n * 10 + c]);
      const cs::Distribution d = cs::describe_distribution(column);
      const QBoxSet* box = boxes->boxSets()[k];
      QCOMPARE(box->label(), QString::number(c));
      QCOMPARE(box->at(QBoxSet::LowerExtreme), 100 * d.min);
      QCOMPARE(box->at(QBoxSet::LowerQuartile), 100 * d.q1);
      QCOMPARE(box->at(QBoxSet::Median), 100 * d.median);
      QCOMPARE(box->at(QBoxSet::UpperQuartile), 100 * d.q3);
      QCOMPARE(box->at(QBoxSet::UpperExtreme), 100 * d.max);
      QCOMPARE(votes->at(k), QPointF(k, 100 * double(s.vote_class_accuracy[c])));
      spread = spread || d.max > d.min;
    }
    QVERIFY(spread);  // the random networks differ
    // A hovered box says its class's figures.
    charts.setCurrentChart(AccuracyCharts::ClassChart);
    charts.show();
    QVERIFY(QTest::qWaitForWindowExposed(&charts));
    Q_EMIT boxes->hovered(true, boxes->boxSets()[2]);  // the 3s, after the gap
    QTRY_VERIFY2(QToolTip::text().startsWith(QStringLiteral("3 (57 images): the networks ")),
                 qPrintable(QToolTip::text()));
    QVERIFY2(QToolTip::text().endsWith(
                 QStringLiteral("; the vote %1%\nClick to list them")
                     .arg(QLocale().toString(100 * double(s.vote_class_accuracy[3]), 'f', 1))),
             qPrintable(QToolTip::text()));
    // A click on a box asks for its class: the 4s, the box after the 3s.
    QSignalSpy activated(&charts, &AccuracyCharts::classActivated);
    Q_EMIT boxes->clicked(boxes->boxSets()[3]);
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.first().at(0).toInt(), 4);
  }

  // The class chart at an earlier epoch: the networks' accuracies from the run's per-epoch top-1
  // labels, without the vote (only the latest epoch's probabilities are kept); the epoch picked
  // stays as the run is opened again, the latest follows the latest.
  void classChartAtAnEarlierEpoch() {
    std::vector<uint8_t> labels(40);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = uint8_t(i % 10);
    cs::StoredRun stored;
    stored.info.id = 1;
    stored.info.epochs_done = 2;
    stored.info.setup.val_labels = labels;
    stored.info.setup.group.seeds.assign(3, 1);
    stored.eval = randomEval(3, labels, 0.8, 5);
    stored.history = {3, 2, 40, {}};
    for (int n = 0; n < 3; ++n) {
      for (int i = 0; i < 40; ++i)  // epoch 1: every image wrong
        stored.history.top1.push_back(uint8_t((labels[i] + 1) % 10));
      for (int i = 0; i < 40; ++i)
        stored.history.top1.push_back(stored.eval.top_labels[(n * 40 + i) * 3]);
    }
    const auto run =
        std::make_shared<const EnsembleRun>(std::move(stored), nullptr, QString(), false);
    AccuracyCharts charts;
    const auto series = [&charts] {
      std::pair<QBoxPlotSeries*, QScatterSeries*> found{};
      for (QAbstractSeries* s : charts.view(AccuracyCharts::ClassChart)->chart()->series()) {
        if (auto* b = qobject_cast<QBoxPlotSeries*>(s)) found.first = b;
        if (auto* v = qobject_cast<QScatterSeries*>(s)) found.second = v;
      }
      return found;
    };
    charts.setRun(run);
    QCOMPARE(charts.classEpoch(), 2);
    QVERIFY(!charts.classEpochPicker()->isVisibleTo(&charts));       // the sorted bars are shown
    QCOMPARE(charts.fileStem(), QStringLiteral("accuracy-sorted"));  // an export's file name
    charts.setCurrentChart(AccuracyCharts::HistogramChart);
    QCOMPARE(charts.fileStem(), QStringLiteral("accuracy-histogram"));
    charts.setCurrentChart(AccuracyCharts::ClassChart);
    QCOMPARE(charts.fileStem(), QStringLiteral("accuracy-by-class"));
    QVERIFY(charts.classEpochPicker()->isVisibleTo(&charts));
    QCOMPARE(series().second->count(), 10);  // the latest epoch: the vote too
    charts.setClassEpoch(1);
    const auto [boxes, votes] = series();
    QVERIFY(boxes);
    QCOMPARE(boxes->count(), 10);
    for (int c = 0; c < 10; ++c) QCOMPARE(boxes->boxSets()[c]->at(QBoxSet::UpperExtreme), 0.0);
    QVERIFY(!votes);  // nor in the legend
    QVERIFY(charts.view(AccuracyCharts::ClassChart)
                ->title()
                .endsWith(QStringLiteral("at epoch 1 of 2")));
    charts.setRun(run);  // opened again (a new epoch recorded): the epoch picked stays
    QCOMPARE(charts.classEpoch(), 1);
    charts.setClassEpoch(2);
    QCOMPARE(series().first->boxSets()[3]->at(QBoxSet::Median),
             100 * cs::class_accuracy_spread(run->stats(), 3).median);
    charts.setRun(makeRun(randomEval(3, labels, 0.8, 6), labels));  // no history: no picker
    QVERIFY(!charts.classEpochPicker()->isVisibleTo(&charts));
  }

  void chartsClearWithoutARun() {
    AccuracyCharts charts;
    std::vector<uint8_t> labels{1, 2, 3};
    charts.setRun(makeRun(randomEval(4, labels, 0.9, 1), labels));
    QCOMPARE(charts.barCount(AccuracyCharts::SortedChart), 4);
    charts.setRun(nullptr);
    QCOMPARE(charts.barCount(AccuracyCharts::SortedChart), 0);
    QCOMPARE(charts.barCount(AccuracyCharts::HistogramChart), 0);
    QCOMPARE(charts.barCount(AccuracyCharts::ClassChart), 0);
  }
};

QTEST_MAIN(TestEnsembleExports)
#include "test_ensemble_exports.moc"
