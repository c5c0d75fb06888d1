// The validation-prediction models: the list model (every image, updated in place by an
// evaluation), the filter/sort proxy and the confusion matrix recounted from the predictions,
// each under QAbstractItemModelTester; class names from a dataset's label file; and the grid
// panel: the arrow keys move the probe, a filter that leaves nothing says so with Clear filters,
// a filter by prediction goes with the predictions. The matrix fed with counts is in
// test_confusion_matrix_model.cpp.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QListView>
#include <QMouseEvent>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTextStream>
#include <cmath>
#include <memory>

#include "predictions/confusion_matrix_model.h"
#include "predictions/prediction_filter_model.h"
#include "predictions/prediction_model.h"
#include "predictions/predictions_panel.h"
#include "test_data.h"
#include "widgets/no_match_placeholder.h"
#include "widgets/planar_image.h"

Q_DECLARE_METATYPE(PredictionFilter)

namespace {

constexpr int kCount = 40;

// Labels i % 10; predictions right except for every 7th image (predicted label + 1).
// Image i's top-1 probability is 0.5 + i / 100, so confidence grows with the index.
DatasetPtr dataset(const std::string& name = "test") {
  cs::Dataset test;
  test.name = name;
  test.count = kCount;
  test.images.assign(static_cast<size_t>(kCount) * test.shape.size(), 0);
  for (int i = 0; i < kCount; ++i) {
    test.labels.push_back(static_cast<uint8_t>(i % 10));
    test.images[static_cast<size_t>(i) * test.shape.size() + i] = 255;  // one lit pixel
  }
  return std::make_shared<const cs::DatasetPair>(cs::DatasetPair{test, test});
}

EvalPtr evaluation() {
  auto e = std::make_shared<cs::EvalResult>();
  e->nets = 1;
  e->count = kCount;
  for (int i = 0; i < kCount; ++i) {
    const int label = i % 10;
    const bool wrong = i % 7 == 0;
    const int top = wrong ? (label + 1) % 10 : label;
    const float p = 0.5f + i / 100.f;
    e->top_labels.insert(e->top_labels.end(), {uint8_t(top), uint8_t((top + 1) % 10),
                                               uint8_t(wrong ? label : (top + 2) % 10)});
    e->top_probs.insert(e->top_probs.end(), {p, (1 - p) * 0.6f, (1 - p) * 0.3f});
    e->true_probs.push_back(wrong ? (1 - p) * 0.3f : p);
  }
  e->loss = {0.5f};
  e->accuracy = {1.f - 6.f / kCount};
  return e;
}

// A model of dataset() with evaluation(), and a predictions panel on it.
struct EvaluatedPanel {
  EvaluatedPanel() {
    model.setDataset(dataset());
    model.setEvaluation(evaluation());
    panel = std::make_unique<PredictionsPanel>(&model);
  }
  PredictionModel model;
  std::unique_ptr<PredictionsPanel> panel;  // destroyed before the model
};

}  // namespace

using testing_data::sourceRows;

class TestPredictionModels : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void modelsPassTheTester();
  void anEvaluationThatDropsTheCurrentImageLeavesTheProbe();
  void predictionRoles();
  void planarImages();
  void evaluationUpdatesRowsInPlace();
  void mismatchedEvaluationIsIgnored();
  void filters_data();
  void filters();
  void orders();
  void confusionMatrixCounts();
  void predictionsCsv();
  void arrowKeysMoveTheProbe();
  void classNames();
  void classNamesReachTheModels();
  void noMatchShowsClearFilters();
  void resetDropsAFilterByPrediction();
  void cellFilterIsReported();
};

void TestPredictionModels::modelsPassTheTester() {
  PredictionModel model;
  PredictionFilterModel proxy;
  ConfusionMatrixModel confusion;
  QAbstractItemModelTester t1(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QAbstractItemModelTester t3(&confusion, QAbstractItemModelTester::FailureReportingMode::QtTest);
  proxy.setPredictionModel(&model);
  model.setDataset(dataset());
  confusion.recount(model);
  model.setEvaluation(evaluation());
  confusion.recount(model);
  proxy.setFilter(PredictionFilter::Misclassified);
  proxy.setOrder(PredictionOrder::HighestLoss);
  model.setEvaluation(evaluation());
  proxy.setFilter(PredictionFilter::TrueLabel, 3);
  model.clearEvaluation();
  proxy.setOrder(PredictionOrder::Index);
  model.setDataset(nullptr);
  confusion.recount(model);
  QCOMPARE(model.rowCount(), 0);
  QCOMPARE(confusion.rowCount(), 0);
}

void TestPredictionModels::predictionRoles() {
  PredictionModel model;
  model.setDataset(dataset());
  const QModelIndex seven = model.index(7);
  QCOMPARE(seven.data(PredictionModel::TrueLabelRole).toInt(), 7);
  QVERIFY(!seven.data(PredictionModel::HasPredictionRole).toBool());
  QVERIFY(!seven.data(PredictionModel::PredictedLabelRole).isValid());
  const QImage image = seven.data(PredictionModel::ImageRole).value<QImage>();
  QCOMPARE(image.size(), QSize(28, 28));
  QCOMPARE(qGray(image.pixel(7, 0)), 255);
  QCOMPARE(qGray(image.pixel(6, 0)), 0);

  model.setEvaluation(evaluation());
  QVERIFY(seven.data(PredictionModel::HasPredictionRole).toBool());
  QCOMPARE(seven.data(PredictionModel::PredictedLabelRole).toInt(), 8);  // a wrong one
  QCOMPARE(seven.data(PredictionModel::CorrectRole).toBool(), false);
  const QVariantList top = seven.data(PredictionModel::TopLabelsRole).toList();
  QCOMPARE(top.size(), 3);
  QCOMPARE(top[2].toInt(), 7);
  const float trueProb = seven.data(PredictionModel::TrueProbabilityRole).toFloat();
  QCOMPARE(seven.data(PredictionModel::LossRole).toFloat(), -std::log(trueProb));
  QCOMPARE(model.correctCount(), kCount - 6);  // 0, 7, 14, 21, 28, 35
}

void TestPredictionModels::planarImages() {
  // One pixel in each of two places, planes of C x H x W: 3 channels are RGB, 1 or 2 gray from
  // the first.
  const uint8_t rgb[] = {10, 20, 30, 40, 50, 60};
  const QImage colour = planarImage(rgb, {3, 1, 2});
  QCOMPARE(colour.size(), QSize(2, 1));
  QCOMPARE(colour.pixelColor(0, 0), QColor(10, 30, 50));
  QCOMPARE(colour.pixelColor(1, 0), QColor(20, 40, 60));
  const QImage two = planarImage(rgb, {2, 1, 2});
  QCOMPARE(two.format(), QImage::Format_Grayscale8);
  QCOMPARE(qGray(two.pixel(1, 0)), 20);
  const uint8_t column[] = {7, 9};
  const QImage gray = planarImage(column, {1, 2, 1});
  QCOMPARE(gray.size(), QSize(1, 2));
  QCOMPARE(qGray(gray.pixel(0, 1)), 9);
}

void TestPredictionModels::evaluationUpdatesRowsInPlace() {
  PredictionModel model;
  model.setDataset(dataset());
  QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
  QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
  model.setEvaluation(evaluation());
  QCOMPARE(resets.count(), 0);
  QCOMPARE(changes.count(), 1);
  QCOMPARE(changes.front().at(0).toModelIndex().row(), 0);
  QCOMPARE(changes.front().at(1).toModelIndex().row(), kCount - 1);
}

void TestPredictionModels::mismatchedEvaluationIsIgnored() {
  PredictionModel model;
  model.setDataset(dataset());
  auto shorter = std::make_shared<cs::EvalResult>(*evaluation());
  shorter->count = kCount - 1;
  model.setEvaluation(shorter);
  QVERIFY(!model.hasEvaluation());
}

void TestPredictionModels::filters_data() {
  QTest::addColumn<PredictionFilter>("filter");
  QTest::addColumn<int>("trueLabel");
  QTest::addColumn<int>("predicted");
  QTest::addColumn<QList<int>>("rows");
  QTest::newRow("all") << PredictionFilter::All << -1 << -1 << QList<int>{};
  QTest::newRow("misclassified") << PredictionFilter::Misclassified << -1 << -1
                                 << QList<int>{0, 7, 14, 21, 28, 35};
  QTest::newRow("true 7") << PredictionFilter::TrueLabel << 7 << -1 << QList<int>{7, 17, 27, 37};
  QTest::newRow("predicted 8") << PredictionFilter::PredictedLabel << -1 << 8
                               << QList<int>{7, 8, 18, 38};
  QTest::newRow("cell 7 → 8") << PredictionFilter::ConfusionCell << 7 << 8 << QList<int>{7};
}

void TestPredictionModels::filters() {
  QFETCH(PredictionFilter, filter);
  QFETCH(int, trueLabel);
  QFETCH(int, predicted);
  QFETCH(QList<int>, rows);
  PredictionModel model;
  model.setDataset(dataset());
  model.setEvaluation(evaluation());
  PredictionFilterModel proxy;
  proxy.setPredictionModel(&model);
  proxy.setFilter(filter, trueLabel, predicted);
  if (filter == PredictionFilter::All)
    QCOMPARE(proxy.rowCount(), kCount);
  else
    QCOMPARE(sourceRows(proxy), rows);
}

void TestPredictionModels::orders() {
  PredictionModel model;
  model.setDataset(dataset());
  PredictionFilterModel proxy;
  proxy.setPredictionModel(&model);
  proxy.setOrder(PredictionOrder::HighestLoss);
  QCOMPARE(sourceRows(proxy).mid(0, 3), (QList<int>{0, 1, 2}));  // no evaluation: by index
  model.setEvaluation(evaluation());  // dynamic sorting picks the evaluation up
  // The wrong ones have the lowest true probability, and it falls as the index grows.
  QCOMPARE(sourceRows(proxy).mid(0, 6), (QList<int>{35, 28, 21, 14, 7, 0}));
  proxy.setOrder(PredictionOrder::MostConfident);
  QCOMPARE(sourceRows(proxy).front(), kCount - 1);
  proxy.setOrder(PredictionOrder::LeastConfident);
  QCOMPARE(sourceRows(proxy).front(), 0);
  proxy.setOrder(PredictionOrder::Index);
  QCOMPARE(sourceRows(proxy).mid(0, 3), (QList<int>{0, 1, 2}));
  // A probability that is no number ranks nowhere: last in either order, the rest in theirs.
  auto broken = std::make_shared<cs::EvalResult>(*evaluation());
  broken->top_probs[3 * 5] = std::nanf("");
  model.setEvaluation(broken);
  for (const PredictionOrder order :
       {PredictionOrder::MostConfident, PredictionOrder::LeastConfident}) {
    proxy.setOrder(order);
    const QList<int> rows = sourceRows(proxy);
    QCOMPARE(rows.back(), 5);
    const bool most = order == PredictionOrder::MostConfident;
    for (int i = 0; i + 2 < rows.size(); ++i)
      QVERIFY2(most ? rows[i] > rows[i + 1] : rows[i] < rows[i + 1],
               qPrintable(QStringLiteral("%1 before %2").arg(rows[i]).arg(rows[i + 1])));
  }
}

void TestPredictionModels::confusionMatrixCounts() {
  PredictionModel model;
  model.setDataset(dataset());
  model.setEvaluation(evaluation());
  ConfusionMatrixModel confusion;
  confusion.recount(model);
  QCOMPARE(confusion.rowCount(), 10);
  QCOMPARE(confusion.columnCount(), 10);
  int total = 0, diagonal = 0;
  for (int t = 0; t < 10; ++t)
    for (int p = 0; p < 10; ++p) {
      total += confusion.count(t, p);
      if (t == p) diagonal += confusion.count(t, p);
    }
  QCOMPARE(total, kCount);
  QCOMPARE(diagonal, model.correctCount());
  QCOMPARE(confusion.count(7, 8), 1);
  QCOMPARE(confusion.index(7, 8).data().toInt(), 1);
  QVERIFY(!confusion.index(7, 9).data().isValid());  // empty cells show nothing
  QVERIFY(confusion.index(7, 7).data(Qt::BackgroundRole).value<QColor>().isValid());
  QCOMPARE(confusion.headerData(4, Qt::Vertical).toInt(), 4);
  // An image whose probabilities are not numbers (outputs that overflowed) has no prediction: no
  // cell counts it, not the one of its top label.
  const int before = confusion.count(5, 5);
  auto broken = std::make_shared<cs::EvalResult>(*evaluation());
  broken->top_probs[3 * 5] = std::nanf("");  // image 5, a 5 predicted right
  model.setEvaluation(broken);
  confusion.recount(model);
  QCOMPARE(confusion.count(5, 5), before - 1);
  int counted = 0, right = 0;
  for (int t = 0; t < 10; ++t)
    for (int p = 0; p < 10; ++p) {
      counted += confusion.count(t, p);
      if (t == p) right += confusion.count(t, p);
    }
  QCOMPARE(counted, kCount - 1);
  QCOMPARE(right, model.correctCount());  // and not right, nor in the cell a click lists
  QVERIFY(!model.correct(5));
  const QModelIndex five = model.index(5);  // no label, no bars, said so
  QVERIFY(!five.data(PredictionModel::PredictedLabelRole).isValid());
  QVERIFY(five.data(PredictionModel::TopLabelsRole).toList().isEmpty());
  QVERIFY(five.data(PredictionModel::TopProbabilitiesRole).toList().isEmpty());
  QVERIFY(five.data(Qt::ToolTipRole).toString().contains(QStringLiteral("no answer")));
  PredictionFilterModel proxy;
  proxy.setPredictionModel(&model);
  proxy.setFilter(PredictionFilter::ConfusionCell, 5, 5);
  QCOMPARE(proxy.rowCount(), confusion.count(5, 5));
  proxy.setFilter(PredictionFilter::PredictedLabel, -1, 5);
  QVERIFY(!sourceRows(proxy).contains(5));
  proxy.setFilter(PredictionFilter::Misclassified);
  QVERIFY(sourceRows(proxy).contains(5));
}

void TestPredictionModels::predictionsCsv() {
  PredictionModel model;
  model.setDataset(dataset());
  model.setEvaluation(evaluation());
  QString text;
  QTextStream out(&text);
  model.writeCsv(out);
  out.flush();
  const QStringList lines = text.trimmed().split(QLatin1Char('\n'));
  QCOMPARE(lines.size(), kCount + 1);
  QCOMPARE(lines[0], QStringLiteral("index,true_label,pred1,prob1,pred2,prob2,pred3,prob3,"
                                    "true_prob,loss,correct"));
  QVERIFY2(lines[8].startsWith(QStringLiteral("7,7,8,0.57,")), qPrintable(lines[8]));
  QVERIFY(lines[8].endsWith(QStringLiteral(",0")));
  QVERIFY(lines[2].endsWith(QStringLiteral(",1")));
  // No answer (image 5's probabilities not numbers): empty fields, not right, as eval --csv.
  auto broken = std::make_shared<cs::EvalResult>(*evaluation());
  broken->top_probs[3 * 5] = std::nanf("");
  model.setEvaluation(broken);
  text.clear();
  model.writeCsv(out);
  out.flush();
  QCOMPARE(text.split(QLatin1Char('\n')).at(6), QStringLiteral("5,5,,,,,,,,,0"));
}

// In the prediction grid the arrow keys, like a click, make the current image the probe.
void TestPredictionModels::arrowKeysMoveTheProbe() {
  PredictionModel model;
  model.setDataset(dataset());
  PredictionsPanel panel(&model);
  panel.resize(900, 400);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  auto* view = panel.findChild<QListView*>();
  QVERIFY(view);
  QSignalSpy probes(&panel, &PredictionsPanel::probeRequested);
  view->setFocus();
  view->setCurrentIndex(view->model()->index(0, 0));
  QTest::keyClick(view, Qt::Key_Right);
  QVERIFY(!probes.isEmpty());
  QCOMPARE(probes.last().at(0).toInt(), 1);
  QTest::keyClick(view, Qt::Key_Right);
  QCOMPARE(probes.last().at(0).toInt(), 2);
  QTest::keyClick(view, Qt::Key_Left);
  QCOMPARE(probes.last().at(0).toInt(), 1);
  // A filter that drops the current image moves the current index, but not the probe.
  probes.clear();
  panel.findChildren<QComboBox*>().front()->setFocus();
  panel.showFilter(PredictionFilter::TrueLabel, 5);
  QVERIFY(!view->currentIndex().isValid() ||
          view->model()->data(view->currentIndex(), PredictionModel::TrueLabelRole) == 5);
  QVERIFY(probes.isEmpty());
}

// The grid has the focus (the user clicked an image) and shows the misclassified images: the next
// evaluation, which gets the current image right, drops it and moves the current index, but the
// probe stays where the user put it.
void TestPredictionModels::anEvaluationThatDropsTheCurrentImageLeavesTheProbe() {
  EvaluatedPanel shown;
  PredictionModel& model = shown.model;
  PredictionsPanel& panel = *shown.panel;
  panel.resize(900, 400);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  panel.showFilter(PredictionFilter::Misclassified);
  auto* view = panel.findChild<QListView*>();
  view->setFocus();
  QTRY_VERIFY(view->hasFocus());
  QSignalSpy probes(&panel, &PredictionsPanel::probeRequested);
  view->setCurrentIndex(view->model()->index(1, 0));  // image 7, wrong
  QCOMPARE(probes.size(), 1);
  QCOMPARE(probes.last().at(0).toInt(), 7);
  auto right = std::make_shared<cs::EvalResult>(*evaluation());
  right->top_labels[3 * 7] = 7;
  model.setEvaluation(right);
  QVERIFY(view->currentIndex().isValid());  // moved to another image
  QVERIFY(panel.filterModel()->mapToSource(view->currentIndex()).row() != 7);
  QCOMPARE(probes.size(), 1);
}

void TestPredictionModels::classNames() {
  const ClassNames fashion = ClassNames::forDataset("fashion-mnist/test");
  QCOMPARE(fashion.name(0), QStringLiteral("T-shirt/top"));
  QCOMPARE(fashion.name(9), QStringLiteral("Ankle boot"));
  QCOMPARE(fashion.name(10), QStringLiteral("10"));  // beyond the file: the number
  QCOMPARE(ClassNames::forDataset("Fashion-MNIST/train").name(5), QStringLiteral("Sandal"));
  QCOMPARE(ClassNames::forDataset("mnist/test").name(7), QStringLiteral("7"));
  // A folder the command line named by its path: its own name.
  QCOMPARE(ClassNames::forDataset("/usr/share/datasets/fashion-mnist/test"), fashion);
  QCOMPARE(ClassNames::forDataset("data/fashion-mnist/"), fashion);
  QVERIFY(ClassNames::forDataset("fashion-mnist/shirts/test").isEmpty());
  QVERIFY(ClassNames::forDataset("/").isEmpty());
  QCOMPARE(ClassNames::forDataset("data/Fashion-MNIST/TEST"), fashion);
  QCOMPARE(ClassNames::forDataset("data/fashion-mnist/./"), fashion);
  QVERIFY(ClassNames::forDataset("mystery/test").isEmpty());
  QCOMPARE(ClassNames::forDataset("mystery/test").name(3), QStringLiteral("3"));
  QCOMPARE(fashion.shortName(9), QStringLiteral("Boot"));   // for narrow places
  QCOMPARE(fashion.shortName(3), QStringLiteral("Dress"));  // none given: the name
  const ClassNames parsed = ClassNames::parse(QStringLiteral(" a \tA\nb\n\n"));
  QCOMPARE(parsed, ClassNames({QStringLiteral("a"), QStringLiteral("b")},
                              {QStringLiteral("A"), QStringLiteral("b")}));
  QCOMPARE(parsed.name(2), QStringLiteral("2"));
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ClassNames::parse(QStringLiteral("a\n\nc")));
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                           ClassNames::parse(QStringLiteral("a\tmuch too long")));
}

void TestPredictionModels::classNamesReachTheModels() {
  PredictionModel model;
  model.setDataset(dataset("fashion-mnist/test"));
  model.setEvaluation(evaluation());
  QCOMPARE(model.classNames().name(3), QStringLiteral("Dress"));
  QVERIFY(model.index(7)
              .data(Qt::ToolTipRole)
              .toString()
              .contains(QStringLiteral("true label Sneaker")));
  ConfusionMatrixModel confusion;
  confusion.recount(model);
  QCOMPARE(confusion.headerData(9, Qt::Vertical).toString(), QStringLiteral("Ankle boot"));
  QCOMPARE(confusion.headerData(9, Qt::Horizontal).toString(), QStringLiteral("Boot"));
  QVERIFY(confusion.headerData(9, Qt::Horizontal, Qt::ToolTipRole)
              .toString()
              .contains(QStringLiteral("Ankle boot")));
  QCOMPARE(confusion.count(7, 8), 1LL);
  PredictionsPanel panel(&model);
  auto* digits = panel.findChildren<QComboBox*>().at(1);
  QCOMPARE(digits->itemText(1), QStringLiteral("Trouser"));
}

void TestPredictionModels::noMatchShowsClearFilters() {
  EvaluatedPanel shown;
  PredictionsPanel& panel = *shown.panel;
  panel.resize(900, 400);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  NoMatchPlaceholder* placeholder = panel.placeholder();
  QVERIFY(!placeholder->isVisible());
  panel.showFilter(PredictionFilter::ConfusionCell, 2, 5);  // no 2 is taken for a 5
  QCOMPARE(panel.filterModel()->rowCount(), 0);
  QVERIFY(placeholder->isVisible());
  QTest::mouseClick(placeholder->clearButton(), Qt::LeftButton);
  QCOMPARE(panel.filterModel()->filter(), PredictionFilter::All);
  QCOMPARE(panel.filterModel()->rowCount(), kCount);
  QVERIFY(!placeholder->isVisible());
  panel.showFilter(PredictionFilter::ConfusionCell, 7, 8);  // one image: no placeholder
  QCOMPARE(panel.filterModel()->rowCount(), 1);
  QVERIFY(!placeholder->isVisible());
}

void TestPredictionModels::resetDropsAFilterByPrediction() {
  EvaluatedPanel shown;
  PredictionModel& model = shown.model;
  PredictionsPanel& panel = *shown.panel;
  panel.showFilter(PredictionFilter::ConfusionCell, 7, 8);
  QCOMPARE(panel.filterModel()->rowCount(), 1);
  model.clearEvaluation();  // Reset: the predictions are gone, and the filter by them
  QCOMPARE(panel.filterModel()->filter(), PredictionFilter::All);
  QCOMPARE(panel.filterModel()->rowCount(), kCount);
  panel.showFilter(PredictionFilter::TrueLabel, 3);  // a filter by true label stays
  model.setDataset(dataset());
  QCOMPARE(panel.filterModel()->filter(), PredictionFilter::TrueLabel);
  // One by a class the new dataset lacks takes the class the digit box shows instead: its last.
  panel.showFilter(PredictionFilter::TrueLabel, 9);
  cs::DatasetPair five = *dataset();
  five.test.classes = 5;
  for (int i = 0; i < kCount; ++i) five.test.labels[static_cast<size_t>(i)] = uint8_t(i % 5);
  model.setDataset(std::make_shared<const cs::DatasetPair>(five));
  QCOMPARE(panel.filterModel()->filter(), PredictionFilter::TrueLabel);
  QCOMPARE(panel.filterModel()->filterTrueLabel(), 4);
  QCOMPARE(panel.filterModel()->rowCount(), kCount / 5);
}

void TestPredictionModels::cellFilterIsReported() {
  EvaluatedPanel shown;
  PredictionsPanel& panel = *shown.panel;
  QSignalSpy cells(&panel, &PredictionsPanel::cellFilterChanged);
  panel.showFilter(PredictionFilter::ConfusionCell, 7, 8);
  QCOMPARE(cells.last(), (QList<QVariant>{7, 8}));
  panel.showFilter(PredictionFilter::All);  // cleared: the matrix drops its mark
  QCOMPARE(cells.last(), (QList<QVariant>{-1, -1}));
}

QTEST_MAIN(TestPredictionModels)
#include "test_prediction_models.moc"
