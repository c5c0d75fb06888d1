// The Ensemble view's per-epoch learning: a hand-made 3-epoch run stored with known top-1 labels,
// its "Forgotten" column (QAbstractItemModelTester, sorting through the filter model) and the
// detail panel's networks-right-per-epoch strip, and a run without a per-epoch history.
#include <QAbstractItemModelTester>
#include <QTest>

#include "ensemble/ensemble_page.h"
#include "ensemble/epoch_learning_strip.h"
#include "ensemble/image_detail_panel.h"
#include "ensemble/misclassification_filter_model.h"
#include "ensemble/misclassification_model.h"
#include "ensemble/misclassification_panel.h"
#include "ensemble_test_data.h"
#include "widgets/palette.h"

using namespace ensemble_testing;
using Counts = std::vector<int>;
using M = MisclassificationModel;

namespace {

const std::vector<uint8_t> kLabels = {1, 2, 3, 4};
// kTop1[epoch - 1][net][image]. Forgetting events: net 0 forgets images 0 (epoch 2) and 2
// (epoch 3), net 1 images 0 and 1 (epoch 2), net 2 none: 2 1 1 0 across the networks.
const std::vector<std::vector<std::vector<int>>> kTop1 = {
    {{1, 0, 3, 0}, {1, 2, 0, 0}, {1, 2, 3, 0}},
    {{0, 2, 3, 0}, {0, 0, 0, 0}, {1, 2, 3, 4}},
    {{1, 2, 0, 0}, {1, 2, 0, 0}, {1, 2, 3, 4}},
};
// Networks right at epochs 1, 2, 3, per image.
const std::vector<Counts> kRight = {{3, 1, 3}, {2, 2, 3}, {2, 2, 1}, {0, 1, 1}};
const Counts kForgotten = {2, 1, 1, 0};

// The first `epochs` epochs (all three by default) as a finished run in a fresh store.
struct StoredHistory {
  QTemporaryDir dir;
  QString path = dir.filePath(QStringLiteral("runs.db"));
  qint64 run = 0;
  explicit StoredHistory(int epochs = 3) {
    cs::Store store(path.toStdString());
    const cs::Dataset val = validationSet(kLabels, "sha-of-history");
    cs::TrainConfig cfg;
    cfg.group.seeds = {1, 2, 3};
    cs::Dataset train = val.head(1);
    train.name = "synthetic/train";
    run = store.begin_run(cs::RunSetup::from(cfg, train, val, {"cpu", "test"}, "test"));
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      const cs::EvalResult eval = buildEval(kLabels, kTop1[epoch - 1], {0.2f, 0.3f, 0.1f, 0.4f});
      cs::EpochMetrics m;
      m.epoch = epoch;
      m.net_val_loss = eval.loss;
      m.net_val_accuracy = eval.accuracy;
      store.record_epoch(run, m, eval);
    }
    store.finish_run(run);
  }
};

}  // namespace

class TestEnsembleHistory : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { Q_INIT_RESOURCE(convscope); }

  void storedRunHasItsHistory() {
    const StoredHistory s;
    EnsemblePage page;
    page.setStorePath(s.path);
    QVERIFY(page.openRun(s.run));
    const EnsembleRunPtr& run = page.currentRun();
    QVERIFY(run->hasHistory());
    QCOMPARE(run->historyEpochs(), 3);
    for (int i = 0; i < 4; ++i) {
      QCOMPARE(run->forgotten(i), kForgotten[i]);
      for (int e = 1; e <= 3; ++e) QCOMPARE(run->rightAtEpoch(i, e), kRight[i][e - 1]);
      // The latest epoch's count agrees with the latest predictions.
      QCOMPARE(run->rightAtEpoch(i, 3), run->nets() - run->image(i).wrong);
    }
  }

  void forgottenColumnPassesTesterAndSorts() {
    const StoredHistory s;
    EnsemblePage page;
    page.setStorePath(s.path);
    QVERIFY(page.openRun(s.run));
    M model;
    MisclassificationFilterModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRun(page.currentRun());
    QCOMPARE(model.columnCount(), int(M::ColumnCount));
    QCOMPARE(model.headerData(M::ForgottenColumn, Qt::Horizontal).toString(),
             QStringLiteral("Forgotten"));
    for (int i = 0; i < 4; ++i) {
      QCOMPARE(model.index(i, M::ForgottenColumn).data().toInt(), kForgotten[i]);
      QCOMPARE(model.index(i, M::ForgottenColumn).data(M::SortRole).toInt(), kForgotten[i]);
    }
    QVERIFY(model.index(0, M::ForgottenColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("forgotten 2 times across the networks over 3 epochs")));
    // Ties (images 1 and 2) follow the default ranking: image 2, wrong in 2 networks, first.
    proxy.sort(M::ForgottenColumn, Qt::DescendingOrder);
    QCOMPARE(proxyOrder(proxy), (std::vector<int>{0, 2, 1, 3}));
    proxy.sort(M::ForgottenColumn, Qt::AscendingOrder);
    QCOMPARE(proxyOrder(proxy), (std::vector<int>{3, 2, 1, 0}));
    // Through the page's own table, as a header click would.
    page.filterModel()->sort(M::ForgottenColumn, Qt::DescendingOrder);
    QCOMPARE(proxyOrder(*page.filterModel()), (std::vector<int>{0, 2, 1, 3}));
    // The CSV export carries the column too, as its last field.
    const QString csv = s.dir.filePath(QStringLiteral("table.csv"));
    QVERIFY(page.writeCsv(csv));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 4);
    QVERIFY(lines[0].endsWith(QStringLiteral(",forgotten")));
    for (const QString& line : lines.mid(1))
      QCOMPARE(line.section(',', -1).toInt(), kForgotten[line.section(',', 0, 0).toInt()]);
  }

  void detailPanelShowsNetsRightPerEpoch_data() {
    QTest::addColumn<int>("image");
    for (int i = 0; i < 4; ++i) QTest::addRow("image %d", i) << i;
  }

  void detailPanelShowsNetsRightPerEpoch() {
    QFETCH(int, image);
    const StoredHistory s;
    EnsemblePage page;
    page.setStorePath(s.path);
    QVERIFY(page.openRun(s.run));
    QVERIFY(page.table()->selectImage(image));
    const ImageDetailPanel* detail = page.detail();
    QCOMPARE(detail->image(), image);
    QCOMPARE(detail->epochStrip()->counts(), kRight[image]);
    QCOMPARE(detail->epochStrip()->nets(), 3);
    QStringList counts;
    for (int n : kRight[image]) counts << QString::number(n);
    const QString forgotten[] = {QStringLiteral("never forgotten"),
                                 QStringLiteral("forgotten 1 time"),
                                 QStringLiteral("forgotten 2 times")};
    QCOMPARE(detail->epochText(), QStringLiteral("Networks right at epochs 1–3 (of 3): ") +
                                      counts.join(QLatin1Char(' ')) + QStringLiteral(" · ") +
                                      forgotten[kForgotten[image]]);
    QVERIFY(detail->epochStrip()->toolTip().contains(
        QStringLiteral("epoch 2: %1 of 3 right").arg(kRight[image][1])));
  }

  void oneEpochHasNothingForgotten() {
    const StoredHistory s(1);
    EnsemblePage page;
    page.setStorePath(s.path);
    QVERIFY(page.openRun(s.run));
    for (int image = 0; image < 4; ++image) {
      QVERIFY(page.table()->selectImage(image));
      QCOMPARE(page.detail()->epochText(),
               QStringLiteral("Networks right at epoch 1: %1 of 3").arg(kRight[image][0]));
      QCOMPARE(page.detail()->epochStrip()->counts(), Counts{kRight[image][0]});
    }
  }

  void stripPaintsTheRightShareOfEachEpoch() {
    EpochLearningStrip strip;
    strip.resize(90, 30);
    strip.setCounts({0, 1, 3}, 3);  // epoch 1: none right, 2: a third, 3: all
    const QImage image = strip.grab().toImage();
    const auto at = [&](int epoch, int y) { return QColor(image.pixel(epoch * 30 + 15, y)); };
    QCOMPARE(at(0, 29), palette::kWrongTint);
    QCOMPARE(at(1, 29), palette::kRight);
    QCOMPARE(at(1, 15), palette::kWrongTint);
    QCOMPARE(at(2, 0), palette::kRight);
    strip.setCounts({}, 3);
    QCOMPARE(strip.nets(), 0);
    QVERIFY(strip.toolTip().isEmpty());
  }

  void runWithoutHistorySaysSo() {
    const HandBuilt h = handBuilt();
    const EnsembleRunPtr run = makeRun(h.eval, h.labels);  // no per-epoch top-1 labels
    QVERIFY(!run->hasHistory());
    QCOMPARE(run->forgotten(0), -1);
    M model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRun(run);
    QCOMPARE(model.index(2, M::ForgottenColumn).data().toString(), QStringLiteral("–"));
    QCOMPARE(model.index(2, M::ForgottenColumn).data(M::SortRole).toInt(), -1);
    QVERIFY(model.csvRow(2).last().isEmpty());  // unknown, not zero
    QVERIFY(model.index(2, M::ForgottenColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("recorded before the store kept every epoch")));
    ImageDetailPanel panel;
    panel.setImage(run, 2);
    QVERIFY(panel.epochStrip()->counts().empty());
    QVERIFY(panel.epochText().startsWith(QStringLiteral("No per-epoch history")));
    panel.setImage(nullptr, -1);
    QVERIFY(panel.epochText().isEmpty());
  }

  void historyOfOtherNetworksIsRefused() {
    const HandBuilt h = handBuilt();  // 4 networks, 7 images
    cs::StoredRun stored;
    stored.info.setup.val_labels = h.labels;
    stored.info.setup.group.seeds.assign(4, 1);
    stored.eval = h.eval;
    cs::EpochTop1& history = stored.history;
    history.nets = 3;
    history.epochs = 1;
    history.count = 7;
    history.top1.assign(3 * 7, 0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, EnsembleRun(stored, nullptr, QString(), false));
    history.nets = 4;
    history.count = 6;
    history.top1.assign(4 * 6, 0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, EnsembleRun(stored, nullptr, QString(), false));
  }
};

QTEST_MAIN(TestEnsembleHistory)
#include "test_ensemble_history.moc"
