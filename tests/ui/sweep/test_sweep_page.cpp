// The Sweep view as a user drives it: the stored sweeps and their configurations, a configuration
// opened in the Ensemble view of the main window, the New sweep dialog, and real sweeps started
// from the page (a tiny network on a small dataset, on the CPU): one that finishes and appears in
// the list, and one cancelled that stays unfinished and resumes to the end.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>
#include <QTimer>
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
#include "window/task_indicator.h"

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

// How a page's sweeps ended: finished (sweep, cancelled) or failed (sweep, message).
class SweepEnds {
 public:
  explicit SweepEnds(SweepPage* page)
      : m_finished(page, &SweepPage::sweepFinished), m_failed(page, &SweepPage::sweepFailed) {}
  // Waits until `count` sweeps have finished or one failed: "" for the first, else the failure's
  // message, or "timed out".
  QString wait(int count, int ms) {
    const bool ended =
        QTest::qWaitFor([&] { return m_finished.size() >= count || !m_failed.isEmpty(); }, ms);
    if (!m_failed.isEmpty()) return m_failed[0][1].toString();
    return ended ? QString() : QStringLiteral("timed out");
  }
  qint64 sweep(int i) const { return m_finished[i][0].toLongLong(); }
  bool cancelled(int i) const { return m_finished[i][1].toBool(); }

 private:
  QSignalSpy m_finished, m_failed;
};

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
  void newSweepTrainsOnThePagesDataset();
  void sweepFromThePageFinishes();
  void oneNetworkPerConfigurationHasNoSpread();
  void aSweepOfAnotherStoreLeavesThisOneAlone();
  void aRunningSweepShowsInTheStatusBar();
  void quittingWhileASweepTrainsIsAskedAndStopsIt();
  void cancelledSweepStaysUnfinishedAndResumes();

 private:
  QTemporaryDir m_dir;
};

void TestSweepPage::initTestCase() {
  QVERIFY(m_dir.isValid());
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
}

// New sweep… trains on the data the window gave the page, and names it as the command line does:
// by its folder's path ("mnist" for the default MNIST), not by its training set's name.
void TestSweepPage::newSweepTrainsOnThePagesDataset() {
  const QString path = m_dir.filePath(QStringLiteral("dataset.db"));
  SweepPage page;
  page.setStorePath(path);
  const SweepRequest tiny = sweep_testing::tinyRequest(path, 1, 1, 1);
  const QString folder = m_dir.filePath(QStringLiteral("letters"));
  page.setDataset(tiny.data, folder + QStringLiteral("/"));
  SweepEnds ends(&page);
  page.showNewSweepDialog();
  auto* dialog = page.findChild<SweepDialog*>();
  QVERIFY(dialog);
  bool shown = false;  // the Data row names the folder
  for (const QLabel* label : dialog->findChildren<QLabel*>())
    shown = shown || label->text() ==
                         QStringLiteral("letters from %1").arg(QDir::toNativeSeparators(folder));
  QVERIFY(shown);
  dialog->setGrid(
      QStringLiteral("arch=c3x4:relu-m2-d16:relu-d%1; lr=0.001").arg(tiny.data->train.classes));
  dialog->setNets(1);
  dialog->setEpochs(1);
  dialog->startButton()->click();
  QCOMPARE(ends.wait(1, 120000), QString());
  cs::Store store(path.toStdString(), cs::StoreAccess::ReadOnly);
  const cs::SweepRecord sweep = store.load_sweep(ends.sweep(0));
  QCOMPARE(cs::SweepPlan::from_definition(sweep.definition).settings.data, folder.toStdString());
  // The default MNIST folder, or no folder: MNIST.
  const QString mnist =
      QStringLiteral("MNIST from %1")
          .arg(QDir::toNativeSeparators(QString::fromStdString(cs::default_mnist_dir())));
  for (const QString& mnistFolder : {QString::fromStdString(cs::default_mnist_dir()), QString()}) {
    page.setDataset(mnistFolder.isEmpty() ? nullptr : tiny.data, mnistFolder);
    page.showNewSweepDialog();
    auto* shownDialog = page.findChildren<SweepDialog*>().back();
    bool mnistShown = false;
    for (const QLabel* label : shownDialog->findChildren<QLabel*>())
      mnistShown = mnistShown || label->text() == mnist;
    QVERIFY(mnistShown);
    shownDialog->reject();
  }
}

void TestSweepPage::sweepFromThePageFinishes() {
  const QString path = m_dir.filePath(QStringLiteral("finishes.db"));
  SweepPage page;
  page.setStorePath(path);
  QCOMPARE(page.listModel()->rowCount(), 0);
  SweepEnds ends(&page);
  page.startSweep(sweep_testing::tinyRequest(path, 2, 2, 1));
  QVERIFY(page.isRunning());
  QVERIFY(page.listPanel()->isRunning());
  QVERIFY(!page.listPanel()->newButton()->isEnabled());
  QCOMPARE(ends.wait(1, 120000), QString());
  QVERIFY(!ends.cancelled(0));
  QVERIFY(!page.isRunning());
  QVERIFY(!page.listPanel()->isRunning());
  QCOMPARE(page.listModel()->rowCount(), 1);
  QCOMPARE(page.listModel()->sweeps()[0].finished, 2);
  QVERIFY(page.currentSweep());
  QCOMPARE(page.currentSweep()->id(), ends.sweep(0));
  for (const SweepConfigResult& c : page.currentSweep()->configs()) {
    QVERIFY(c.finished);
    QCOMPARE(c.result.distribution.n, 2);
    QVERIFY(c.result.voteAccuracy >= 0);
  }
  QVERIFY(!page.listPanel()->resumeButton()->isEnabled());
  QCOMPARE(page.listPanel()->progressBar()->value(), 1000);
}

// One network per configuration: no seed-to-seed spread can be seen, so the table shows none and
// the comparison gives the difference without an interval or a verdict.
void TestSweepPage::oneNetworkPerConfigurationHasNoSpread() {
  const QString path = m_dir.filePath(QStringLiteral("one.db"));
  SweepPage page;
  page.setStorePath(path);
  SweepEnds ends(&page);
  page.startSweep(sweep_testing::tinyRequest(path, 2, 1, 1));
  QCOMPARE(ends.wait(1, 120000), QString());
  SweepConfigModel* model = page.configModel();
  QCOMPARE(model->rowCount(), 2);
  for (int row = 0; row < 2; ++row) {
    QCOMPARE(model->index(row, model->statColumn(SweepConfigModel::NetsStat)).data().toInt(), 1);
    QCOMPARE(model->index(row, model->statColumn(SweepConfigModel::StdStat)).data().toString(),
             QStringLiteral("–"));
  }
  const QString text = page.comparison()->text();
  QVERIFY2(text.contains(QStringLiteral("has one network: without a second seed the seed noise "
                                        "cannot be measured, so the difference has no interval")),
           qPrintable(text));
  QVERIFY2(!text.contains(QStringLiteral("better")) && !text.contains(QStringLiteral("interval [")),
           qPrintable(text));
}

// A sweep trained into another store than the page shows (whose first sweep has the same id as
// this store's) opens nothing here, and this sweep's configurations are not said to train.
void TestSweepPage::aSweepOfAnotherStoreLeavesThisOneAlone() {
  const QString here = m_dir.filePath(QStringLiteral("here.db")),
                there = m_dir.filePath(QStringLiteral("there.db"));
  SweepPage page;
  page.setStorePath(here);
  SweepEnds ends(&page);
  page.startSweep(sweep_testing::tinyRequest(here, 2, 2, 1));
  QCOMPARE(ends.wait(1, 120000), QString());
  page.setStorePath(here);
  QSignalSpy opened(&page, &SweepPage::sweepOpened);
  bool saidTraining = false;
  connect(page.configModel(), &QAbstractItemModel::dataChanged, &page,
          [&] { saidTraining = saidTraining || page.configModel()->trainingConfig() >= 0; });
  page.startSweep(sweep_testing::tinyRequest(there, 3, 2, 1));
  QCOMPARE(ends.wait(2, 120000), QString());
  QCOMPARE(opened.size(), 0);
  QVERIFY(!saidTraining);
  QCOMPARE(page.listModel()->rowCount(), 1);
  QCOMPARE(int(page.currentSweep()->configs().size()), 2);
}

// The status bar's left part is the live run's ("Idle"); a sweep training meanwhile shows after it,
// and a click on it shows the Sweep view.
void TestSweepPage::aRunningSweepShowsInTheStatusBar() {
  const QString path = m_dir.filePath(QStringLiteral("status.db"));
  MainWindow window(testing_data::smallDataset(64, 32), {});
  window.sweep()->setStorePath(path);
  window.resize(1366, 768);
  window.showView(MainWindow::LiveView);
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  TaskIndicator* task = window.sweepTask();
  QVERIFY(!task->isVisible());
  QVERIFY(!window.ensembleTask()->isVisible());
  SweepEnds ends(window.sweep());
  window.sweep()->startSweep(sweep_testing::tinyRequest(path, 2, 2, 1));
  QVERIFY(task->isVisible());
  QVERIFY2(task->text().startsWith(QStringLiteral("Sweep ")), qPrintable(task->text()));
  QVERIFY(!window.ensembleTask()->isVisible());
  QTest::mouseClick(task->button(), Qt::LeftButton);
  QCOMPARE(window.currentView(), MainWindow::SweepView);
  QCOMPARE(ends.wait(1, 120000), QString());
  QVERIFY(!task->isVisible());
}

// Quitting stops a sweep training in the app: asked first (Cancel the default); what it trained is
// kept and it resumes.
void TestSweepPage::quittingWhileASweepTrainsIsAskedAndStopsIt() {
  const QString path = m_dir.filePath(QStringLiteral("quit.db"));
  QStringList asked;
  // Answers the question the window asks with the button of `role`.
  const auto answer = [&](QMessageBox::ButtonRole role) {
    QTimer::singleShot(0, this, [&asked, role] {
      auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
      if (!box) return;
      asked << box->text();
      QCOMPARE(box->buttonRole(box->defaultButton()), QMessageBox::RejectRole);
      for (QAbstractButton* b : box->buttons())
        if (box->buttonRole(b) == role) return b->click();
    });
  };
  {
    MainWindow window(testing_data::smallDataset(64, 32), {});
    window.sweep()->setStorePath(path);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    answer(QMessageBox::RejectRole);
    window.close();  // nothing trains: nothing asked
    QVERIFY(asked.isEmpty());
    QVERIFY(!window.isVisible());
    window.show();
    window.sweep()->startSweep(sweep_testing::tinyRequest(path, 2, 2, 200, 3000));
    QTRY_VERIFY_WITH_TIMEOUT(window.sweepTask()->text() != QStringLiteral("Sweep 0%"), 60000);
    answer(QMessageBox::RejectRole);
    window.close();
    QCOMPARE(asked.size(), 1);
    QVERIFY2(asked[0].startsWith(QStringLiteral("Quitting stops what is training:\nSweep ")),
             qPrintable(asked[0]));
    QVERIFY(window.isVisible());
    QVERIFY(window.sweep()->isRunning());
    answer(QMessageBox::DestructiveRole);
    window.close();
    QCOMPARE(asked.size(), 2);
    QVERIFY(!window.isVisible());
  }  // the window's end stops the sweep
  cs::Store store(path.toStdString(), cs::StoreAccess::ReadOnly);
  const std::vector<int64_t> sweeps = store.list_sweeps();
  QCOMPARE(sweeps.size(), size_t(1));
  const cs::SweepRecord sweep = store.load_sweep(sweeps[0]);
  QVERIFY(sweep.resumable());
  QVERIFY(sweep.configs[0].run > 0);  // begun, and kept
}

void TestSweepPage::cancelledSweepStaysUnfinishedAndResumes() {
  const QString path = m_dir.filePath(QStringLiteral("cancelled.db"));
  SweepPage page;
  page.setStorePath(path);
  SweepEnds ends(&page);
  SweepRequest request = sweep_testing::tinyRequest(path, 3, 2, 2, 3000);
  page.setDataset(request.data, QString::fromStdString(request.plan.settings.data));
  // Cancel as soon as the sweep is recorded (the page then opens it), as a user clicks Cancel:
  // the first configuration cannot have finished its two epochs over 3,000 images.
  connect(
      &page, &SweepPage::sweepOpened, &page, [&page] { page.listPanel()->cancelButton()->click(); },
      Qt::SingleShotConnection);
  page.startSweep(request);
  QCOMPARE(ends.wait(1, 60000), QString());
  QVERIFY(ends.cancelled(0));
  const qint64 sweep = ends.sweep(0);
  QCOMPARE(page.listModel()->rowCount(), 1);
  QCOMPARE_LT(page.listModel()->sweeps()[0].finished, 3);
  QVERIFY(page.currentSweep());
  const SweepConfigResult& first = page.currentSweep()->configs()[0];
  QVERIFY(!first.finished);
  // Where it stopped: inside an epoch (the cancel saved its place there), just after its first,
  // or, had the cancel come before its first step, nowhere.
  QVERIFY2(
      QRegularExpression(QStringLiteral("^unfinished \\((cancelled [0-9,]+ images into epoch "
                                        "[12] of 2|cancelled after 1 of 2 epochs|not begun)\\)$"))
          .match(first.statusText())
          .hasMatch(),
      qPrintable(first.statusText()));
  const int column = page.configModel()->statColumn(SweepConfigModel::StatusStat);
  QVERIFY(page.configModel()
              ->data(page.configModel()->index(0, column))
              .toString()
              .startsWith(QStringLiteral("unfinished")));
  QVERIFY(page.listPanel()->resumeButton()->isEnabled());

  // Resume trains the unfinished configurations into the same sweep.
  QTest::mouseClick(page.listPanel()->resumeButton(), Qt::LeftButton);
  QVERIFY(page.isRunning());
  QCOMPARE(ends.wait(2, 180000), QString());
  QCOMPARE(ends.sweep(1), sweep);
  QVERIFY(!ends.cancelled(1));
  QCOMPARE(page.listModel()->rowCount(), 1);
  QCOMPARE(page.listModel()->sweeps()[0].finished, 3);
  QVERIFY(!page.listPanel()->resumeButton()->isEnabled());
}

QTEST_MAIN(TestSweepPage)
#include "test_sweep_page.moc"
