// The metric history (smoothing, CSV) and the chart exports: a PNG that QImage loads and an SVG
// that parses as XML and renders.
#include <QDir>
#include <QSettings>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include <memory>

#include "charts/training_charts.h"
#include "full_disk_export.h"
#include "training/metrics_history.h"
#include "widgets/file_dialogs.h"

namespace {

void fill(MetricsHistory& history, int steps) {
  history.setStepsPerEpoch(100);
  std::vector<cs::LossPoint> points;
  for (int s = 0; s < steps; ++s)  // the first 10 steps from a history without rates
    points.push_back({s, 2.3f * std::exp(-s / 60.f) + 0.05f,
                      0.1f + 0.85f * (1 - std::exp(-s / 50.f)),
                      s < 10 ? -1.f : 0.01f / (1 + s / 100)});
  history.addLosses(points);
  for (int e = 1; e * 100 <= steps; ++e) {
    cs::EvaluationRecord r;
    r.step = e * 100;
    r.epoch = e;
    r.epoch_end = true;
    r.val_loss = 0.3 / e;
    r.val_accuracy = 0.9 + 0.02 * e;
    r.train_loss = 0.35 / e;
    r.train_accuracy = 0.88 + 0.02 * e;
    history.addEvaluation(r);
  }
}

// A 300-step history in charts shown at 640 × 480.
struct ShownCharts {
  MetricsHistory history;
  std::unique_ptr<TrainingCharts> charts;
  ShownCharts() {
    fill(history, 300);
    charts = std::make_unique<TrainingCharts>(&history);
    charts->resize(640, 480);
    charts->show();
  }
};

}  // namespace

class TestMetricsExport : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void smoothingIsBiasCorrected();
  void csvHasOneRowPerStep();
  void chartsPlotTheHistory();
  void exportPng();
  void exportSvg();
  void exportsKeepTheOldFileOnAFullDisk();
  void dialogsStartWhereTheLastFileWas();

 private:
  QTemporaryDir m_dir;
};

void TestMetricsExport::smoothingIsBiasCorrected() {
  MetricsHistory history;
  history.addLosses({{0, 2.f, 0.5f}, {1, 2.f, -1.f}});
  QCOMPARE(history.smoothedLosses().front().y(), 2.0);  // no pull towards zero at the start
  QCOMPARE(history.smoothedLosses().back().y(), 2.0);
  QCOMPARE(history.losses().front().x(), 1.0);               // steps completed
  QCOMPARE(history.smoothedAccuracies().size(), size_t(1));  // -1: not measured
  const long long revision = history.revision();
  history.clear();
  QVERIFY(history.isEmpty());
  QVERIFY(history.revision() > revision);
}

void TestMetricsExport::csvHasOneRowPerStep() {
  MetricsHistory history;
  fill(history, 250);
  QString text;
  QTextStream out(&text);
  history.writeCsv(out);
  out.flush();
  const QStringList lines = text.trimmed().split(QLatin1Char('\n'));
  QCOMPARE(lines.size(), 251);
  QCOMPARE(lines[0], QStringLiteral("step,epoch,train_loss,train_loss_smoothed,train_accuracy,"
                                    "val_loss,val_accuracy,epoch_train_loss,epoch_train_accuracy,"
                                    "learning_rate"));
  const QStringList epochRow = lines[100].split(QLatin1Char(','));  // step 100: epoch 1 ends
  QCOMPARE(epochRow.size(), 10);
  QCOMPARE(epochRow[0], QStringLiteral("100"));
  QCOMPARE(epochRow[1], QStringLiteral("1"));
  QCOMPARE(epochRow[5].toDouble(), 0.3);
  QCOMPARE(epochRow[6].toDouble(), 0.92);
  const QStringList plainRow = lines[50].split(QLatin1Char(','));
  QCOMPARE(plainRow.size(), 10);
  QVERIFY(plainRow[5].isEmpty());
  QCOMPARE(plainRow[1].toDouble(), 0.5);
  QCOMPARE(plainRow[9].toFloat(), 0.01f);                             // step 49's rate
  QCOMPARE(lines[151].split(QLatin1Char(','))[9].toFloat(), 0.005f);  // 151 steps done
  QVERIFY(lines[5].split(QLatin1Char(','))[9].isEmpty());             // not recorded
}

void TestMetricsExport::chartsPlotTheHistory() {
  MetricsHistory history;
  TrainingCharts charts(&history);
  QCOMPARE(charts.plottedLossPoints(), 0);
  fill(history, 300);
  QTRY_COMPARE(charts.plottedLossPoints(), 300);  // the refresh timer picks the change up
  QCOMPARE(charts.plottedEvaluationPoints(), 3);
  fill(history, 2 * TrainingCharts::kMaxPlottedPoints);  // long histories are thinned
  charts.refresh();
  QVERIFY(charts.plottedLossPoints() <= TrainingCharts::kMaxPlottedPoints + 1);
}

void TestMetricsExport::exportPng() {
  ShownCharts shown;
  TrainingCharts& charts = *shown.charts;
  QVERIFY(QTest::qWaitForWindowExposed(&charts));
  charts.refresh();
  const QString path = m_dir.filePath(QStringLiteral("charts.png"));
  QString error;
  QVERIFY2(charts.exportPng(path, &error), qPrintable(error));
  const QImage image(path);
  QVERIFY(!image.isNull());
  QCOMPARE(image.size(), QSize(1280, 960));
  // Something was drawn: not a blank page.
  QSet<QRgb> colors;
  for (int y = 0; y < image.height(); y += 8)
    for (int x = 0; x < image.width(); x += 8) colors.insert(image.pixel(x, y));
  QVERIFY(colors.size() > 5);
  QVERIFY(!charts.exportPng(m_dir.filePath(QStringLiteral("missing/dir/charts.png")), &error));
  QVERIFY(!error.isEmpty());
}

void TestMetricsExport::exportSvg() {
  ShownCharts shown;
  TrainingCharts& charts = *shown.charts;
  QVERIFY(QTest::qWaitForWindowExposed(&charts));
  const QString path = m_dir.filePath(QStringLiteral("charts.svg"));
  QString error;
  QVERIFY2(charts.exportSvg(path, &error), qPrintable(error));

  QFile file(path);
  QVERIFY(file.open(QIODevice::ReadOnly));
  QXmlStreamReader xml(&file);
  QString root;
  int paths = 0;
  while (!xml.atEnd()) {
    if (xml.readNext() != QXmlStreamReader::StartElement) continue;
    if (root.isEmpty()) root = xml.name().toString();
    if (xml.name() == QStringLiteral("path") || xml.name() == QStringLiteral("polyline")) ++paths;
  }
  QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
  QCOMPARE(root, QStringLiteral("svg"));
  QVERIFY(paths > 3);  // the series are vector paths, not a bitmap
  QSvgRenderer renderer(path);
  QVERIFY(renderer.isValid());
  QCOMPARE(renderer.viewBox().size(), QSize(640, 480));
}

void TestMetricsExport::exportsKeepTheOldFileOnAFullDisk() {
  ShownCharts shown;
  TrainingCharts& charts = *shown.charts;
  QVERIFY(QTest::qWaitForWindowExposed(&charts));
  charts.refresh();
  for (const bool svg : {false, true}) {
    const QString path =
        m_dir.filePath(svg ? QStringLiteral("full.svg") : QStringLiteral("full.png"));
    checkExportKeepsTheOldFileOnAFullDisk(
        path,
        [&](const QString& p, QString* e) {
          return svg ? charts.exportSvg(p, e) : charts.exportPng(p, e);
        },
        qPrintable(path));
    if (QTest::currentTestFailed()) return;
  }
}

void TestMetricsExport::dialogsStartWhereTheLastFileWas() {
  QSettings().remove(QStringLiteral("paths/export"));
  const QString first = lastFileFolder();
  QVERIFY2(QDir(first).exists(), qPrintable(first));  // Documents or home, never ""
  QString folder;
  {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    folder = QDir(dir.path()).absolutePath();
    rememberFileFolder(dir.filePath(QStringLiteral("metrics.csv")));
    QCOMPARE(lastFileFolder(), folder);
  }
  // The folder was removed since: back to where a first dialog starts.
  QCOMPARE(lastFileFolder(), first);
}

QTEST_MAIN(TestMetricsExport)
#include "test_metrics_export.moc"
