// The Sweep view's models and charts on a hand-built sweep whose numbers are known: the loaded
// distributions and vote accuracies, QAbstractItemModelTester on every model, the table's sort
// (numbers as numbers, configurations without networks last), the box plots in the table's
// order, accuracy against a parameter, and the comparison's confidence interval in words.
#include <sqlite3.h>
#include <QAbstractItemModelTester>
#include <QBarCategoryAxis>
#include <QBoxPlotSeries>
#include <QBoxSet>
#include <QComboBox>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include "convscope/sweep_stats.h"
#include "sweep/comparison_panel.h"
#include "sweep/parameter_chart.h"
#include "sweep/sweep_box_chart.h"
#include "sweep/sweep_config_model.h"
#include "sweep/sweep_data.h"
#include "sweep/sweep_list_model.h"
#include "sweep_test_data.h"

using sweep_testing::StoredSweep;

namespace {

SweepDataPtr loadStored(const StoredSweep& s) {
  cs::Store store(s.path.toStdString());
  return SweepData::load(store, s.sweep);
}

// The configuration indices of the proxy's rows, in order.
QList<int> proxyConfigs(const QSortFilterProxyModel& proxy) {
  QList<int> out;
  for (int row = 0; row < proxy.rowCount(); ++row)
    out << proxy.data(proxy.index(row, 0), SweepConfigModel::ConfigRole).toInt();
  return out;
}

}  // namespace

class TestSweepModels : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void loadsDistributionsAndVotes();
  void aKnownRunIsReadAgainOnlyWithANewEpoch();
  void listModel();
  void configModelColumns();
  void configModelSaysWhatTrains();
  void configModelSaysWhichDoNotLearn();
  void sortsNumbersAsNumbers_data();
  void sortsNumbersAsNumbers();
  void boxPlotsFollowTheSort();
  void accuracyAgainstParameter();
  void comparisonText();
  void comparisonPicksTheBestTwo();
};

void TestSweepModels::loadsDistributionsAndVotes() {
  const StoredSweep s;
  const SweepDataPtr d = loadStored(s);
  QCOMPARE(d->id(), s.sweep);
  QCOMPARE(d->nets(), 4);
  QCOMPARE(d->epochs(), 1);
  QCOMPARE(d->configs().size(), size_t(4));
  QCOMPARE(d->parameters(), QStringList({"batch_size", "optimizer"}));
  QCOMPARE(d->swept(), QStringList({"batch_size", "optimizer"}));
  QCOMPARE(d->values("batch_size"), QStringList({"64", "128"}));  // numeric order
  QCOMPARE(d->finishedCount(), 3);

  const SweepConfigResult& c0 = d->configs()[0];
  QCOMPARE(c0.param("batch_size"), QStringLiteral("128"));
  QCOMPARE(c0.param("optimizer"), QStringLiteral("adam"));
  QCOMPARE(c0.run, s.runs[0]);
  QCOMPARE(c0.result.distribution.n, 4);
  QCOMPARE_LT(std::abs(c0.result.distribution.mean - 0.85), 1e-6);
  QCOMPARE_LT(std::abs(c0.result.distribution.median - 0.85), 1e-6);
  QCOMPARE_LT(std::abs(c0.result.distribution.std - 0.0577350), 1e-6);  // sqrt(0.01 / 3)
  // Image 8: two nets right (0.9) and two wrong (0.3 for the truth): the vote is right; image 9:
  // all four wrong.
  QCOMPARE_LT(std::abs(c0.result.voteAccuracy - 0.9), 1e-9);
  QCOMPARE(c0.statusText(), QStringLiteral("finished"));

  const SweepConfigResult& c1 = d->configs()[1];
  QCOMPARE_LT(std::abs(c1.result.distribution.mean - 0.975), 1e-6);
  QCOMPARE_LT(std::abs(c1.result.distribution.median - 1.0), 1e-6);
  QCOMPARE_LT(std::abs(c1.result.voteAccuracy - 1.0), 1e-9);

  const SweepConfigResult& c3 = d->configs()[3];
  QCOMPARE(c3.run, -1);
  QCOMPARE(c3.result.distribution.n, 0);
  QCOMPARE(c3.result.voteAccuracy, -1.0);
  QVERIFY(!c3.finished);
  QCOMPARE(c3.statusText(), QStringLiteral("unfinished (not begun)"));

  // A stopped configuration says where it stopped.
  SweepConfigResult stopped = c1;
  stopped.finished = false;
  stopped.status = cs::RunStatus::Cancelled;
  stopped.epochs = 3;
  stopped.result.epochsDone = 1;
  QCOMPARE(stopped.statusText(), QStringLiteral("unfinished (cancelled after 1 of 3 epochs)"));
  stopped.status = cs::RunStatus::Interrupted;
  stopped.stoppedAt = 4096;
  stopped.result.warning = QStringLiteral("not learning");
  QCOMPARE(
      stopped.statusText(),
      QStringLiteral("unfinished (interrupted 4,096 images into epoch 2 of 3) · not learning"));
}

// Loading the sweep again reads a run's predictions again only when it recorded another epoch:
// damaged since the first load, they are not looked at; with an epoch more, they are read.
void TestSweepModels::aKnownRunIsReadAgainOnlyWithANewEpoch() {
  const StoredSweep s;
  cs::Store store(s.path.toStdString());
  SweepRunResults known;
  const SweepDataPtr first = SweepData::load(store, s.sweep, &known);
  QCOMPARE(known.size(), size_t(3));  // #3 has no run
  const auto sql = [&](const QString& statement) {
    sqlite3* db = nullptr;
    const bool opened = sqlite3_open(qPrintable(s.path), &db) == SQLITE_OK;
    const bool ran =
        opened && sqlite3_exec(db, qPrintable(statement), nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ran;
  };
  QVERIFY(sql(QStringLiteral("UPDATE predictions SET true_probs = x'00' WHERE run_id = %1")
                  .arg(s.runs[0])));
  QVERIFY_THROWS_EXCEPTION(cs::StoreError, SweepData::load(store, s.sweep));
  const SweepDataPtr again = SweepData::load(store, s.sweep, &known);
  for (size_t c = 0; c < 3; ++c) {
    QCOMPARE(again->configs()[c].result.accuracy, first->configs()[c].result.accuracy);
    QCOMPARE(again->configs()[c].result.voteAccuracy, first->configs()[c].result.voteAccuracy);
  }
  QVERIFY(sql(QStringLiteral("UPDATE runs SET epochs_done = 2 WHERE id = %1").arg(s.runs[0])));
  QVERIFY_THROWS_EXCEPTION(cs::StoreError, SweepData::load(store, s.sweep, &known));
}

void TestSweepModels::listModel() {
  const StoredSweep s;
  SweepListModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  cs::Store store(s.path.toStdString());
  model.setSweeps(SweepListModel::read(store));
  QCOMPARE(model.rowCount(), 1);
  QCOMPARE(model.sweepAt(0), s.sweep);
  QCOMPARE(model.rowOf(s.sweep), 0);
  QCOMPARE(model.rowOf(s.sweep + 1), -1);
  QCOMPARE(model.data(model.index(0, SweepListModel::FinishedColumn)).toString(),
           QStringLiteral("3/4"));
  QCOMPARE(model.data(model.index(0, SweepListModel::NetsColumn)).toInt(), 4);
  // Created just now: the day and time, as the ensembles' list has it (the tool tip has the year).
  const QDateTime now = QDateTime::currentDateTime();
  const QString created = model.data(model.index(0, SweepListModel::CreatedColumn)).toString();
  QVERIFY2(created.startsWith(QLocale().toString(now, QStringLiteral("d MMM "))),
           qPrintable(created));
  QVERIFY(model.data(model.index(0, SweepListModel::IdColumn), Qt::ToolTipRole)
              .toString()
              .contains(now.toString(QStringLiteral("yyyy-MM-dd "))));
  model.setSweeps({});
  QCOMPARE(model.rowCount(), 0);
}

void TestSweepModels::configModelColumns() {
  const StoredSweep s;
  SweepConfigModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  model.setSweep(loadStored(s));
  QCOMPARE(model.rowCount(), 4);
  QCOMPARE(model.columnCount(), 1 + 2 + SweepConfigModel::StatCount);
  QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), QStringLiteral("batch_size"));
  const auto cell = [&](int row, SweepConfigModel::Stat stat) {
    return model.data(model.index(row, model.statColumn(stat))).toString();
  };
  QCOMPARE(cell(0, SweepConfigModel::NetsStat), QStringLiteral("4"));
  QCOMPARE(cell(0, SweepConfigModel::MedianStat), QStringLiteral("85.00%"));
  QCOMPARE(cell(1, SweepConfigModel::MeanStat), QStringLiteral("97.50%"));
  QCOMPARE(cell(1, SweepConfigModel::StdStat), QStringLiteral("5.00"));
  QCOMPARE(cell(0, SweepConfigModel::VoteStat), QStringLiteral("90.00%"));
  QCOMPARE(cell(3, SweepConfigModel::MeanStat), QStringLiteral("–"));
  QCOMPARE(cell(3, SweepConfigModel::StatusStat), QStringLiteral("unfinished (not begun)"));
  QCOMPARE(model.data(model.index(2, 0), SweepConfigModel::ConfigRole).toInt(), 2);
  model.setSweep(nullptr);
  QCOMPARE(model.rowCount(), 0);
}

void TestSweepModels::configModelSaysWhatTrains() {
  const StoredSweep s;  // #0-#2 finished, #3 not begun
  SweepConfigModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  model.setSweep(loadStored(s));
  const int column = model.statColumn(SweepConfigModel::StatusStat);
  const auto status = [&](int row) { return model.index(row, column).data().toString(); };
  const auto red = [&](int row) {
    return model.index(row, column).data(Qt::ForegroundRole).isValid();
  };
  QVERIFY(red(3));
  QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
  model.setTraining(s.sweep, 3, 0.42);
  QCOMPARE(changed.size(), 1);
  // Every cell: each one's tool tip says the status too.
  QCOMPARE(changed[0][0].value<QModelIndex>(), model.index(0, 0));
  QCOMPARE(changed[0][1].value<QModelIndex>(), model.index(3, model.columnCount() - 1));
  QCOMPARE(status(3), QStringLiteral("training, 42%"));
  QVERIFY(!red(3));
  QVERIFY(model.index(3, 0).data(Qt::ToolTipRole).toString().endsWith("training, 42%"));
  QCOMPARE(status(0), QStringLiteral("finished"));
  // A configuration after the one in training waits its turn.
  model.setTraining(s.sweep, 2, 0.1);
  QCOMPARE(status(3), QStringLiteral("waiting"));
  QVERIFY(!red(3));
  QCOMPARE(status(2), QStringLiteral("finished"));
  // Another sweep training, or none: the stored state.
  model.setTraining(s.sweep + 1, 0, 0.5);
  QCOMPARE(status(3), QStringLiteral("unfinished (not begun)"));
  QVERIFY(red(3));
  model.setTraining(s.sweep, 3, 0.5);
  model.setTraining(-1, -1, 0);
  QCOMPARE(status(3), QStringLiteral("unfinished (not begun)"));
  QVERIFY(red(3));
}

void TestSweepModels::configModelSaysWhichDoNotLearn() {
  const StoredSweep s("batch_size=128,64; optimizer=adam,rmsprop", 1);
  SweepConfigModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  model.setSweep(loadStored(s));
  const QModelIndex one = model.index(1, model.statColumn(SweepConfigModel::StatusStat));
  QCOMPARE(one.data().toString(), QStringLiteral("finished · not learning"));
  QVERIFY(one.data(Qt::ForegroundRole).isValid());  // red
  QVERIFY(one.data(Qt::ToolTipRole)
              .toString()
              .endsWith(QStringLiteral("\nall 4 networks are not learning after 938 steps")));
  const QModelIndex zero = model.index(0, model.statColumn(SweepConfigModel::StatusStat));
  QCOMPARE(zero.data().toString(), QStringLiteral("finished"));
  QVERIFY(!zero.data(Qt::ForegroundRole).isValid());
}

void TestSweepModels::sortsNumbersAsNumbers_data() {
  QTest::addColumn<int>("column");  // -1: batch_size; otherwise a Stat
  QTest::addColumn<int>("order");
  QTest::addColumn<QList<int>>("configs");
  // "64" < "128" as numbers (as text it would be the other way round); ties keep their order.
  QTest::newRow("batch_size ascending") << -1 << int(Qt::AscendingOrder) << QList<int>{2, 3, 0, 1};
  QTest::newRow("mean descending")
      << int(SweepConfigModel::MeanStat) << int(Qt::DescendingOrder) << QList<int>{1, 0, 2, 3};
  QTest::newRow("mean ascending: no networks first")
      << int(SweepConfigModel::MeanStat) << int(Qt::AscendingOrder) << QList<int>{3, 0, 2, 1};
  QTest::newRow("vote descending")
      << int(SweepConfigModel::VoteStat) << int(Qt::DescendingOrder) << QList<int>{1, 0, 2, 3};
}

void TestSweepModels::sortsNumbersAsNumbers() {
  QFETCH(int, column);
  QFETCH(int, order);
  QFETCH(QList<int>, configs);
  const StoredSweep s;
  SweepConfigModel model;
  QSortFilterProxyModel proxy;
  proxy.setSourceModel(&model);
  proxy.setSortRole(SweepConfigModel::SortRole);
  QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
  model.setSweep(loadStored(s));
  const int c = column < 0 ? 1 : model.statColumn(static_cast<SweepConfigModel::Stat>(column));
  proxy.sort(c, static_cast<Qt::SortOrder>(order));
  QCOMPARE(proxyConfigs(proxy), configs);
}

void TestSweepModels::boxPlotsFollowTheSort() {
  const StoredSweep s;
  const SweepDataPtr d = loadStored(s);
  SweepBoxChart chart;
  chart.setConfigs({&d->configs()[1], &d->configs()[3], &d->configs()[0]});
  QBoxPlotSeries* series = chart.series();
  QVERIFY(series);
  QCOMPARE(series->count(), 2);  // #3 has no networks
  QCOMPARE(series->boxSets()[0]->label(), QStringLiteral("#1"));
  QCOMPARE(series->boxSets()[1]->label(), QStringLiteral("#0"));
  const QBoxSet* box = series->boxSets()[1];  // 80, 80, 90, 90
  QCOMPARE_LT(std::abs(box->at(QBoxSet::LowerExtreme) - 80), 1e-4);
  QCOMPARE_LT(std::abs(box->at(QBoxSet::LowerQuartile) - 80), 1e-4);
  QCOMPARE_LT(std::abs(box->at(QBoxSet::Median) - 85), 1e-4);
  QCOMPARE_LT(std::abs(box->at(QBoxSet::UpperQuartile) - 90), 1e-4);
  QCOMPARE_LT(std::abs(box->at(QBoxSet::UpperExtreme) - 90), 1e-4);
  chart.setConfigs({&d->configs()[3]});
  QVERIFY(!chart.series());
}

void TestSweepModels::accuracyAgainstParameter() {
  const StoredSweep s;
  ParameterChart chart;
  chart.setSweep(loadStored(s));
  QCOMPARE(chart.parameterBox()->count(), 2);
  const auto near = [](double a, double b) { return std::abs(a - b) < 1e-4; };
  chart.setParameter(QStringLiteral("optimizer"));
  // One group per batch size, in the sweep's order: 128 (#0 adam, #1 rmsprop), then 64 (#2
  // adam); #3 has no networks. Each group's means are its own.
  QCOMPARE(chart.points().size(), 2);
  QCOMPARE(chart.points()[0]->name(), QStringLiteral("batch_size=128"));
  QCOMPARE(chart.points()[1]->name(), QStringLiteral("batch_size=64"));
  QCOMPARE(chart.points()[0]->count(), 8);
  QCOMPARE(chart.points()[1]->count(), 4);
  QCOMPARE(chart.means()[0]->count(), 2);
  QVERIFY(near(chart.means()[0]->at(0).y(), 85.0) && near(chart.means()[0]->at(1).y(), 97.5));
  QCOMPARE(chart.means()[1]->count(), 1);
  QVERIFY(near(chart.means()[1]->at(0).y(), 85.0));
  QVERIFY(chart.means()[1]->pointsVisible());  // one mean: a point, not a line
  // Side by side within adam's slot (x 0), each in a colour the legend names it by.
  QCOMPARE_LT(chart.points()[0]->at(0).x(), 0.0);
  QCOMPARE_GT(chart.points()[1]->at(0).x(), 0.0);
  QCOMPARE(chart.means()[1]->at(0).x(), chart.points()[1]->at(0).x());
  QVERIFY(chart.points()[0]->color() != chart.points()[1]->color());
  QCOMPARE(chart.means()[0]->pen().color(), chart.points()[0]->color().darker(115));
  // The title says what the points and lines are, where the chart has the height for it.
  chart.resize(800, 500);
  chart.show();
  QVERIFY(QTest::qWaitForWindowExposed(&chart));
  QVERIFY2(chart.chart()->title().startsWith(QStringLiteral("Final accuracy against optimizer: a "
                                                            "point per network")),
           qPrintable(chart.chart()->title()));
  chart.setParameter(QStringLiteral("batch_size"));
  // adam: 64 (#2, 85%) and 128 (#0, 85%); rmsprop: 128 (#1, 97.5%).
  QCOMPARE(chart.points().size(), 2);
  QCOMPARE(chart.points()[0]->name(), QStringLiteral("optimizer=adam"));
  QCOMPARE(chart.means()[0]->count(), 2);
  QVERIFY(near(chart.means()[0]->at(0).y(), 85.0) && near(chart.means()[0]->at(1).y(), 85.0));
  QCOMPARE(chart.means()[1]->count(), 1);
  QVERIFY(near(chart.means()[1]->at(0).y(), 97.5));
  chart.setSweep(loadStored(s));  // a reload keeps the parameter
  QCOMPARE(chart.parameter(), QStringLiteral("batch_size"));
  // #1 continued for a second epoch and cancelled: its networks' points are not final ones.
  {
    cs::Store store(s.path.toStdString());
    store.continue_run(s.runs[1], 2);
    store.cancel_run(s.runs[1]);
  }
  chart.setSweep(loadStored(s));
  QCOMPARE(chart.points()[1]->count(), 4);  // still plotted, at its latest epoch
  QVERIFY2(chart.chart()->title().startsWith(
               QStringLiteral("Latest accuracy against batch_size (1 configuration unfinished): "
                              "a point per network")),
           qPrintable(chart.chart()->title()));
  // Two architectures alike in their first 30 characters are two groups, each named shortened.
  const StoredSweep archs(
      "arch=c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10,c5x8:relu-m2-c5x16:relu-m2-d64:relu-d10; "
      "lr=0.001,0.002");
  chart.setSweep(loadStored(archs));
  chart.setParameter(QStringLiteral("lr"));
  QCOMPARE(chart.points().size(), 2);
  QCOMPARE(chart.points()[0]->name(), QStringLiteral("arch=c5x8:relu-m2-c5x16:relu…"));
  QCOMPARE(chart.points()[0]->count(), 8);  // #0 and #1
  QCOMPARE(chart.points()[1]->count(), 4);  // #2 (#3 has no networks)
}

void TestSweepModels::comparisonText() {
  const StoredSweep s;
  const SweepDataPtr d = loadStored(s);
  ComparisonPanel panel;
  panel.setSweep(d);
  panel.compare(1, 0);
  const cs::MeanDifference diff = cs::bootstrap_mean_difference(
      d->configs()[1].result.accuracy, d->configs()[0].result.accuracy, ComparisonPanel::kResamples,
      ComparisonPanel::kSeed);
  QVERIFY(diff.low > 0);
  QVERIFY2(panel.text().contains(QStringLiteral("+12.50 points")), qPrintable(panel.text()));
  QVERIFY2(panel.text().contains(QStringLiteral("[+%1, +%2]")
                                     .arg(100 * diff.low, 0, 'f', 2)
                                     .arg(100 * diff.high, 0, 'f', 2)),
           qPrintable(panel.text()));
  QVERIFY2(panel.text().contains(QStringLiteral("#1 is better than #0 beyond seed noise")),
           qPrintable(panel.text()));
  // 4 networks each: the text warns that the percentile interval is too narrow.
  QVERIFY(panel.text().contains(QStringLiteral("fewer than 10 networks")));
  panel.compare(0, 1);  // the other way round: the same verdict
  QVERIFY2(panel.text().contains(QStringLiteral("−12.50 points")) ||
               panel.text().contains(QStringLiteral("-12.50 points")),
           qPrintable(panel.text()));
  QVERIFY(panel.text().contains(QStringLiteral("#1 is better than #0 beyond seed noise")));
  panel.compare(0, 2);  // the same accuracies
  QVERIFY2(panel.text().contains(QStringLiteral("within seed noise")), qPrintable(panel.text()));
  QVERIFY(!panel.text().contains(QStringLiteral("better")));
  panel.compare(0, 3);
  QCOMPARE(panel.text(), QStringLiteral("#3 has no finished epoch yet: nothing to compare."));
  // One of them cancelled after 1 of its 3 epochs: not compared with one that trained all 3.
  SweepConfigResult done = d->configs()[1], cut = d->configs()[0];
  done.result.epochsDone = done.epochs = cut.epochs = 3;
  cut.result.epochsDone = 1;
  QCOMPARE(ComparisonPanel::compareText(done, cut),
           QStringLiteral("#1 has 3 epochs and #0 1 recorded: they compare once both have trained "
                          "as long (Resume trains the unfinished)."));
  cut.result.epochsDone = 3;
  QVERIFY(ComparisonPanel::compareText(done, cut).contains(QStringLiteral("beyond seed noise")));
  // Picked in the combo boxes, as a user does.
  panel.secondBox()->setCurrentIndex(panel.secondBox()->findData(1));
  QCOMPARE(panel.second(), 1);
  QVERIFY(panel.text().contains(QStringLiteral("#1 is better than #0")));
}

void TestSweepModels::comparisonPicksTheBestTwo() {
  const StoredSweep s;
  ComparisonPanel panel;
  panel.setSweep(loadStored(s));
  QCOMPARE(panel.first(), 1);   // 97.5%
  QCOMPARE(panel.second(), 0);  // 85%, before #2 (the same) and #3 (none)
  panel.setSweep(nullptr);
  QCOMPARE(panel.text(), QStringLiteral("Pick two configurations."));
}

QTEST_MAIN(TestSweepModels)
#include "test_sweep_models.moc"
