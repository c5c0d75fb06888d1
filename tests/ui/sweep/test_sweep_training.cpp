// Real sweeps started from the Sweep page (a tiny network on a small dataset, on the CPU): New
// sweep… trains on the page's dataset and names it; one that finishes and appears in the list,
// one of a network per configuration (no spread), one trained into another store, one shown in
// the main window's status bar, one stopped by quitting (asked first), and one cancelled that
// stays unfinished and resumes to the end.
#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <vector>

#include "convscope/store.h"
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

namespace {

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

class TestSweepTraining : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
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

void TestSweepTraining::initTestCase() {
  QVERIFY(m_dir.isValid());
  testing_data::resetSettings();
}

// New sweep… trains on the data the window gave the page, and names it as the command line does:
// by its folder's path ("mnist" for the default MNIST), not by its training set's name.
void TestSweepTraining::newSweepTrainsOnThePagesDataset() {
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
    // The sweep started last is the next dialog's start (also when it failed).
    QCOMPARE(
        shownDialog->grid(),
        QStringLiteral("arch=c3x4:relu-m2-d16:relu-d%1; lr=0.001").arg(tiny.data->train.classes));
    QCOMPARE(shownDialog->nets(), 1);
    bool mnistShown = false;
    for (const QLabel* label : shownDialog->findChildren<QLabel*>())
      mnistShown = mnistShown || label->text() == mnist;
    QVERIFY(mnistShown);
    shownDialog->reject();
  }
}

void TestSweepTraining::sweepFromThePageFinishes() {
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
void TestSweepTraining::oneNetworkPerConfigurationHasNoSpread() {
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
void TestSweepTraining::aSweepOfAnotherStoreLeavesThisOneAlone() {
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
void TestSweepTraining::aRunningSweepShowsInTheStatusBar() {
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
void TestSweepTraining::quittingWhileASweepTrainsIsAskedAndStopsIt() {
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

void TestSweepTraining::cancelledSweepStaysUnfinishedAndResumes() {
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

QTEST_MAIN(TestSweepTraining)
#include "test_sweep_training.moc"
