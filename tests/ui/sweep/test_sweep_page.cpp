// The Sweep view as a user drives it: the stored sweeps and their configurations, a configuration
// opened in the Ensemble view of the main window, and the New sweep dialog's grid. Real sweeps
// started from the page: test_sweep_training.cpp.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>
#include <memory>

#include "convscope/store.h"
#include "ensemble/ensemble_page.h"
#include "ensemble/ensemble_run.h"
#include "sweep/comparison_panel.h"
#include "sweep/sweep_config_model.h"
#include "sweep/sweep_dialog.h"
#include "sweep/sweep_list_model.h"
#include "sweep/sweep_list_panel.h"
#include "sweep/sweep_page.h"
#include "sweep_test_data.h"
#include "test_data.h"
#include "window/main_window.h"

using sweep_testing::StoredSweep;

namespace {

// The proxy row of configuration `config`.
int rowOf(const SweepPage& page, int config) {
  const QSortFilterProxyModel* proxy = page.configProxy();
  for (int row = 0; row < proxy->rowCount(); ++row)
    if (proxy->data(proxy->index(row, 0), SweepConfigModel::ConfigRole).toInt() == config)
      return row;
  return -1;
}

}  // namespace

class TestSweepPage : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void listsStoredSweeps();
  void aSweepTrainedElsewhereIsShownSoAndNotResumed();
  void deletingASweepKeepsOrDeletesItsRuns();
  void selectingTwoRowsCompares();
  void openingAConfigurationShowsItsEnsemble();
  void dialogParsesTheGrid();
};

void TestSweepPage::initTestCase() {
  testing_data::resetSettings();
}

void TestSweepPage::listsStoredSweeps() {
  const StoredSweep s;
  SweepPage page;
  QAbstractItemModelTester listTester(page.listModel(),
                                      QAbstractItemModelTester::FailureReportingMode::QtTest);
  QAbstractItemModelTester proxyTester(page.configProxy(),
                                       QAbstractItemModelTester::FailureReportingMode::QtTest);
  page.setStorePath(s.path);
  QCOMPARE(page.listModel()->rowCount(), 1);
  QVERIFY(page.listPanel()->resumeButton()->isEnabled() == false);  // nothing selected yet
  page.resize(1366, 700);
  page.show();
  QVERIFY(QTest::qWaitForWindowExposed(&page));
  QVERIFY(page.currentSweep());  // the first show opens the newest sweep
  QCOMPARE(page.currentSweep()->id(), s.sweep);
  QCOMPARE(page.listPanel()->selectedSweep(), s.sweep);
  QVERIFY(page.listPanel()->resumeButton()->isEnabled());  // #3 is unfinished
  QCOMPARE(page.configProxy()->rowCount(), 4);
  // A click on the Mean header sorts; the box plots follow the table's order.
  const int mean = page.configModel()->statColumn(SweepConfigModel::MeanStat);
  page.configTable()->sortByColumn(mean, Qt::DescendingOrder);
  QCOMPARE(page.configProxy()->data(page.configProxy()->index(0, 0)).toString(),
           QStringLiteral("#1"));
}

// Another process training the sweep (another Store holding it): the header and the list say so
// and Resume is off; Refresh reads both again once it has stopped.
void TestSweepPage::aSweepTrainedElsewhereIsShownSoAndNotResumed() {
  const StoredSweep s;
  auto other = std::make_unique<cs::Store>(s.path.toStdString());
  QVERIFY(other->hold_sweep(s.sweep));
  SweepPage page;
  page.setStorePath(s.path);
  page.resize(1366, 700);
  page.show();
  QVERIFY(QTest::qWaitForWindowExposed(&page));
  QCOMPARE(page.currentSweep()->id(), s.sweep);
  QVERIFY2(page.title().endsWith(QStringLiteral(" · being trained now")), qPrintable(page.title()));
  QVERIFY(page.listModel()
              ->data(page.listModel()->index(0, 0), Qt::ToolTipRole)
              .toString()
              .endsWith(QStringLiteral("; being trained now")));
  QVERIFY(!page.listPanel()->resumeButton()->isEnabled());  // #3 is unfinished, but trained there
  const int status = page.configModel()->statColumn(SweepConfigModel::StatusStat);
  const QModelIndex third = page.configModel()->index(3, status);
  QCOMPARE(third.data().toString(), QStringLiteral("pending in the process training the sweep"));
  QVERIFY(!third.data(Qt::ForegroundRole).isValid());  // not red: nothing is wrong with it

  other.reset();  // that process ends
  page.refresh();
  QVERIFY2(!page.title().contains(QStringLiteral("being trained")), qPrintable(page.title()));
  QVERIFY(!page.listModel()
               ->data(page.listModel()->index(0, 0), Qt::ToolTipRole)
               .toString()
               .contains(QStringLiteral("being trained")));
  QVERIFY(page.listPanel()->resumeButton()->isEnabled());
  QVERIFY(page.configModel()->index(3, status).data().toString().startsWith(
      QStringLiteral("unfinished")));
}

// Delete sweep… asks first, with its runs deleted too unless the box is cleared; a sweep being
// trained cannot be deleted.
void TestSweepPage::deletingASweepKeepsOrDeletesItsRuns() {
  for (const bool withRuns : {false, true}) {
    const StoredSweep s;
    SweepPage page;
    page.setStorePath(s.path);
    page.resize(1366, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QAction* remove = page.listPanel()->deleteAction();
    QVERIFY(page.listPanel()->table()->actions().contains(remove));  // its context menu
    QCOMPARE(remove->shortcut(), QKeySequence(QKeySequence::Delete));
    QCOMPARE(remove->text(), QStringLiteral("Delete sweep %1…").arg(s.sweep));
    QVERIFY(remove->isEnabled());
    {
      cs::Store other(s.path.toStdString());  // another process trains it
      QVERIFY(other.hold_sweep(s.sweep));
      page.refresh();
      QVERIFY(!remove->isEnabled());
    }
    page.refresh();
    QVERIFY(remove->isEnabled());

    QSignalSpy deleted(&page, &SweepPage::sweepDeleted);
    remove->trigger();
    QMessageBox* box = page.listPanel()->findChild<QMessageBox*>();
    QVERIFY(box);
    QVERIFY2(box->text().startsWith(
                 QStringLiteral("Sweep %1 (4 configurations × 4 networks, 3 finished) is removed")
                     .arg(s.sweep)),
             qPrintable(box->text()));
    QVERIFY(box->checkBox());
    QCOMPARE(box->checkBox()->text(),
             QStringLiteral("Also delete its 3 runs, with their weights, predictions and learning "
                            "history"));
    QVERIFY(box->checkBox()->isChecked());
    box->checkBox()->setChecked(withRuns);
    for (QAbstractButton* b : box->buttons())
      if (box->buttonRole(b) == QMessageBox::DestructiveRole) b->click();
    QCOMPARE(deleted.size(), 1);
    QVERIFY(!page.currentSweep());
    QCOMPARE(page.listModel()->rowCount(), 0);
    cs::Store store(s.path.toStdString(), cs::StoreAccess::ReadOnly);
    QVERIFY(store.list_sweeps().empty());
    QCOMPARE(store.list_runs().size(), withRuns ? size_t(0) : size_t(3));
  }
}

void TestSweepPage::selectingTwoRowsCompares() {
  const StoredSweep s;
  SweepPage page;
  page.setStorePath(s.path);
  QVERIFY(page.openSweep(s.sweep));
  QTableView* table = page.configTable();
  table->selectRow(rowOf(page, 0));
  QCOMPARE(page.selectedConfig(), 0);
  QVERIFY(page.openButton()->isEnabled());
  table->selectionModel()->select(page.configProxy()->index(rowOf(page, 2), 0),
                                  QItemSelectionModel::Select | QItemSelectionModel::Rows);
  QCOMPARE(page.comparison()->first(), 0);
  QCOMPARE(page.comparison()->second(), 2);
  QVERIFY(page.comparison()->text().contains(QStringLiteral("within seed noise")));
  // A configuration that never began has no run to open.
  table->selectRow(rowOf(page, 3));
  QVERIFY(!page.openButton()->isEnabled());
}

void TestSweepPage::openingAConfigurationShowsItsEnsemble() {
  const StoredSweep s;
  MainWindow window(testing_data::smallDataset(64, 32), {});
  window.ensemble()->setStorePath(s.path);
  window.sweep()->setStorePath(s.path);
  window.resize(1366, 768);
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
  QCOMPARE(window.currentView(), MainWindow::SweepView);
  SweepPage* page = window.sweep();
  QVERIFY(page->openSweep(s.sweep));
  page->selectConfig(1);
  QCOMPARE(page->selectedConfig(), 1);
  QTest::mouseClick(page->openButton(), Qt::LeftButton);
  QCOMPARE(window.currentView(), MainWindow::EnsembleView);
  QVERIFY(window.ensemble()->currentRun());
  QCOMPARE(window.ensemble()->currentRun()->info().id, s.runs[1]);
  // Double-clicking a row does the same.
  window.showView(MainWindow::SweepView);
  const QModelIndex cell = page->configProxy()->index(rowOf(*page, 2), 0);
  QTableView* table = page->configTable();
  const QPoint at = table->visualRect(cell).center();
  QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, at);
  QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, at);
  QCOMPARE(window.currentView(), MainWindow::EnsembleView);
  QCOMPARE(window.ensemble()->currentRun()->info().id, s.runs[2]);
}

void TestSweepPage::dialogParsesTheGrid() {
  SweepDialog dialog(QStringLiteral("mnist"));
  dialog.setGrid(QStringLiteral("lr=0.001,0.002; optimizer=adam,rmsprop,sgd"));
  dialog.setNets(5);
  QVERIFY(dialog.startButton()->isEnabled());
  QVERIFY2(dialog.summaryLabel()->text().startsWith(
               QStringLiteral("6 configurations × 5 networks = 30 networks, ")),
           qPrintable(dialog.summaryLabel()->text()));
  const cs::SweepPlan plan = dialog.plan();
  QCOMPARE(plan.configs.size(), size_t(6));
  QCOMPARE(plan.settings.nets, 5);
  QCOMPARE(plan.configs[0].key(), std::string("lr=0.001;optimizer=adam"));
  dialog.setGrid(QStringLiteral("lr=0.001; colour=red"));
  QVERIFY(!dialog.startButton()->isEnabled());
  QVERIFY2(dialog.summaryLabel()->text().contains(QStringLiteral("colour")),
           qPrintable(dialog.summaryLabel()->text()));
  QVERIFY_THROWS_EXCEPTION(cs::SweepError, dialog.plan());
  // A grid that parses but cannot train is refused here, not by the worker later: its values
  // (without data) ...
  const auto refused = [&](const QString& grid, const QString& why) {
    dialog.setGrid(grid);
    QVERIFY2(!dialog.startButton()->isEnabled(), qPrintable(grid));
    QVERIFY2(dialog.summaryLabel()->text().contains(why),
             qPrintable(grid + QStringLiteral(": ") + dialog.summaryLabel()->text()));
  };
  refused(QStringLiteral("lr=abc"), QStringLiteral("lr 'abc' is not a number"));
  refused(QStringLiteral("optimizer=foo"), QStringLiteral("foo"));
  refused(QStringLiteral("batch_size=0"), QStringLiteral("batch_size"));
  refused(QStringLiteral("momentum=0.5"), QStringLiteral("adam does not use momentum"));
  refused(QStringLiteral("arch=garbage; optimizer=adm"), QStringLiteral("adm"));
  refused(QStringLiteral("arch=garbage; lr=abc"),
          QStringLiteral("configuration 'arch=garbage;lr=abc': lr 'abc' is not a number"));
  dialog.setGrid(QStringLiteral("arch=c30x4-d10"));  // the network waits for the data
  QVERIFY(dialog.startButton()->isEnabled());
  // ... and its networks on the data, once loaded.
  dialog.setData(sweep_testing::tinyRequest(QString(), 1, 1, 1).data);
  QVERIFY(!dialog.startButton()->isEnabled());
  QVERIFY2(dialog.summaryLabel()->text().contains(QStringLiteral("does not fit")),
           qPrintable(dialog.summaryLabel()->text()));
  refused(QStringLiteral("arch=garbage"), QStringLiteral("garbage"));
  dialog.setGrid(QStringLiteral("lr=0.001,0.002"));
  QVERIFY(dialog.startButton()->isEnabled());
}

QTEST_MAIN(TestSweepPage)
#include "test_sweep_page.moc"
