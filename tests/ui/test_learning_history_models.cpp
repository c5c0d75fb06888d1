// The learning history in the Live view: the strip model of one image (one row per evaluation)
// and the prediction model's history roles under QAbstractItemModelTester, the grid's sorting
// and filtering by times forgotten, first learned, never learned and stable since, the panel's
// summary, and the CSV export, read back and compared with the recorded passes.
#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QFile>
#include <QListView>
#include <QScrollBar>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include "history/history_strip_delegate.h"
#include "history/history_strip_model.h"
#include "history/learning_history_panel.h"
#include "predictions/class_names.h"
#include "predictions/prediction_filter_model.h"
#include "predictions/prediction_model.h"
#include "predictions/predictions_panel.h"
#include "test_data.h"

namespace {

// Six images, labels 0..5, four passes (top-1; R right, W wrong):
//   image 0: R R W R   forgotten once, first learned at pass 0, right since pass 3
//   image 1: W R R R   never forgotten, first learned at pass 1, right since pass 1
//   image 2: W W W W   never learned
//   image 3: R W R W   forgotten twice, wrong now
//   image 4: W W W W   never learned
//   image 5: R R R R   unforgettable
const std::vector<std::vector<uint8_t>> kPasses = {
    {0, 9, 9, 3, 9, 5}, {0, 1, 9, 9, 9, 5}, {9, 1, 9, 3, 9, 5}, {0, 1, 9, 9, 9, 5}};
constexpr int kCount = 6;

DatasetPtr dataset() {
  cs::Dataset test;
  test.name = "test";
  test.count = kCount;
  test.images.assign(static_cast<size_t>(kCount) * test.shape.size(), 0);
  for (int i = 0; i < kCount; ++i) test.labels.push_back(static_cast<uint8_t>(i));
  return std::make_shared<const cs::DatasetPair>(cs::DatasetPair{test, test});
}

HistoryPtr history(int passes = 4) {
  auto h = std::make_shared<cs::LearningHistory>(dataset()->test.labels);
  for (int p = 0; p < passes; ++p)
    h->record({p, 50LL * (p + 1), p / 2, 0.25 * (p + 1)}, kPasses[p]);
  return h;
}

// The evaluation of the last pass (the top-1 of pass 3).
EvalPtr evaluation() {
  auto e = std::make_shared<cs::EvalResult>();
  e->nets = 1;
  e->count = kCount;
  for (int i = 0; i < kCount; ++i) {
    const uint8_t top = kPasses.back()[i];
    e->top_labels.insert(e->top_labels.end(),
                         {top, uint8_t((top + 1) % 10), uint8_t((top + 2) % 10)});
    e->top_probs.insert(e->top_probs.end(), {0.8f, 0.1f, 0.05f});
    e->true_probs.push_back(top == i ? 0.8f : 0.01f);
  }
  e->loss = {0.5f};
  e->accuracy = {0.5f};
  return e;
}

}  // namespace

using testing_data::sourceRows;

class TestLearningHistoryModels : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void stripModelShowsOneImagePerEvaluation();
  void stripModelShowsNoAnswerAsWrong();
  void predictionModelReadsTheHistory();
  void predictionModelIgnoresAHistoryOfOtherImages();
  void sortsByTheHistory_data();
  void sortsByTheHistory();
  void filtersByTheHistory();
  void panelDropsAHistoryFilterWithTheHistory();
  void panelSumsUpTheProbe();
  void theStripShowsTheLatestEvaluations();
  void exportRoundTripsTheRecordedValues();
};

void TestLearningHistoryModels::stripModelShowsOneImagePerEvaluation() {
  HistoryStripModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QCOMPARE(model.rowCount(), 0);
  model.setHistory(history());
  QCOMPARE(model.rowCount(), 0);  // no image yet
  model.setImage(3);
  QCOMPARE(model.rowCount(), 4);
  const QList<bool> right = {true, false, true, false};
  for (int p = 0; p < 4; ++p) {
    const QModelIndex i = model.index(p);
    QCOMPARE(i.data(HistoryStripModel::CorrectRole).toBool(), right[p]);
    QCOMPARE(i.data(HistoryStripModel::PredictedRole).toInt(), int(kPasses[p][3]));
    QCOMPARE(i.data(Qt::DisplayRole).toString(), QString::number(kPasses[p][3]));
    QCOMPARE(i.data(HistoryStripModel::StepRole).toLongLong(), 50LL * (p + 1));
    QCOMPARE(i.data(HistoryStripModel::EpochRole).toDouble(), 0.25 * (p + 1));
  }
  QVERIFY(model.index(1).data(Qt::ToolTipRole).toString().contains(QStringLiteral("step 100")));
  QVERIFY(model.index(1).data(Qt::ToolTipRole).toString().contains(QStringLiteral("epoch 0.50")));
  model.setHistory(history(2));  // a new copy after the next evaluation keeps the image
  QCOMPARE(model.rowCount(), 2);
  model.setImage(kCount);  // outside the history
  QCOMPARE(model.rowCount(), 0);
  model.setImage(-1);
  QCOMPARE(model.rowCount(), 0);

  // Fashion-MNIST: a cell says the short name, its tool tip the whole; cut to a cell, the ten
  // are still ten.
  const ClassNames fashion = ClassNames::forDataset("fashion-mnist");
  model.setClassNames(fashion);
  model.setImage(3);
  QCOMPARE(kPasses[1][3], 9);  // an ankle boot
  QCOMPARE(model.index(1).data(Qt::DisplayRole).toString(), QStringLiteral("Boot"));
  QVERIFY(model.index(1).data(Qt::ToolTipRole).toString().contains(QStringLiteral("Ankle boot")));
  QFont bold;
  bold.setBold(true);
  const QFontMetrics metrics(bold);
  QSet<QString> cells;
  for (int c = 0; c < 10; ++c) {
    const QString text = HistoryStripDelegate::cellText(fashion.shortName(c), metrics,
                                                        HistoryStripDelegate::kCell - 2);
    QVERIFY2(text.size() >= 2 && fashion.shortName(c).startsWith(text), qPrintable(text));
    cells << text;
  }
  QCOMPARE(cells.size(), 10);
}

// A pass whose network gave no answer (cs::kNoLabel, its probabilities not numbers): "–", wrong,
// said so in the tool tip; on an image of a 0, where the old stored label 0 read as right.
void TestLearningHistoryModels::stripModelShowsNoAnswerAsWrong() {
  auto h = std::make_shared<cs::LearningHistory>(dataset()->test.labels);
  std::vector<uint8_t> top1 = kPasses[0];
  top1[0] = cs::kNoLabel;
  h->record({0, 50, 0, 0.25}, top1);
  HistoryStripModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  model.setHistory(h);
  model.setImage(0);
  const QModelIndex i = model.index(0);
  QCOMPARE(i.data(Qt::DisplayRole).toString(), QStringLiteral("–"));
  QCOMPARE(i.data(HistoryStripModel::CorrectRole).toBool(), false);
  QCOMPARE(i.data(HistoryStripModel::PredictedRole).toInt(), int(cs::kNoLabel));
  const QString tip = i.data(Qt::ToolTipRole).toString();
  QVERIFY2(tip.contains(QStringLiteral("no answer")) && !tip.contains(QStringLiteral("predicted")),
           qPrintable(tip));
}

void TestLearningHistoryModels::predictionModelReadsTheHistory() {
  PredictionModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  model.setDataset(dataset());
  model.setEvaluation(evaluation());
  QVERIFY(!model.hasHistory());
  QVERIFY(!model.index(0).data(PredictionModel::TimesForgottenRole).isValid());
  model.setEvaluation(evaluation(), history());
  QVERIFY(model.hasHistory());
  const QList<int> forgotten = {1, 0, 0, 2, 0, 0}, first = {0, 1, -1, 0, -1, 0},
                   stable = {3, 1, -1, -1, -1, 0};
  for (int i = 0; i < kCount; ++i) {
    QCOMPARE(model.index(i).data(PredictionModel::TimesForgottenRole).toInt(), forgotten[i]);
    QCOMPARE(model.index(i).data(PredictionModel::FirstLearnedRole).toInt(), first[i]);
    QCOMPARE(model.index(i).data(PredictionModel::StableSinceRole).toInt(), stable[i]);
    QCOMPARE(model.neverLearned(i), first[i] < 0);
  }
  QVERIFY(model.index(3).data(Qt::ToolTipRole).toString().contains(QStringLiteral("forgotten 2")));
  QVERIFY(model.index(1)
              .data(Qt::ToolTipRole)
              .toString()
              .contains(QStringLiteral("history over 4 evaluations: never forgotten")));
  model.clearEvaluation();
  QVERIFY(!model.hasHistory());
}

void TestLearningHistoryModels::predictionModelIgnoresAHistoryOfOtherImages() {
  PredictionModel model;
  model.setDataset(dataset());
  auto other = std::make_shared<cs::LearningHistory>(std::vector<uint8_t>{0, 1});
  model.setEvaluation(evaluation(), other);
  QVERIFY(model.hasEvaluation());
  QVERIFY(!model.hasHistory());
  QCOMPARE(model.timesForgotten(0), 0);
}

void TestLearningHistoryModels::sortsByTheHistory_data() {
  QTest::addColumn<int>("order");
  QTest::addColumn<QList<int>>("rows");
  QTest::newRow("most forgotten") << int(PredictionOrder::MostForgotten)
                                  << QList<int>{3, 0, 1, 2, 4, 5};
  QTest::newRow("learned latest") << int(PredictionOrder::LearnedLatest)
                                  << QList<int>{2, 4, 1, 0, 3, 5};
  QTest::newRow("stable latest") << int(PredictionOrder::StableLatest)
                                 << QList<int>{2, 3, 4, 0, 1, 5};
}

void TestLearningHistoryModels::sortsByTheHistory() {
  QFETCH(int, order);
  QFETCH(QList<int>, rows);
  PredictionModel model;
  model.setDataset(dataset());
  PredictionFilterModel proxy;
  QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
  proxy.setPredictionModel(&model);
  proxy.setOrder(static_cast<PredictionOrder>(order));
  QCOMPARE(sourceRows(proxy), (QList<int>{0, 1, 2, 3, 4, 5}));  // no history: by index
  model.setEvaluation(evaluation(), history());
  QCOMPARE(sourceRows(proxy), rows);
}

void TestLearningHistoryModels::filtersByTheHistory() {
  PredictionModel model;
  model.setDataset(dataset());
  model.setEvaluation(evaluation(), history());
  PredictionFilterModel proxy;
  QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
  proxy.setPredictionModel(&model);
  proxy.setFilter(PredictionFilter::Forgotten);
  QCOMPARE(sourceRows(proxy), (QList<int>{0, 3}));
  proxy.setFilter(PredictionFilter::NeverLearned);
  QCOMPARE(sourceRows(proxy), (QList<int>{2, 4}));
  // After two passes only image 3 had been forgotten (right, then wrong).
  model.setEvaluation(evaluation(), history(2));
  proxy.setFilter(PredictionFilter::Forgotten);
  QCOMPARE(sourceRows(proxy), (QList<int>{3}));
}

void TestLearningHistoryModels::panelDropsAHistoryFilterWithTheHistory() {
  PredictionModel model;
  model.setDataset(dataset());
  model.setEvaluation(evaluation(), history());
  PredictionsPanel panel(&model);
  panel.showFilter(PredictionFilter::NeverLearned);
  QCOMPARE(panel.filterModel()->rowCount(), 2);
  model.setEvaluation(evaluation());  // e.g. a loaded evaluation without a history
  QCOMPARE(panel.filterModel()->filter(), PredictionFilter::All);
  QCOMPARE(panel.filterModel()->rowCount(), kCount);
}

void TestLearningHistoryModels::panelSumsUpTheProbe() {
  PredictionModel model;
  model.setDataset(dataset());
  PredictionsPanel panel(&model);
  LearningHistoryPanel* h = panel.historyPanel();
  QVERIFY(h->summaryText().contains(QStringLiteral("once the run has been evaluated")));
  model.setEvaluation(evaluation(), history());
  panel.setProbeRow(0);
  QCOMPARE(h->stripModel()->rowCount(), 4);
  QCOMPARE(h->summaryText(),
           QStringLiteral("#0 (0) over 4 evaluations: forgotten 1 time · "
                          "first learned at epoch 0.25 · right since epoch 1.00"));
  panel.setProbeRow(1);
  QVERIFY2(
      h->summaryText().startsWith(QStringLiteral("#1 (1) over 4 evaluations: never forgotten · ")),
      qPrintable(h->summaryText()));
  panel.setProbeRow(3);
  QVERIFY(h->summaryText().endsWith(QStringLiteral("wrong now")));
  panel.setProbeRow(4);
  QVERIFY(h->summaryText().endsWith(QStringLiteral("never learned")));
  model.setEvaluation(evaluation(), history(3));  // the next evaluation's copy reaches the strip
  QCOMPARE(h->stripModel()->rowCount(), 3);
}

// More passes than the strip has room for: it shows the newest, at its right end.
void TestLearningHistoryModels::theStripShowsTheLatestEvaluations() {
  PredictionModel model;
  model.setDataset(dataset());
  PredictionsPanel panel(&model);
  panel.resize(600, 400);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  auto many = std::make_shared<cs::LearningHistory>(dataset()->test.labels);
  for (int p = 0; p < 120; ++p) many->record({p, 10LL * (p + 1), p / 10, 0.1 * p}, kPasses[p % 4]);
  model.setEvaluation(evaluation(), many);
  panel.setProbeRow(0);
  QScrollBar* bar = panel.historyPanel()->strip()->horizontalScrollBar();
  QTRY_VERIFY(bar->maximum() > 0);
  QCOMPARE(bar->value(), bar->maximum());
}

void TestLearningHistoryModels::exportRoundTripsTheRecordedValues() {
  PredictionModel model;
  model.setDataset(dataset());
  LearningHistoryPanel panel(&model);
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("history.csv"));
  QString error;
  QVERIFY(!panel.exportCsv(path, &error));  // nothing recorded yet
  QVERIFY(!error.isEmpty());
  const HistoryPtr h = history();
  model.setEvaluation(evaluation(), h);
  QVERIFY2(panel.exportCsv(path, &error), qPrintable(error));
  QFile file(path);
  QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
  const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
  QCOMPARE(lines.size(), 1 + kCount * 4);
  QCOMPARE(lines[0], QStringLiteral("image,eval_index,step,top1,correct"));
  QSet<QPair<int, int>> seen;
  for (int k = 1; k < lines.size(); ++k) {
    const QStringList cells = lines[k].split(',');
    QCOMPARE(cells.size(), 5);
    const int image = cells[0].toInt(), pass = cells[1].toInt();
    seen.insert({image, pass});
    QCOMPARE(cells[2].toLongLong(), h->points()[pass].step);
    QCOMPARE(cells[3].toInt(), h->top1(image, pass));
    QCOMPARE(cells[4].toInt(), h->correct(image, pass) ? 1 : 0);
  }
  QCOMPARE(seen.size(), kCount * 4);  // every image at every pass, once
  // A failed write leaves the old file and says why.
  QVERIFY(!panel.exportCsv(dir.filePath(QStringLiteral("missing/history.csv")), &error));
  QVERIFY(!error.isEmpty());
}

QTEST_MAIN(TestLearningHistoryModels)
#include "test_learning_history_models.moc"
