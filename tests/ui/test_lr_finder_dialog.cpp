// Training ▸ Find learning rate…: the range test run from the dialog on a small dataset (the chart
// gets one point a step at the test's rates, the result line and the Use button give the engine's
// suggestion for the panel's network, and Use sets it into the panel), Stop during a long test,
// closing or destroying the window while a test runs, the fields' problems, the worker's batching,
// and when the action is enabled (a dataset, no run training; a paused run takes the rate).
#include <QAction>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <cmath>
#include <memory>

#include "charts/lr_finder_chart.h"
#include "convscope/backends.h"
#include "convscope/lr_finder.h"
#include "settings/hyperparameter_panel.h"
#include "settings/training_settings.h"
#include "test_data.h"
#include "training/lr_finder_worker.h"
#include "training/training_session.h"
#include "window/live_training_view.h"
#include "window/lr_finder_action.h"
#include "window/lr_finder_dialog.h"
#include "window/main_window.h"
#include "window/training_status_bar.h"

class TestLrFinderDialog : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void init();
  void runsTheTestAndUsesItsSuggestion();
  void stopEndsALongTestPromptly();
  void closingWhileRunningStopsAndQuitWaits();
  void invalidFieldsDisableRun_data();
  void invalidFieldsDisableRun();
  void workerBatchesPointsAndCancels();
  void actionFollowsTheRun();
  void panelTakesTheRateOnlyWhereItsLockAllows();
  void chartKeepsTheCurveInView();

 private:
  cs::GroupConfig smallGroup() const;
  static LrFinderDialog* openDialog(MainWindow& window);
  DatasetPtr m_data;
};

namespace {

constexpr int kTimeoutMs = 120000;

// The rate of step t (1-based) of a test (convscope/lr_finder.h).
double rateOfStep(const cs::LrFinderSettings& s, int t) {
  return s.min_lr * std::pow(s.max_lr / s.min_lr, double(t - 1) / (s.steps - 1));
}

}  // namespace

void TestLrFinderDialog::initTestCase() {
  Q_INIT_RESOURCE(convscope);
  m_data = testing_data::smallDataset(1024, 200);
}

void TestLrFinderDialog::init() {
  testing_data::resetSettings();  // the dialog remembers its fields
}

cs::GroupConfig TestLrFinderDialog::smallGroup() const {
  return testing_data::smallSettings(1)
      .trainConfig(m_data->train.shape, m_data->train.classes)
      .group;
}

LrFinderDialog* TestLrFinderDialog::openDialog(MainWindow& window) {
  QAction* find = window.live()->actions().findLearningRate;
  if (!find->isEnabled()) return nullptr;
  find->trigger();
  return window.live()->lrFinder()->dialog();
}

void TestLrFinderDialog::runsTheTestAndUsesItsSuggestion() {
  MainWindow window(m_data, {});
  window.show();
  LiveTrainingView* live = window.live();
  // In the Training menu, enabled with the small dataset loaded and no run.
  QMenu* training = window.menuBar()->actions().at(1)->menu();
  QVERIFY(training->actions().contains(live->actions().findLearningRate));
  QCOMPARE(live->actions().findLearningRate->text(), QStringLiteral("Find &learning rate…"));
  LrFinderDialog* dialog = openDialog(window);
  QVERIFY(dialog);
  QVERIFY(dialog->isVisible());
  QVERIFY2(dialog->subjectText().startsWith(
               QStringLiteral("Tests %1 · adam · batch 32 on ")
                   .arg(QString::fromStdString(smallGroup().spec.to_string()))),
           qPrintable(dialog->subjectText()));
  QVERIFY(dialog->subjectText().contains(QStringLiteral("network 0's seed (1)")));
  QVERIFY(!dialog->useButton()->isEnabled());

  const cs::LrFinderSettings settings{1e-4, 1, 40};
  dialog->setSettings(settings);
  QVERIFY(dialog->problem().isEmpty());
  QVERIFY(dialog->runButton()->isEnabled());
  QSignalSpy ended(dialog, &LrFinderDialog::runEnded);
  QTest::mouseClick(dialog->runButton(), Qt::LeftButton);
  QVERIFY(dialog->isRunning());
  QCOMPARE(dialog->runButton()->text(), QStringLiteral("Stop"));
  QVERIFY(ended.wait(kTimeoutMs));
  QVERIFY(!dialog->isRunning());
  QVERIFY(!dialog->wasStopped());

  // The engine's own test of network 0 of the panel's configuration, on the CPU as the panel says.
  cs::BackendSelection cpu = cs::make_backend(cs::BackendChoice::Cpu);
  const cs::LrFinderResult expected =
      cs::find_learning_rate(*cpu.backend, smallGroup(), m_data->train, m_data->test, settings);
  const cs::LrFinderResult& result = dialog->result();
  QCOMPARE(result.points.size(), expected.points.size());
  QVERIFY(result.points.size() >= 10);
  QVERIFY(expected.diverged || expected.points.size() == 40u);
  // One chart point per step, at the step's rate and loss.
  const QList<QPointF> raw = dialog->chart()->rawPoints();
  const QList<QPointF> smoothed = dialog->chart()->smoothedPoints();
  QCOMPARE(raw.size(), qsizetype(result.points.size()));
  QCOMPARE(smoothed.size(), raw.size());
  for (int i = 0; i < raw.size(); ++i) {
    QVERIFY(std::abs(raw[i].x() - rateOfStep(settings, i + 1)) <= 1e-6 * raw[i].x());
    QCOMPARE(raw[i].y(), double(result.points[size_t(i)].loss));
    QCOMPARE(smoothed[i].y(), result.points[size_t(i)].smoothed);
    QVERIFY(std::abs(result.points[size_t(i)].loss - expected.points[size_t(i)].loss) <=
            1e-3f * expected.points[size_t(i)].loss);
  }
  const QPointF rates = dialog->chart()->rateRange();  // the decades of the test's range
  QVERIFY(rates.x() <= 1e-4 && rates.x() > 0.99e-4);
  QVERIFY(rates.y() >= 1 && rates.y() < 1.01);
  QCOMPARE(result.suggested_lr, expected.suggested_lr);
  QVERIFY(expected.suggested_lr > 0);

  // The result line, the marker and the button give the suggestion.
  const QString rate = QString::number(expected.suggested_lr, 'g', 3);
  const QString lowest = QString::number(expected.lowest_lr, 'g', 3);
  QVERIFY2(dialog->resultText().startsWith(
               QStringLiteral("Suggested learning rate: %1 — a tenth of %2, where the smoothed "
                              "loss was lowest")
                   .arg(rate, lowest)),
           qPrintable(dialog->resultText()));
  QCOMPARE(dialog->useButton()->text(), QStringLiteral("Use %1").arg(rate));
  QVERIFY(dialog->useButton()->isEnabled());
  const QList<QPointF> marker = dialog->chart()->markerPoints();
  QCOMPARE(marker.size(), 2);
  QCOMPARE(marker[0].x(), expected.suggested_lr);
  QCOMPARE(marker[1].x(), expected.suggested_lr);
  QVERIFY(marker[0].y() < marker[1].y());
  QVERIFY(
      dialog->progressText().startsWith(QStringLiteral("%1 steps in ").arg(result.points.size())));

  // Enter takes the suggestion, whatever has the focus (Run, clicked); once a field changed,
  // Enter runs the test again.
  QVERIFY(dialog->useButton()->isDefault());
  QCOMPARE(dialog->focusWidget(), dialog->runButton());
  auto* steps = dialog->findChild<QSpinBox*>(QStringLiteral("steps"));
  QVERIFY(steps);
  steps->setValue(steps->value() + 1);
  QVERIFY(dialog->runButton()->isDefault());
  QVERIFY(!dialog->useButton()->isDefault());
  QVERIFY(dialog->useButton()->isEnabled());  // the shown test's suggestion, still to take
  steps->setValue(steps->value() - 1);
  QTest::keyClick(dialog->focusWidget(), Qt::Key_Return);  // the same test again
  QVERIFY(dialog->isRunning());
  QVERIFY(ended.wait(kTimeoutMs));
  QCOMPARE(dialog->result().suggested_lr, expected.suggested_lr);
  QVERIFY(dialog->useButton()->isDefault());

  // Use (Enter): the panel's learning rate, said in the status bar; the dialog closes (and is
  // deleted).
  QSignalSpy chosen(dialog, &LrFinderDialog::rateChosen);
  QSignalSpy edited(live->panel(), &HyperparameterPanel::settingsChanged);
  QTest::keyClick(dialog->focusWidget(), Qt::Key_Return);
  QCOMPARE(chosen.size(), 1);
  QCOMPARE(chosen.front().front().toDouble(), rate.toDouble());
  QVERIFY(edited.size() >= 1);  // saved, and a paused run would take it
  QCOMPARE(live->panel()->settings().learningRate, rate.toDouble());
  QCOMPARE(window.trainingStatusBar()->currentMessage(),
           QStringLiteral("Learning rate set to %1 (from the range test)").arg(rate));
  QTRY_VERIFY(!live->lrFinder()->dialog());
  // The live run was not touched.
  QCOMPARE(live->session()->state(), TrainingState::Idle);
  QVERIFY(!live->session()->hasRun());
}

void TestLrFinderDialog::stopEndsALongTestPromptly() {
  LrFinderDialog dialog(m_data, QStringLiteral("test data"), smallGroup(), cs::BackendChoice::Cpu);
  dialog.show();
  dialog.setSettings({1e-6, 1e-3, 10000});  // a rate that does not diverge
  QSignalSpy ended(&dialog, &LrFinderDialog::runEnded);
  dialog.run();
  QTRY_VERIFY_WITH_TIMEOUT(dialog.chart()->rawPoints().size() >= 20, kTimeoutMs);
  QVERIFY(dialog.progressText().startsWith(QStringLiteral("Step ")));
  QVERIFY(dialog.progressText().contains(QStringLiteral(" of 10,000 · rate ")));
  QElapsedTimer clock;
  clock.start();
  const qsizetype shown = dialog.chart()->rawPoints().size();
  QTest::mouseClick(dialog.runButton(), Qt::LeftButton);  // Stop
  QCOMPARE(dialog.runButton()->text(), QStringLiteral("Stopping…"));
  QVERIFY(!dialog.runButton()->isEnabled());
  QVERIFY(ended.wait(5000));
  QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
  QVERIFY(dialog.wasStopped());
  const size_t n = dialog.result().points.size();
  // Only the steps under way when Stop was pressed (the worker's last batch) came after it.
  QVERIFY2(n >= size_t(shown) && n < size_t(shown) + 1000,
           qPrintable(QStringLiteral("%1 steps shown at Stop, %2 in all").arg(shown).arg(n)));
  QCOMPARE(dialog.chart()->rawPoints().size(), qsizetype(n));
  QVERIFY2(
      dialog.resultText().startsWith(
          QStringLiteral("Stopped after %1 of 10,000 steps").arg(QLocale().toString(qlonglong(n)))),
      qPrintable(dialog.resultText()));
  // A suggestion only once the loss turned: stopped while it still fell, a tenth of the last
  // rate would be too low; and a suggestion below the panel's lowest rate is not offered.
  const bool falling = dialog.result().lowest_lr == dialog.result().points.back().lr;
  const bool offered =
      !falling && dialog.result().suggested_lr >= TrainingSettings::kMinLearningRate;
  QCOMPARE(dialog.useButton()->isEnabled(), offered);
  QCOMPARE(dialog.suggestedRate() > 0, offered);
  QCOMPARE(dialog.resultText().contains(QStringLiteral("still falling")), falling);
  QCOMPARE(dialog.runButton()->text(), QStringLiteral("Run"));
  QVERIFY(dialog.runButton()->isEnabled());
  QVERIFY(dialog.findChild<QSpinBox*>(QStringLiteral("steps"))->isEnabled());

  // Run again: a new test, the chart starts over.
  dialog.setSettings({1e-4, 1e-2, 10});
  dialog.run();
  QVERIFY(ended.wait(kTimeoutMs));
  QVERIFY(!dialog.wasStopped());
  QCOMPARE(dialog.chart()->rawPoints().size(), 10);
  QCOMPARE(dialog.result().points.size(), 10u);
}

void TestLrFinderDialog::closingWhileRunningStopsAndQuitWaits() {
  {  // Closing the dialog stops the test.
    LrFinderDialog dialog(m_data, {}, smallGroup(), cs::BackendChoice::Cpu);
    dialog.show();
    dialog.setSettings({1e-6, 1e-3, 10000});
    QSignalSpy ended(&dialog, &LrFinderDialog::runEnded);
    dialog.run();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.chart()->rawPoints().isEmpty(), kTimeoutMs);
    dialog.close();
    QVERIFY(!dialog.isVisible());
    QVERIFY(ended.wait(5000));
    QVERIFY(dialog.wasStopped());
  }
  // Destroying the window with the dialog open and a test running (a quit by signal): the
  // dialog's thread is stopped and waited for.
  auto window = std::make_unique<MainWindow>(m_data, QString());
  window->show();
  QPointer<LrFinderDialog> dialog = openDialog(*window);
  QVERIFY(dialog);
  dialog->setSettings({1e-6, 1e-3, 10000});
  dialog->run();
  QTRY_VERIFY_WITH_TIMEOUT(!dialog->chart()->rawPoints().isEmpty(), kTimeoutMs);
  QVERIFY(dialog->isRunning());
  QElapsedTimer clock;
  clock.start();
  window.reset();
  QVERIFY(!dialog);
  QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
}

void TestLrFinderDialog::invalidFieldsDisableRun_data() {
  QTest::addColumn<double>("minRate");
  QTest::addColumn<double>("maxRate");
  QTest::addColumn<QString>("problem");
  QTest::newRow("max below min") << 0.1 << 0.01
                                 << "the maximum learning rate must be above the minimum";
  QTest::newRow("max equal to min")
      << 0.1 << 0.1 << "the maximum learning rate must be above the minimum";
  QTest::newRow("max above 10") << 1e-6 << 20.0 << "the maximum learning rate must be at most 10";
}

void TestLrFinderDialog::invalidFieldsDisableRun() {
  QFETCH(double, minRate);
  QFETCH(double, maxRate);
  QFETCH(QString, problem);
  LrFinderDialog dialog(m_data, {}, smallGroup(), cs::BackendChoice::Cpu);
  auto* max = dialog.findChild<QDoubleSpinBox*>(QStringLiteral("maxRate"));
  QVERIFY(dialog.runButton()->isEnabled());
  QVERIFY(!max->property("invalid").toBool());
  dialog.setSettings({minRate, maxRate, 100});
  QCOMPARE(dialog.settings().max_lr, maxRate);
  QCOMPARE(dialog.problem(), problem);
  QCOMPARE(dialog.problem().toStdString(), cs::lr_finder_problem(dialog.settings()));
  QVERIFY(!dialog.runButton()->isEnabled());
  QCOMPARE(dialog.progressText(), QStringLiteral("Cannot run: %1").arg(problem));
  QVERIFY(max->property("invalid").toBool());
  dialog.run();  // refused
  QVERIFY(!dialog.isRunning());

  dialog.setSettings({1e-6, 1, 100});  // fixed
  QVERIFY(dialog.problem().isEmpty());
  QVERIFY(dialog.runButton()->isEnabled());
  QVERIFY(!max->property("invalid").toBool());
  QVERIFY2(dialog.progressText().startsWith(QStringLiteral("100 steps of batch 32 (3.13 epochs of "
                                                           "1,024 training images)")),
           qPrintable(dialog.progressText()));
  // The steps field keeps to the test's range.
  auto* steps = dialog.findChild<QSpinBox*>(QStringLiteral("steps"));
  QCOMPARE(steps->minimum(), 10);
  QCOMPARE(steps->maximum(), 10000);
}

void TestLrFinderDialog::workerBatchesPointsAndCancels() {
  registerLrFinderTypes();
  LrFinderWorker worker;
  QSignalSpy started(&worker, &LrFinderWorker::started);
  QSignalSpy batches(&worker, &LrFinderWorker::pointsAdded);
  QSignalSpy finished(&worker, &LrFinderWorker::finished);
  QElapsedTimer clock;
  clock.start();
  const cs::LrFinderSettings settings{1e-6, 1e-3, 600};
  worker.run(m_data, smallGroup(), settings, cs::BackendChoice::Cpu);  // here, synchronously
  const qint64 elapsed = clock.elapsed();
  QCOMPARE(started.size(), 1);
  QVERIFY(started.front().front().toString().startsWith(QStringLiteral("cpu (")));
  QCOMPARE(finished.size(), 1);
  const auto result = finished.front().at(0).value<cs::LrFinderResult>();
  QVERIFY(!finished.front().at(1).toBool());
  QCOMPARE(result.points.size(), 600u);
  // Every point once, in order, in batches at most every kReportMs (and a last one).
  LrFinderPoints all;
  for (const QList<QVariant>& batch : batches) {
    const auto points = batch.front().value<LrFinderPoints>();
    QVERIFY(!points.empty());
    all.insert(all.end(), points.begin(), points.end());
  }
  QCOMPARE(all.size(), result.points.size());
  for (size_t i = 0; i < all.size(); ++i) {
    QCOMPARE(all[i].lr, result.points[i].lr);
    QCOMPARE(all[i].loss, result.points[i].loss);
  }
  QVERIFY2(batches.size() <= elapsed / LrFinderWorker::kReportMs + 2,
           qPrintable(QStringLiteral("%1 batches in %2 ms").arg(batches.size()).arg(elapsed)));
  QVERIFY(batches.size() < 600);

  // Cancelled before it runs: stopped at once, no steps.
  worker.cancel();
  worker.run(m_data, smallGroup(), settings, cs::BackendChoice::Cpu);
  QCOMPARE(finished.size(), 2);
  QVERIFY(finished.back().at(0).value<cs::LrFinderResult>().points.empty());
  QVERIFY(finished.back().at(1).toBool());

  // An engine error is a failure with the engine's text.
  QSignalSpy failed(&worker, &LrFinderWorker::failed);
  worker.resetCancel();
  cs::GroupConfig otherShape = smallGroup();
  otherShape.spec.input = {1, 32, 32};  // not the images' 28×28
  worker.run(m_data, otherShape, settings, cs::BackendChoice::Cpu);
  QCOMPARE(failed.size(), 1);
  QVERIFY(!failed.front().at(1).toString().isEmpty());
  QCOMPARE(finished.size(), 2);
}

void TestLrFinderDialog::actionFollowsTheRun() {
  {  // No dataset: disabled, saying why.
    MainWindow window(nullptr, QStringLiteral("No MNIST here"));
    QAction* find = window.live()->actions().findLearningRate;
    QVERIFY(!find->isEnabled());
    QVERIFY(find->toolTip().contains(QStringLiteral("no dataset")));
  }
  QSettings q;
  testing_data::smallSettings(200).save(q);  // a run that trains long enough to look at
  MainWindow window(m_data, {});
  window.show();
  LiveTrainingView* live = window.live();
  QAction* find = live->actions().findLearningRate;
  QVERIFY(find->isEnabled());
  // Invalid panel settings: disabled.
  TrainingSettings bad = live->panel()->settings();
  bad.batchSize = 5000;  // more than the 1,024 images
  live->panel()->setSettings(bad);
  QVERIFY(!live->panel()->validation().ok);
  QVERIFY(!find->isEnabled());
  QVERIFY(find->toolTip().startsWith(QStringLiteral("Cannot find a learning rate: ")));
  live->panel()->setSettings(testing_data::smallSettings(200));
  QVERIFY(find->isEnabled());

  live->actions().start->trigger();
  QTRY_COMPARE(live->session()->state(), TrainingState::Running);
  QVERIFY(!find->isEnabled());
  QVERIFY(find->toolTip().contains(QStringLiteral("training")));
  live->lrFinder()->open();  // refused
  QVERIFY(!live->lrFinder()->dialog());

  // Paused: the test may run, and its rate goes into the panel, which the paused run takes.
  live->actions().pauseResume->trigger();
  QTRY_COMPARE(live->session()->state(), TrainingState::Paused);
  QVERIFY(find->isEnabled());
  LrFinderDialog* dialog = openDialog(window);
  QVERIFY(dialog);
  QVERIFY(dialog->isModal());
  dialog->setSettings({1e-4, 1e-1, 10});
  QSignalSpy ended(dialog, &LrFinderDialog::runEnded);
  dialog->run();
  QVERIFY(ended.wait(kTimeoutMs));
  QVERIFY(dialog->suggestedRate() > 0);
  const double rate = dialog->suggestedRate();
  QTest::mouseClick(dialog->useButton(), Qt::LeftButton);
  QCOMPARE(live->panel()->settings().learningRate, rate);
  QCOMPARE(window.trainingStatusBar()->currentMessage(),
           QStringLiteral("Learning rate set to %1 (from the range test)")
               .arg(LrFinderDialog::rateText(rate)));
  QCOMPARE(live->session()->state(), TrainingState::Paused);
  // The run's next step trains at it.
  const size_t rates = live->history().learningRates().size();
  live->actions().step->trigger();
  QTRY_COMPARE(live->history().learningRates().size(), rates + 1);
  QCOMPARE(float(live->history().learningRates().back().y()), float(rate));
  live->actions().stop->trigger();
  QTRY_COMPARE(live->session()->state(), TrainingState::Stopped);
  QVERIFY(find->isEnabled());
}

void TestLrFinderDialog::panelTakesTheRateOnlyWhereItsLockAllows() {
  HyperparameterPanel panel;
  panel.setSettings(testing_data::smallSettings(1));
  QSignalSpy edited(&panel, &HyperparameterPanel::settingsChanged);
  QVERIFY(panel.setLearningRate(0.0123));
  QCOMPARE(panel.settings().learningRate, 0.0123);
  QCOMPARE(edited.size(), 1);
  panel.setLocked(HyperparameterPanel::ScheduleOnly, QStringLiteral("Paused"));
  QVERIFY(panel.setLearningRate(0.005));
  QCOMPARE(panel.settings().learningRate, 0.005);
  QCOMPARE(edited.size(), 2);
  panel.setLocked(HyperparameterPanel::Locked, QStringLiteral("Training"));
  QVERIFY(!panel.setLearningRate(0.1));
  QCOMPARE(panel.settings().learningRate, 0.005);
  QCOMPARE(edited.size(), 2);
}

void TestLrFinderDialog::chartKeepsTheCurveInView() {
  LrFinderChart chart;
  chart.start(3e-5, 0.5);
  QVERIFY(std::abs(chart.rateRange().x() - 1e-5) < 1e-7);  // whole decades
  QVERIFY(std::abs(chart.rateRange().y() - 1) < 1e-2);
  // A last spike of the raw loss before divergence does not flatten the curve.
  chart.addPoints({{1e-4, 2.3f, 2.3}, {1e-3, 1.1f, 1.7}, {1e-2, 0.6f, 1.2}, {1e-1, 500.f, 2.5}});
  QCOMPARE(chart.rawPoints().size(), 4);
  QCOMPARE(chart.rawPoints().back(), QPointF(1e-1, 500));
  QCOMPARE(chart.smoothedPoints().back(), QPointF(1e-1, 2.5));
  const QPointF losses = chart.lossRange();
  QVERIFY(losses.x() <= 0.6 && losses.y() >= 2.5);
  QVERIFY2(losses.y() <= 1.5 * 2.5 * 1.2, qPrintable(QString::number(losses.y())));
  QVERIFY(chart.markerPoints().isEmpty());
  chart.setSuggestion(1e-3);
  QCOMPARE(chart.markerPoints(), (QList<QPointF>{{1e-3, losses.x()}, {1e-3, losses.y()}}));
  chart.start(1e-6, 1);  // a new test: nothing left of the last
  QVERIFY(chart.rawPoints().isEmpty() && chart.smoothedPoints().isEmpty());
  QVERIFY(chart.markerPoints().isEmpty());
  QCOMPARE(chart.suggestion(), 0.0);
}

QTEST_MAIN(TestLrFinderDialog)
#include "test_lr_finder_dialog.moc"
