// The validation-prediction models: the list model (every image, updated in place by an
// evaluation), the filter/sort proxy and the confusion matrix (fed with counts, as the Ensemble
// view feeds it too; its cells as counts or each row's shares), each under
// QAbstractItemModelTester; class names from a dataset's label
// file; and the grid panel: the arrow keys move the probe, a filter that leaves nothing says so
// with Clear filters, a filter by prediction goes with the predictions.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QHeaderView>
#include <QListView>
#include <QMouseEvent>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTextStream>
#include <cmath>
#include <memory>

#include "predictions/confusion_matrix_model.h"
#include "predictions/confusion_matrix_view.h"
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
  void confusionMatrixFedWithCounts();
  void confusionMatrixReportsEachClass();
  void emptyConfusionMatrixSaysHowToFillIt();
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

void TestPredictionModels::confusionMatrixFedWithCounts() {
  ConfusionMatrixModel confusion;
  QAbstractItemModelTester tester(&confusion,
                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, confusion.setCounts(3, {1, 2, 3}));
  QCOMPARE(confusion.rowCount(), 0);  // a bad call changes nothing
  // Two networks over three images of two classes: 2 + 1 right 0s, one 1 taken for 0 twice.
  confusion.setCounts(2, {3, 1, 2, 0}, 2);
  QCOMPARE(confusion.rowCount(), 2);
  QCOMPARE(confusion.count(1, 0), 2LL);
  QCOMPARE(confusion.index(0, 0).data(ConfusionMatrixModel::RowShareRole).toDouble(), 0.75);
  QVERIFY(!confusion.index(1, 1).data().isValid());
  const QString tip = confusion.index(1, 0).data(Qt::ToolTipRole).toString();
  QVERIFY2(tip.contains(QStringLiteral("1.0 per network")), qPrintable(tip));
  // The wrong cell in the app's one wrong colour, the diagonal in its right colour.
  QCOMPARE(confusion.index(1, 0).data(Qt::BackgroundRole).value<QColor>().rgb(),
           QColor(0xd6, 0x45, 0x45).rgb());
  QCOMPARE(confusion.index(0, 0).data(Qt::BackgroundRole).value<QColor>().rgb(),
           QColor(0x2e, 0x9e, 0x4f).rgb());
  confusion.setClassNames(ClassNames({QStringLiteral("cat"), QStringLiteral("dog")}));
  QCOMPARE(confusion.headerData(1, Qt::Horizontal).toString(), QStringLiteral("dog"));
  QVERIFY(confusion.index(1, 0)
              .data(Qt::ToolTipRole)
              .toString()
              .startsWith(QStringLiteral("true dog → predicted cat")));
  // Each row's shares instead of the counts: the cells' text and the mix-ups' tints change.
  QCOMPARE(confusion.index(0, 0).data().toString(), QStringLiteral("3"));
  QSignalSpy changed(&confusion, &QAbstractItemModel::dataChanged);
  confusion.setCells(ConfusionMatrixModel::Cells::RowPercent);
  QCOMPARE(changed.size(), 1);
  QCOMPARE(changed.first().at(0).toModelIndex(), confusion.index(0, 0));
  QCOMPARE(changed.first().at(1).toModelIndex(), confusion.index(1, 1));
  QCOMPARE(changed.first().at(2).value<QList<int>>(),
           QList<int>({Qt::DisplayRole, Qt::BackgroundRole, Qt::ForegroundRole}));
  QCOMPARE(confusion.index(0, 0).data().toString(), QStringLiteral("75.0"));
  QCOMPARE(confusion.index(0, 1).data().toString(), QStringLiteral("25.0"));
  QCOMPARE(confusion.index(1, 0).data().toString(), QStringLiteral("100"));
  QVERIFY(!confusion.index(1, 1).data().isValid());
  QCOMPARE(confusion.index(1, 0).data(ConfusionMatrixModel::CountRole).toLongLong(), 2LL);
  QCOMPARE(ConfusionMatrixModel::percent(0.9714), QStringLiteral("97.1"));
  QCOMPARE(ConfusionMatrixModel::percent(0.99962), QStringLiteral("100"));
  QCOMPARE(ConfusionMatrixModel::percent(0.0004), QStringLiteral("<0.1"));
  QCOMPARE(ConfusionMatrixModel::percent(0.0421), QStringLiteral("4.2"));
  confusion.setCells(ConfusionMatrixModel::Cells::RowPercent);  // no change, no signal
  QCOMPARE(changed.size(), 1);
  confusion.setCells(ConfusionMatrixModel::Cells::Counts);
  QCOMPARE(confusion.index(0, 0).data().toString(), QStringLiteral("3"));
  confusion.setCounts(0, {});
  QCOMPARE(confusion.rowCount(), 0);
}

// Three classes: 8 zeros (6 right, 2 taken for 2), 5 ones (4 right, 1 taken for 0), no twos, so
// the two predictions of 2 are wrong. Precision, recall and F1 per class, in the headers' tool
// tips and the CSV, undefined ones left empty.
void TestPredictionModels::confusionMatrixReportsEachClass() {
  ConfusionMatrixModel confusion;
  confusion.setCounts(3, {6, 0, 2,  //
                          1, 4, 0,  //
                          0, 0, 0});
  QCOMPARE(confusion.recall(0), 0.75);
  QCOMPARE(confusion.precision(0), 6.0 / 7);
  QCOMPARE(confusion.recall(1), 0.8);
  QCOMPARE(confusion.precision(1), 1.0);
  QVERIFY(std::isnan(confusion.recall(2)));  // no image of it
  QCOMPARE(confusion.precision(2), 0.0);     // predicted twice, never right
  QCOMPARE(confusion.headerData(0, Qt::Vertical, Qt::ToolTipRole).toString(),
           QStringLiteral("True label 0 (8 images): recall 75.0%, 6 of them right; most often "
                          "taken for 2 (2)\nClick to show them"));
  QCOMPARE(confusion.headerData(0, Qt::Horizontal, Qt::ToolTipRole).toString(),
           QStringLiteral("Predicted label 0 (7 images): precision 85.7%, 6 of them right\n"
                          "Click to show the images taken for 0"));
  QVERIFY(confusion.headerData(2, Qt::Vertical, Qt::ToolTipRole)
              .toString()
              .startsWith(QStringLiteral("True label 2 (0 images): recall –, 0 of them right\n")));
  confusion.setClassNames(
      ClassNames({QStringLiteral("T-shirt"), QStringLiteral("a \"b\""), QStringLiteral("c")}));
  QString csv;
  QTextStream out(&csv);
  confusion.writeCsv(out);
  out.flush();
  QCOMPARE(csv, QStringLiteral("class,name,support,predicted,right,precision,recall,f1\n"
                               "0,\"T-shirt\",8,7,6,0.857143,0.75,0.8\n"
                               "1,\"a \"\"b\"\"\",5,4,4,1,0.8,0.888889\n"
                               "2,\"c\",0,2,0,0,,\n"));
}

void TestPredictionModels::emptyConfusionMatrixSaysHowToFillIt() {
  ConfusionMatrixModel confusion;
  ConfusionMatrixView view(&confusion);
  view.resize(320, 240);
  // Pixels of the viewport unlike its background: the placeholder's text, as there are no cells.
  const auto ink = [&] {
    const QImage image = view.viewport()->grab().toImage();
    const QRgb background = image.pixel(2, 2);
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x) n += image.pixel(x, y) != background;
    return n;
  };
  QCOMPARE(ink(), 0);
  view.setPlaceholderText(QStringLiteral("Not evaluated yet"));
  QVERIFY(ink() > 50);
  // No blank header strips beside the text.
  QVERIFY(view.verticalHeader()->isHidden() && view.horizontalHeader()->isHidden());
  confusion.setCounts(2, {3, 1, 2, 0});  // cells now: no placeholder over them
  QVERIFY(!view.verticalHeader()->isHidden() && !view.horizontalHeader()->isHidden());
  view.setPlaceholderText({});
  ink();  // the first paint of the cells fits the headers to them
  const int cells = ink();
  view.setPlaceholderText(QStringLiteral("Not evaluated yet"));
  QCOMPARE(ink(), cells);
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
