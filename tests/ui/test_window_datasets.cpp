// The main window and its dataset: a missing one says how to fix it; a folder chosen is loaded
// under its path (the name the command line and sweeps give it), with no dataset while it loads
// or once it failed to, so that Train ensemble…, the range test and New sweep… never take the
// one before it.
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QScopeGuard>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

#include "ensemble/ensemble_page.h"
#include "ensemble/ensemble_train_dialog.h"
#include "ensemble/runs_panel.h"
#include "ensemble/validation_images.h"
#include "predictions/prediction_model.h"
#include "settings/hyperparameter_panel.h"
#include "sweep/sweep_page.h"
#include "test_data.h"
#include "window/live_training_view.h"
#include "window/main_window.h"
#include "window/training_status_bar.h"

namespace {

// Whether New sweep…, opened, names the data it trains on as `text` ("digits from /data/digits").
bool newSweepNames(MainWindow& window, const QString& text) {
  window.sweep()->showNewSweepDialog();
  const QList<QLabel*> labels = window.sweep()->findChildren<QLabel*>();
  return std::any_of(labels.begin(), labels.end(),
                     [&](const QLabel* label) { return label->text() == text; });
}

}  // namespace

class TestWindowDatasets : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void missingDatasetSaysHowToFixIt();
  void aDatasetThatFailsToLoadIsNoOnesData();
  void aChosenFolderIsNamedByItsPath();

 private:
  DatasetPtr m_data;
};

void TestWindowDatasets::initTestCase() {
  Q_INIT_RESOURCE(convscope);
  testing_data::resetSettings();
  m_data = testing_data::smallDataset(1024, 300);
}

void TestWindowDatasets::missingDatasetSaysHowToFixIt() {
  MainWindow window(nullptr, QStringLiteral("MNIST is missing: run scripts/fetch-mnist.sh"));
  LiveTrainingView* live = window.live();
  QVERIFY(!live->actions().start->isEnabled());
  QVERIFY(live->actions().start->toolTip().contains(QStringLiteral("fetch-mnist.sh")));
  QCOMPARE(live->predictionModel()->rowCount(), 0);
  // Train ensemble… says what is missing rather than train on MNIST's absence.
  window.ensemble()->runsPanel()->trainButton()->click();
  QVERIFY(window.findChildren<EnsembleTrainDialog*>().isEmpty());
  QVERIFY2(window.trainingStatusBar()->currentMessage().startsWith(
               QStringLiteral("Train ensemble needs a dataset: MNIST is missing")),
           qPrintable(window.trainingStatusBar()->currentMessage()));
  QCOMPARE(window.currentView(), MainWindow::LiveView);
}

// A folder chosen that fails to load leaves no dataset behind it: Train ensemble… says why, and
// New sweep… names that folder (whose load the sweep's worker tries, and reports), not the
// dataset before it.
void TestWindowDatasets::aDatasetThatFailsToLoadIsNoOnesData() {
  MainWindow window(m_data, {});
  LiveTrainingView* live = window.live();
  QVERIFY(live->dataset());
  QTemporaryDir dir;
  const QString nothing = dir.filePath(QStringLiteral("nothing"));
  Q_EMIT live->panel()->datasetRequested(nothing);
  QVERIFY(!live->dataset());  // none while it loads
  QTRY_VERIFY(live->panel()->datasetInfo().problem.startsWith(QStringLiteral("Could not load")));
  QVERIFY(!live->dataset());
  window.ensemble()->runsPanel()->trainButton()->click();
  QVERIFY(window.findChildren<EnsembleTrainDialog*>().isEmpty());
  QVERIFY2(window.trainingStatusBar()->currentMessage().startsWith(
               QStringLiteral("Train ensemble needs a dataset: Could not load nothing")),
           qPrintable(window.trainingStatusBar()->currentMessage()));
  QVERIFY(newSweepNames(window,
                        QStringLiteral("nothing from %1").arg(QDir::toNativeSeparators(nothing))));
}

// A folder chosen in the panel is loaded under the name the command line and sweeps give it, its
// path (cs::dataset_name_for()), which runs trained on it are stored under: Continue… finds the
// folder again from it (ValidationImages::folderFor()). MNIST's own folder is "mnist" still.
void TestWindowDatasets::aChosenFolderIsNamedByItsPath() {
  QTemporaryDir dir;
  const QString folder = dir.filePath(QStringLiteral("digits"));
  if (!testing_data::linkMnistInto(folder)) QSKIP("MNIST is not fetched (scripts/fetch-mnist.sh)");
  const auto reset = qScopeGuard(testing_data::resetSettings);  // no folder of this test saved
  MainWindow window(m_data, {});
  LiveTrainingView* live = window.live();
  // Picked from the panel's dataset list, where the folder is once it was used.
  auto* list = live->panel()->findChild<QComboBox*>(QStringLiteral("dataset"));
  QVERIFY(list);
  TrainingSettings s = live->panel()->settings();
  s.datasetDir = folder;
  live->panel()->setSettings(s);
  s.datasetDir.clear();
  live->panel()->setSettings(s);
  const auto choose = [list](const QString& datasetDir) {
    const int row = list->findData(datasetDir);
    if (row < 0) return false;
    list->setCurrentIndex(row);
    Q_EMIT list->activated(row);
    return true;
  };
  QVERIFY(choose(folder));
  // While it loads, no dataset: Train ensemble… and the range test do not take the one before it.
  QVERIFY(!live->dataset());
  QCOMPARE(live->datasetFolder(), folder);
  QCOMPARE(live->actions().findLearningRate->toolTip(),
           QStringLiteral("Cannot find a learning rate: no dataset is loaded"));
  window.ensemble()->runsPanel()->trainButton()->click();
  QVERIFY(window.findChildren<EnsembleTrainDialog*>().isEmpty());
  QCOMPARE(window.trainingStatusBar()->currentMessage(),
           QStringLiteral("Train ensemble needs a dataset: Loading digits…"));
  QVERIFY(newSweepNames(window,  // which its worker loads if it starts first
                        QStringLiteral("digits from %1").arg(QDir::toNativeSeparators(folder))));
  QTRY_VERIFY_WITH_TIMEOUT(live->dataset(), 60000);
  QCOMPARE(live->dataset()->train.name, folder.toStdString() + "/train");
  QCOMPARE(live->dataset()->test.name, folder.toStdString() + "/test");
  QCOMPARE(ValidationImages::folderFor(live->dataset()->test.name), folder);
  QCOMPARE(live->dataset()->test.count, 10000);
  {  // The next window starts on the saved folder: no dataset until it is loaded, and a sweep
     // names that folder.
    MainWindow next(m_data, {});
    QVERIFY(!next.live()->dataset());
    QCOMPARE(next.live()->datasetFolder(), folder);
    QVERIFY(newSweepNames(next,
                          QStringLiteral("digits from %1").arg(QDir::toNativeSeparators(folder))));
  }

  QVERIFY(choose(QString()));
  QTRY_VERIFY_WITH_TIMEOUT(live->dataset(), 60000);
  QCOMPARE(live->datasetFolder(), QString::fromStdString(cs::default_mnist_dir()));
  QCOMPARE(live->dataset()->test.name, std::string("mnist/test"));
  QCOMPARE(ValidationImages::folderFor(live->dataset()->test.name),
           QString::fromStdString(cs::default_mnist_dir()));
}

QTEST_MAIN(TestWindowDatasets)
#include "test_window_datasets.moc"
