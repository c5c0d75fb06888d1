// The Calibration view and its model: one row per bin with images, in order, with its range,
// images, accuracy, mean confidence and gap, under QAbstractItemModelTester; the bars and the gaps
// drawn from the bins; the note's ECE, MCE and mean confidence against the accuracy; the bin under
// a point; Save CSV writes the engine's CSV; no evaluation empties it all and says so; and the
// recount from the validation predictions.
#include <QAbstractItemModelTester>
#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QFile>
#include <QLegendMarker>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>
#include <cmath>

#include "convscope/calibration.h"
#include "predictions/calibration_model.h"
#include "predictions/calibration_view.h"
#include "predictions/prediction_model.h"

namespace {

// 20 images: 4 at a top-1 probability of 0.45 (2 right), 6 at 0.75 (3 right), 10 at 0.95 (9
// right). With 15 bins of 1/15 they fall into bins 6 (0.4, 0.467], 11 (0.733, 0.8] and 14.
constexpr int kCount = 20;

bool isRight(int i) {
  return i < 4 ? i < 2 : i < 10 ? i < 7 : i < 19;
}

float confidenceOf(int i) {
  return i < 4 ? 0.45f : i < 10 ? 0.75f : 0.95f;
}

DatasetPtr dataset() {
  cs::Dataset test;
  test.name = "test";
  test.count = kCount;
  test.images.assign(static_cast<size_t>(kCount) * test.shape.size(), 0);
  for (int i = 0; i < kCount; ++i) test.labels.push_back(static_cast<uint8_t>(i % 10));
  return std::make_shared<const cs::DatasetPair>(cs::DatasetPair{test, test});
}

EvalPtr evaluation() {
  auto e = std::make_shared<cs::EvalResult>();
  e->nets = 1;
  e->count = kCount;
  for (int i = 0; i < kCount; ++i) {
    const int label = i % 10, top = isRight(i) ? label : (label + 1) % 10;
    const float p = confidenceOf(i);
    e->top_labels.insert(e->top_labels.end(),
                         {uint8_t(top), uint8_t((top + 2) % 10), uint8_t((top + 3) % 10)});
    e->top_probs.insert(e->top_probs.end(), {p, (1 - p) / 2, (1 - p) / 4});
    e->true_probs.push_back(isRight(i) ? p : 0.01f);
  }
  e->loss = {0.5f};
  e->accuracy = {14.f / kCount};
  return e;
}

cs::Calibration calibration() {
  std::vector<float> p;
  std::vector<uint8_t> right;
  for (int i = 0; i < kCount; ++i) {
    p.push_back(confidenceOf(i));
    right.push_back(isRight(i));
  }
  return cs::calibrate(p, right);
}

// Whether the points are those expected, to 1e-6 (the bins' confidences are means of floats).
bool near(const QList<QPointF>& points, const QList<QPointF>& expected) {
  if (points.size() != expected.size()) return false;
  for (int i = 0; i < points.size(); ++i)
    if (std::abs(points[i].x() - expected[i].x()) > 1e-6 ||
        std::abs(points[i].y() - expected[i].y()) > 1e-6)
      return false;
  return true;
}

}  // namespace

class TestCalibrationView : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void modelPassesTheTester();
  void rowsAreTheBinsWithImages();
  void viewDrawsTheBinsAndSaysTheErrors();
  void saveCsvWritesTheEnginesCsv();
  void recountsFromThePredictions();
};

void TestCalibrationView::modelPassesTheTester() {
  CalibrationModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  model.setCalibration(calibration());
  model.clear();
  model.setCalibration(calibration());
  PredictionModel predictions;
  model.recount(predictions);
  QCOMPARE(model.rowCount(), 0);
}

void TestCalibrationView::rowsAreTheBinsWithImages() {
  CalibrationModel model;
  model.setCalibration(calibration());
  QCOMPARE(model.rowCount(), 3);
  QCOMPARE(model.columnCount(), int(CalibrationModel::Columns));
  const auto text = [&model](int row, int column) {
    return model.index(row, column).data().toString();
  };
  QCOMPARE(text(0, CalibrationModel::RangeColumn), QStringLiteral("40–46.7%"));
  QCOMPARE(text(0, CalibrationModel::ImagesColumn), QStringLiteral("4"));
  QCOMPARE(text(0, CalibrationModel::AccuracyColumn), QStringLiteral("50.0%"));
  QCOMPARE(text(0, CalibrationModel::ConfidenceColumn), QStringLiteral("45.0%"));
  QCOMPARE(text(0, CalibrationModel::GapColumn), QStringLiteral("5.0"));
  QCOMPARE(text(1, CalibrationModel::RangeColumn), QStringLiteral("73.3–80%"));
  QCOMPARE(text(1, CalibrationModel::GapColumn), QStringLiteral("-25.0"));
  QCOMPARE(text(2, CalibrationModel::RangeColumn), QStringLiteral("93.3–100%"));
  QCOMPARE(text(2, CalibrationModel::ImagesColumn), QStringLiteral("10"));
  QCOMPARE(text(2, CalibrationModel::AccuracyColumn), QStringLiteral("90.0%"));
  QVERIFY(model.index(1, 0)
              .data(Qt::ToolTipRole)
              .toString()
              .contains(QStringLiteral("overconfident by 25.0 points")));
  QCOMPARE(model.bin(2).count, 10);
  QCOMPARE(model.headerData(CalibrationModel::GapColumn, Qt::Horizontal).toString(),
           QStringLiteral("Gap"));
}

void TestCalibrationView::viewDrawsTheBinsAndSaysTheErrors() {
  CalibrationModel model;
  CalibrationView view(&model);
  view.resize(520, 560);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  QVERIFY(view.note().startsWith(QStringLiteral("Not evaluated yet")));
  QVERIFY(view.bars().isEmpty());
  QVERIFY(!view.findChild<QPushButton*>(QStringLiteral("saveCsv"))->isEnabled());

  model.setCalibration(calibration());
  // Each bin with images: the bar's top at its accuracy, the gap from there to its confidence.
  QVERIFY(near(view.bars(), {{6.0 / 15, 0.5},
                             {7.0 / 15, 0.5},
                             {11.0 / 15, 0.5},
                             {12.0 / 15, 0.5},
                             {14.0 / 15, 0.9},
                             {1, 0.9}}));
  QVERIFY(near(view.gapUpper(), {{6.0 / 15, 0.5},
                                 {7.0 / 15, 0.5},
                                 {11.0 / 15, 0.75},
                                 {12.0 / 15, 0.75},
                                 {14.0 / 15, 0.95},
                                 {1, 0.95}}));
  QVERIFY(near(view.gapLower(), {{6.0 / 15, 0.45},
                                 {7.0 / 15, 0.45},
                                 {11.0 / 15, 0.5},
                                 {12.0 / 15, 0.5},
                                 {14.0 / 15, 0.9},
                                 {1, 0.9}}));
  // One area per bin and kind, the diagonal over them; one legend entry each.
  const QChart* chart = view.findChild<QChartView*>()->chart();
  QCOMPARE(chart->series().size(), 3 * 2 + 1);
  const auto legend = [chart] {
    QStringList shown;  // once the legend is laid out
    for (QLegendMarker* marker : chart->legend()->markers())
      if (marker->isVisible()) shown << marker->label();
    return shown;
  };
  QTRY_COMPARE(legend(), QStringList({"accuracy", "gap", "calibrated"}));
  // Hovering a bin's bar shows that bin's tool tip.
  auto* bar = qobject_cast<QAreaSeries*>(chart->series()[1]);
  QVERIFY(bar);
  Q_EMIT bar->hovered(QPointF(0.77, 0.3), true);
  QTRY_COMPARE(QToolTip::text(), view.binTip(1));
  QVERIFY(view.binTip(1).startsWith(QStringLiteral("3 of 6 images right (50.0%)")));
  // ECE (4 · 0.05 + 6 · 0.25 + 10 · 0.05) / 20 = 11%, MCE 25%; mean confidence 79%, accuracy 70%.
  QCOMPARE(view.note(), QStringLiteral("ECE 11.00% · MCE 25.00% over 15 bins · mean confidence "
                                       "79.00% against accuracy 70.00%: overconfident by 9.00 "
                                       "points"));
  QVERIFY(view.findChild<QPushButton*>(QStringLiteral("saveCsv"))->isEnabled());

  // An image without a finite probability is left out and said.
  std::vector<float> p = {0.95f, std::nanf("")};
  model.setCalibration(cs::calibrate(p, std::vector<uint8_t>{1, 1}));
  QVERIFY2(view.note().endsWith(
               QStringLiteral(" · 1 image left out (a top-1 probability not a number in [0, 1])")),
           qPrintable(view.note()));
  QCOMPARE(view.bars().size(), 2);  // the image left out is not drawn
  view.setComment(QStringLiteral("A comment."));
  QVERIFY2(view.note().endsWith(QStringLiteral("[0, 1])\nA comment.")), qPrintable(view.note()));

  // Every image left out: no calibration, said so (not an ECE of 0), the comment after it.
  model.setCalibration(
      cs::calibrate(std::vector<float>{std::nanf(""), std::nanf("")}, std::vector<uint8_t>{1, 0}));
  QCOMPARE(view.note(), QStringLiteral("No calibration: not one of the 2 images has a top-1 "
                                       "probability that is a number in [0, 1] (the outputs "
                                       "overflowed).\nA comment."));
  QVERIFY(view.bars().isEmpty());

  model.clear();
  QVERIFY(view.bars().isEmpty());
  QVERIFY(view.gapUpper().isEmpty());
  QVERIFY(view.note().startsWith(QStringLiteral("Not evaluated yet")));
}

void TestCalibrationView::saveCsvWritesTheEnginesCsv() {
  CalibrationModel model;
  CalibrationView view(&model);
  model.setCalibration(calibration());
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("calibration.csv"));
  QString error;
  QVERIFY2(view.saveCsv(path, &error), qPrintable(error));
  QFile file(path);
  QVERIFY(file.open(QIODevice::ReadOnly));
  const QByteArray csv = file.readAll();
  QCOMPARE(csv, QByteArray::fromStdString(cs::calibration_csv(calibration())));
  QVERIFY(csv.contains("\n11,0.733333333,0.8,6,3,0.75,0.5,-0.25\n"));
  QVERIFY(!view.saveCsv(dir.filePath(QStringLiteral("missing/calibration.csv")), &error));
  QVERIFY(!error.isEmpty());
}

void TestCalibrationView::recountsFromThePredictions() {
  PredictionModel predictions;
  predictions.setDataset(dataset());
  CalibrationModel model;
  model.recount(predictions);
  QCOMPARE(model.rowCount(), 0);
  predictions.setEvaluation(evaluation());
  model.recount(predictions);
  QCOMPARE(model.rowCount(), 3);
  QCOMPARE(model.calibration().right, 14);
  QCOMPARE(model.calibration().ece, calibration().ece);
  predictions.clearEvaluation();
  model.recount(predictions);
  QVERIFY(!model.hasCalibration());
}

QTEST_MAIN(TestCalibrationView)
#include "test_calibration_view.moc"
