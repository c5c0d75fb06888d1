// The Ensemble view's item models on a hand-built ensemble whose every number is known:
// QAbstractItemModelTester on each, the filter model's filters and sort orders, the per-network
// predictions, the confusion counts and the run list; and where a stored run's images are found.
#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>

#include "convscope/dataset.h"

#include "ensemble/misclassification_filter_model.h"
#include "ensemble/misclassification_model.h"
#include "ensemble/net_predictions_model.h"
#include "ensemble/runs_model.h"
#include "ensemble/top_prediction_delegate.h"
#include "ensemble/validation_images.h"
#include "ensemble_test_data.h"
#include "predictions/confusion_matrix_model.h"
#include "widgets/store_time.h"

using namespace ensemble_testing;
using Images = std::vector<int>;
using M = MisclassificationModel;

class TestEnsembleModels : public QObject {
  Q_OBJECT

 private:
  EnsembleRunPtr m_run = makeRun(handBuilt().eval, handBuilt().labels);

 private Q_SLOTS:
  void runStatistics() {
    QCOMPARE(m_run->nets(), 4);
    QCOMPARE(m_run->count(), 7);
    QCOMPARE(m_run->stats().ranking, (std::vector<int>{2, 4, 6, 1, 3, 0, 5}));
    QCOMPARE(m_run->votes(2, 2), 3);
    QCOMPARE(m_run->votes(2, 9), 1);
    QCOMPARE(m_run->votes(4, 3), 1);
    QCOMPARE(m_run->rank(6), 2);
    QCOMPARE(m_run->topLabel(2, 3, 0), 7);
    QCOMPARE(m_run->image(4).common_wrong_label, 8);
  }

  // The heading names the optimizer with its rate and weight decay, a schedule unless the rate
  // was constant, and a random shift unless there was none.
  void titleNamesWhatSetTheRunApart() {
    cs::StoredRun stored;
    stored.info.id = 12;
    stored.info.setup.group.spec = cs::NetworkSpec::parse("d16:relu-d10", {1, 28, 28}, 10);
    stored.info.setup.group.seeds.assign(3, 1);
    stored.eval = handBuilt().eval;
    stored.info.setup.val_labels = handBuilt().labels;
    const auto title = [&stored] { return EnsembleRun(stored, nullptr, QString(), false).title(); };
    QCOMPARE(title(), QStringLiteral("Run 12 · 3 × d16:relu-d10 · adam lr=0.001 · batch 64"));
    stored.info.setup.group.optimizer.weight_decay = 0.01f;
    stored.info.setup.group.optimizer.schedule = cs::LrSchedule::parse("warmup:1+cosine:5");
    QCOMPARE(title(),
             QStringLiteral("Run 12 · 3 × d16:relu-d10 · adam lr=0.001 weight_decay=0.01 · "
                            "warmup:1+cosine:5 · batch 64"));
    // A random shift, last, only when there is one.
    stored.info.setup.group.augment_shift = 2;
    QCOMPARE(title(),
             QStringLiteral("Run 12 · 3 × d16:relu-d10 · adam lr=0.001 weight_decay=0.01 · "
                            "warmup:1+cosine:5 · batch 64 · shift ±2 px"));
  }

  void misclassificationModelPassesTester() {
    M model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRun(m_run);
    QCOMPARE(model.rowCount(), 7);
    QCOMPARE(model.columnCount(), int(M::ColumnCount));
    QCOMPARE(model.index(2, M::WrongColumn).data().toString(), QStringLiteral("4 / 4"));
    QCOMPARE(model.index(2, M::CommonWrongColumn).data().toInt(), 2);
    QCOMPARE(model.index(2, M::CommonCountColumn).data().toInt(), 3);
    QCOMPARE(model.index(0, M::CommonWrongColumn).data().toString(), QStringLiteral("–"));
    QCOMPARE(model.index(4, M::VoteColumn).data().toInt(), 8);
    QCOMPARE(model.index(3, M::MeanTrueProbColumn).data(M::SortRole).toFloat(), 0.775f);
    // Counts in words: one network of four has image 3 wrong.
    QCOMPARE(model.index(3, M::WrongColumn).data(Qt::ToolTipRole).toString().section('\n', 0, 1),
             QStringLiteral("Image 3, a 1: 1 of 4 networks get it wrong\n"
                            "most often as 7 (1 network)"));
    QVERIFY(!model.index(0, M::ImageColumn).data(Qt::DecorationRole).isValid());  // no images
    model.setRun(makeRun(randomEval(3, {1, 2, 3, 4, 5}, 0.8, 1), {1, 2, 3, 4, 5}));
    QCOMPARE(model.rowCount(), 5);
    model.setRun(nullptr);
    QCOMPARE(model.rowCount(), 0);
  }

  void filterModelPassesTester() {
    M model;
    MisclassificationFilterModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRun(m_run);
    proxy.setMinimumWrong(2);
    proxy.setTrueLabel(3);
    proxy.sort(M::MeanTrueProbColumn, Qt::AscendingOrder);
    proxy.setLabels(-1, 8);
    proxy.setLabels(-1, -1);
    proxy.setMinimumWrong(0);
    model.setRun(nullptr);
    QCOMPARE(proxy.rowCount(), 0);
  }

  void defaultOrderIsTheRanking() {
    M model;
    MisclassificationFilterModel proxy;
    proxy.setSourceModel(&model);
    model.setRun(m_run);
    QCOMPARE(proxy.sortColumn(), int(M::WrongColumn));
    QCOMPARE(proxy.sortOrder(), Qt::DescendingOrder);
    const std::vector<int> ranking = m_run->stats().ranking;
    QCOMPARE(proxyOrder(proxy), ranking);
  }

  void sortOrder_data() {
    QTest::addColumn<int>("column");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<Images>("expected");
    // Ties always follow the default ranking (2 4 6 1 3 0 5), in either direction.
    QTest::newRow("wrong ascending")
        << int(M::WrongColumn) << Qt::AscendingOrder << Images{0, 5, 3, 6, 1, 4, 2};
    QTest::newRow("true label ascending")
        << int(M::TrueLabelColumn) << Qt::AscendingOrder << Images{6, 3, 4, 0, 1, 2, 5};
    QTest::newRow("true label descending")
        << int(M::TrueLabelColumn) << Qt::DescendingOrder << Images{5, 2, 1, 4, 0, 3, 6};
    QTest::newRow("mean p(true) ascending")
        << int(M::MeanTrueProbColumn) << Qt::AscendingOrder << Images{2, 4, 6, 1, 3, 0, 5};
    QTest::newRow("mean p(true) descending")
        << int(M::MeanTrueProbColumn) << Qt::DescendingOrder << Images{0, 5, 3, 1, 6, 4, 2};
    QTest::newRow("common wrong ascending")
        << int(M::CommonWrongColumn) << Qt::AscendingOrder << Images{2, 6, 1, 3, 4, 0, 5};
    QTest::newRow("index descending")
        << int(M::IndexColumn) << Qt::DescendingOrder << Images{6, 5, 4, 3, 2, 1, 0};
    QTest::newRow("image descending")
        << int(M::ImageColumn) << Qt::DescendingOrder << Images{6, 5, 4, 3, 2, 1, 0};
    QTest::newRow("vote ascending")
        << int(M::VoteColumn) << Qt::AscendingOrder << Images{6, 3, 2, 0, 1, 4, 5};
  }

  void sortOrder() {
    QFETCH(int, column);
    QFETCH(Qt::SortOrder, order);
    QFETCH(Images, expected);
    M model;
    MisclassificationFilterModel proxy;
    proxy.setSourceModel(&model);
    model.setRun(m_run);
    proxy.sort(column, order);
    QCOMPARE(proxyOrder(proxy), expected);
  }

  void sortIsNumeric() {
    // 120 images: a text sort would put 100 before 11 and 0.1 after 0.05.
    std::vector<uint8_t> labels(120);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = uint8_t(i % 10);
    M model;
    MisclassificationFilterModel proxy;
    proxy.setSourceModel(&model);
    model.setRun(makeRun(randomEval(12, labels, 0.7, 3), labels));
    proxy.sort(M::IndexColumn, Qt::AscendingOrder);
    for (int r = 0; r < proxy.rowCount(); ++r) QCOMPARE(proxy.imageAt(r), r);
    for (int column : {int(M::WrongColumn), int(M::MeanTrueProbColumn), int(M::DisagreementColumn),
                       int(M::CommonCountColumn)}) {
      proxy.sort(column, Qt::DescendingOrder);
      for (int r = 1; r < proxy.rowCount(); ++r)
        QVERIFY2(model.sortValue(proxy.imageAt(r - 1), column) >=
                     model.sortValue(proxy.imageAt(r), column),
                 qPrintable(QStringLiteral("column %1 row %2").arg(column).arg(r)));
    }
  }

  void filters_data() {
    QTest::addColumn<int>("trueLabel");
    QTest::addColumn<int>("wrongLabel");
    QTest::addColumn<int>("minimumWrong");
    QTest::addColumn<Images>("expected");
    QTest::newRow("none") << -1 << -1 << 0 << Images{2, 4, 6, 1, 3, 0, 5};
    QTest::newRow("wrong at least once") << -1 << -1 << 1 << Images{2, 4, 6, 1, 3};
    QTest::newRow("wrong at least 3 times") << -1 << -1 << 3 << Images{2, 4};
    QTest::newRow("all four wrong") << -1 << -1 << 4 << Images{2};
    QTest::newRow("true 3") << 3 << -1 << 0 << Images{4, 0};
    QTest::newRow("true 3, wrong once") << 3 << -1 << 1 << Images{4};
    QTest::newRow("taken for 2") << -1 << 2 << 0 << Images{2};
    QTest::newRow("taken for 8, not the 8s") << -1 << 8 << 0 << Images{4};
    QTest::newRow("taken for 5, not the 5s") << -1 << 5 << 0 << Images{4};
    QTest::newRow("taken for 7") << -1 << 7 << 0 << Images{3};
    QTest::newRow("5 taken for 6") << 5 << 6 << 0 << Images{1};
    QTest::newRow("7 taken for 6") << 7 << 6 << 0 << Images{};
    QTest::newRow("taken for 4, 3 times") << -1 << 4 << 3 << Images{};
  }

  void filters() {
    QFETCH(int, trueLabel);
    QFETCH(int, wrongLabel);
    QFETCH(int, minimumWrong);
    QFETCH(Images, expected);
    M model;
    MisclassificationFilterModel proxy;
    proxy.setSourceModel(&model);
    model.setRun(m_run);
    QSignalSpy changed(&proxy, &MisclassificationFilterModel::filtersChanged);
    proxy.setTrueLabel(trueLabel);
    proxy.setWrongLabel(wrongLabel);
    proxy.setMinimumWrong(minimumWrong);
    QCOMPARE(proxyOrder(proxy), expected);
    QCOMPARE(changed.count(), (trueLabel >= 0) + (wrongLabel >= 0) + (minimumWrong > 0));
  }

  void netPredictionsModel() {
    NetPredictionsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(NetPredictionsModel::SortRole);
    QAbstractItemModelTester proxyTester(&proxy,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    using N = NetPredictionsModel;
    model.setImage(m_run, 4);  // a 3: nets 0 and 3 say 8, net 1 says 5, net 2 is right
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.index(1, N::Top1Column).data(N::LabelRole).toInt(), 5);
    QCOMPARE(model.index(1, N::Top2Column).data(N::LabelRole).toInt(), 3);
    QCOMPARE(model.index(1, N::Top2Column).data(N::ProbabilityRole).toFloat(), 0.1f);
    QCOMPARE(model.index(2, N::Top1Column).data(N::LabelRole).toInt(), 3);
    QCOMPARE(model.index(0, N::TrueProbColumn).data(N::SortRole).toFloat(), 0.1f);
    QCOMPARE(model.index(0, N::Top3Column).data(N::TrueLabelRole).toInt(), 3);
    // A top-k cell's tool tip has its class and number whole, however narrow the cell.
    QCOMPARE(model.index(1, N::Top2Column).data(Qt::ToolTipRole).toString(),
             model.index(1, N::Top2Column).data().toString());
    QVERIFY(model.index(1, N::Top2Column).data(Qt::ToolTipRole).toString().endsWith("0.100"));
    QVERIFY(!model.index(1, N::AccuracyColumn).data(Qt::ToolTipRole).isValid());
    for (int net = 0; net < 4; ++net)  // wrong networks are tinted, the right one is not
      QCOMPARE(model.index(net, N::NetColumn).data(Qt::BackgroundRole).isValid(), net != 2);
    proxy.sort(N::TrueProbColumn, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, N::NetColumn).data().toInt(), 2);
    model.setImage(m_run, 99);  // out of range clears
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.image(), -1);
  }

  void topPredictionNumberFitsItsCell() {
    const QFontMetrics fm(QApplication::font());
    const int three = fm.horizontalAdvance(QStringLiteral("0.250")),
              two = fm.horizontalAdvance(QStringLiteral("0.25"));
    QCOMPARE(TopPredictionDelegate::probabilityText(0.25, fm, three), QStringLiteral("0.250"));
    QCOMPARE(TopPredictionDelegate::probabilityText(0.25, fm, three - 1), QStringLiteral("0.25"));
    const int bare = fm.horizontalAdvance(QStringLiteral(".25"));
    QCOMPARE(TopPredictionDelegate::probabilityText(0.25, fm, two - 1), QStringLiteral(".25"));
    QCOMPARE(TopPredictionDelegate::probabilityText(0.25, fm, bare - 1), QString());
    QCOMPARE(TopPredictionDelegate::probabilityText(1.0, fm, bare), QString());  // "1.00" only
  }

  // Fractions follow the locale, as the percentages do: in German 0,775 and 12,5.
  void numbersFollowTheLocale() {
    const QLocale before;
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    const auto restore = qScopeGuard([&] { QLocale::setDefault(before); });
    M model;
    model.setRun(m_run);
    QCOMPARE(model.index(3, M::MeanTrueProbColumn).data().toString(), QStringLiteral("0,775"));
    QVERIFY2(model.index(3, M::WrongColumn)
                 .data(Qt::ToolTipRole)
                 .toString()
                 .contains(QStringLiteral("true label 0,775;")),
             qPrintable(model.index(3, M::WrongColumn).data(Qt::ToolTipRole).toString()));
    NetPredictionsModel nets;
    nets.setImage(m_run, 4);
    QVERIFY(nets.index(1, NetPredictionsModel::Top2Column).data().toString().endsWith("0,100"));
    const QFontMetrics fm(QApplication::font());
    QCOMPARE(TopPredictionDelegate::probabilityText(0.25, fm, 1000), QStringLiteral("0,250"));
    QCOMPARE(ConfusionMatrixModel::percent(0.125), QStringLiteral("12,5"));
    QCOMPARE(ConfusionMatrixModel::percent(0.0001), QStringLiteral("<0,1"));
    QCOMPARE(ConfusionMatrixModel::compact(1234567), QStringLiteral("1,2M"));
  }

  void confusionModel() {
    ConfusionMatrixModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const std::vector<int64_t>& counts = m_run->stats().confusion;
    model.setCounts(m_run->classes(), {counts.begin(), counts.end()}, m_run->nets());
    QCOMPARE(model.rowCount(), 10);
    long long sum = 0;
    for (int t = 0; t < 10; ++t)
      for (int p = 0; p < 10; ++p)
        sum += model.index(t, p).data(ConfusionMatrixModel::CountRole).toLongLong();
    QCOMPARE(sum, 4LL * 7);
    QCOMPARE(model.count(7, 2), 3LL);
    QCOMPARE(model.count(3, 8), 2LL);
    QCOMPARE(model.count(3, 3), 5LL);  // image 0 four times, image 4 once
    QVERIFY(model.index(7, 2).data(Qt::BackgroundRole).isValid());
    QVERIFY(!model.index(7, 3).data(Qt::DisplayRole).isValid());  // empty cells stay blank
    QCOMPARE(ConfusionMatrixModel::compact(490000), QStringLiteral("490k"));
    QCOMPARE(ConfusionMatrixModel::compact(56789), QStringLiteral("57k"));
    QCOMPARE(ConfusionMatrixModel::compact(1234), QStringLiteral("1234"));
    // Never five characters: a rounding up to 1000 of a unit is the next unit.
    QCOMPARE(ConfusionMatrixModel::compact(999499), QStringLiteral("999k"));
    QCOMPARE(ConfusionMatrixModel::compact(999500), QStringLiteral("1.0M"));
    QCOMPARE(ConfusionMatrixModel::compact(9949999), QStringLiteral("9.9M"));
    QCOMPARE(ConfusionMatrixModel::compact(9950000), QStringLiteral("10M"));
    QCOMPARE(ConfusionMatrixModel::compact(123456789), QStringLiteral("123M"));
    QCOMPARE(ConfusionMatrixModel::compact(999500000), QStringLiteral("1.0G"));
    model.setCounts(0, {});
    QCOMPARE(model.rowCount(), 0);
  }

  void runsModel() {
    RunsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    cs::RunSummary a;
    a.id = 12;
    a.created = "2024-05-01T12:34:56.789Z";
    a.status = cs::RunStatus::Finished;
    a.spec = "c5x8r-m2-d10";
    a.nets = 50;
    a.epochs_done = 3;
    a.epochs = 5;
    a.mean_accuracy = 0.98512;
    cs::RunSummary b = a;
    b.id = 11;
    b.status = cs::RunStatus::Cancelled;
    b.epochs_done = 0;
    model.setRuns({a, b});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.rowOf(11), 1);
    QCOMPARE(model.rowOf(99), -1);
    QCOMPARE(model.runAt(0), 12);
    QCOMPARE(model.index(0, RunsModel::EpochsColumn).data().toString(), QStringLiteral("3/5"));
    QCOMPARE(model.index(0, RunsModel::AccuracyColumn).data().toString(), QStringLiteral("98.51%"));
    QCOMPARE(model.index(1, RunsModel::AccuracyColumn).data().toString(), QStringLiteral("–"));
    QCOMPARE(model.index(1, RunsModel::StatusColumn).data().toString(),
             QStringLiteral("cancelled"));
    QCOMPARE(model.index(0, RunsModel::NetsColumn).data().toInt(), 50);
    // Another year's run shows its date; this year's its day and time (the tool tip has both).
    QVERIFY(model.index(0, RunsModel::CreatedColumn).data().toString().startsWith("2024-05-0"));
    QCOMPARE(model.index(0, RunsModel::CreatedColumn).data().toString().size(), 10);
    QVERIFY(model.index(0, RunsModel::CreatedColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(store_time::full(QString::fromStdString(a.created))));
    const QDateTime noon(QDate(2026, 3, 7), QTime(12, 5));
    const QString iso = noon.toUTC().toString(Qt::ISODateWithMs);
    QCOMPARE(store_time::brief(iso, QDate(2026, 12, 2)), QLocale().toString(noon, "d MMM HH:mm"));
    QCOMPARE(store_time::brief(iso, QDate(2027, 1, 1)), QStringLiteral("2026-03-07"));
    QCOMPARE(store_time::brief(QStringLiteral("yesterday")), QStringLiteral("yesterday"));
    model.setRuns({});
    QCOMPARE(model.rowCount(), 0);
  }

  // The worker's reports show at once and stay until the store has caught up.
  void runsModelFollowsTheWorker() {
    RunsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    cs::RunSummary r;
    r.id = 3;
    r.status = cs::RunStatus::Running;
    r.nets = 1;
    r.epochs = 1;
    model.setRuns({r});
    const QModelIndex status = model.index(0, RunsModel::StatusColumn);
    const QModelIndex epochs = model.index(0, RunsModel::EpochsColumn);
    QCOMPARE(epochs.data().toString(), QStringLiteral("0/1"));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.noteEpoch(3, 1, 0.9771);
    QCOMPARE(changed.size(), 1);  // in place: the selection stays
    QCOMPARE(epochs.data().toString(), QStringLiteral("1/1"));
    QCOMPARE(model.index(0, RunsModel::AccuracyColumn).data().toString(), QStringLiteral("97.71%"));
    model.noteEnded(3, cs::RunStatus::Finished);
    QCOMPARE(status.data().toString(), QStringLiteral("finished"));
    model.setRuns({r});  // a store read from before the end: the notes still show
    QCOMPARE(model.index(0, RunsModel::StatusColumn).data().toString(), QStringLiteral("finished"));
    QCOMPARE(model.index(0, RunsModel::EpochsColumn).data().toString(), QStringLiteral("1/1"));
    cs::RunSummary stored = r;  // the store has it: the note is done
    stored.status = cs::RunStatus::Finished;
    stored.epochs_done = 1;
    stored.mean_accuracy = 0.9771;
    model.setRuns({stored});
    model.setRuns({r});  // (a store going back is not expected; it shows what it reads)
    QCOMPARE(model.index(0, RunsModel::StatusColumn).data().toString(), QStringLiteral("running"));
    model.noteEpoch(99, 1, 0.5);  // a run not listed changes nothing
    QCOMPARE(model.rowCount(), 1);
  }

  // A stored run's validation-set name leads to its folder as the app, the command line and sweeps
  // name one: "mnist", "fashion-mnist" (runs the app stored before it named that folder by its
  // path), a folder's path; another spelling of those names is a path like any other.
  void aStoredNameLeadsToItsFolder() {
    QTemporaryDir dir;
    const QString mnist = QString::fromStdString(cs::default_mnist_dir());
    const QString upper = dir.filePath(QStringLiteral("MNIST"));
    QVERIFY(QDir().mkpath(upper));
    QCOMPARE(ValidationImages::folderFor("mnist/test"), mnist);
    QCOMPARE(ValidationImages::folderFor("fashion-mnist/test"),
             QString::fromStdString(cs::fashion_mnist_dir()));
    QCOMPARE(ValidationImages::folderFor(upper.toStdString() + "/test"), upper);
    QCOMPARE(ValidationImages::folderFor(upper.toStdString() + "/./test"), upper);
    QCOMPARE(ValidationImages::folderFor(dir.filePath(QStringLiteral("gone/test")).toStdString()),
             QString());
    QVERIFY(!QFileInfo(QStringLiteral("MNIST")).exists());  // none here: "MNIST" is no folder
    QCOMPARE(ValidationImages::folderFor("MNIST/test"), QString());
  }

  // A folder whose test set is missing when a run is opened is looked in again at the next open:
  // the files put there since are found (a failure is not remembered, a loaded set is).
  void validationImagesAreLookedForAgain() {
    const QString mnist = QString::fromStdString(cs::default_mnist_dir());
    const QStringList files{QStringLiteral("t10k-images-idx3-ubyte"),
                            QStringLiteral("t10k-labels-idx1-ubyte")};
    if (!QFileInfo::exists(QDir(mnist).filePath(files[0])))
      QSKIP("MNIST is not fetched (scripts/fetch-mnist.sh)");
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("digits"));
    QVERIFY(QDir().mkpath(folder));
    const cs::Dataset test = cs::load_idx_folder(mnist.toStdString(), "mnist").test;
    cs::RunSetup setup;
    setup.val_name = folder.toStdString() + "/test";
    setup.val_sha256 = test.sha256;
    setup.val_labels = test.labels;
    setup.group.spec = cs::NetworkSpec::parse("d10", test.shape, 10);
    ValidationImages images;
    ValidationImages::Match match = images.find(setup);
    QVERIFY(!match.images);
    QVERIFY2(match.note.startsWith(QStringLiteral("No validation images: ")) &&
                 match.note.contains(QStringLiteral("t10k-images-idx3-ubyte")),
             qPrintable(match.note));
    for (const QString& file : files)
      QVERIFY(QFile::copy(QDir(mnist).filePath(file), QDir(folder).filePath(file)));
    match = images.find(setup);
    QVERIFY2(match.images, qPrintable(match.note));
    QVERIFY(!match.warning);
    QCOMPARE(match.images->count, test.count);
  }
};

QTEST_MAIN(TestEnsembleModels)
#include "test_ensemble_models.moc"
