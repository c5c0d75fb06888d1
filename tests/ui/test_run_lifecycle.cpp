// A run's life in the main window beyond its first start: asking before unsaved training is
// discarded (Reset, Load checkpoint, Quit; after a save that failed, nothing is discarded),
// continuing from a checkpoint with the status bar and the probe naming the same epoch and step,
// the learning rate changed while paused and Continue's, the File menu's recent checkpoints, File
// > Save checkpoint's dialog, and a checkpoint's random shift brought back into the panel. What a
// signal or a crash would lose is test_run_recovery's.
#include <QAction>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include "charts/training_charts.h"
#include "convscope/checkpoint.h"
#include "file_size_limit.h"
#include "network/network_inspector.h"
#include "save_dialog_answer.h"
#include "settings/hyperparameter_panel.h"
#include "test_data.h"
#include "training/training_session.h"
#include "widgets/app_resources.h"
#include "widgets/file_dialogs.h"
#include "widgets/recent_files.h"
#include "window/live_training_view.h"
#include "window/main_window.h"
#include "window/training_status_bar.h"
#include "window/unsaved_run_guard.h"
#include "window_testing.h"

class TestRunLifecycle : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void asksBeforeDiscardingUnsavedTraining();
  void quitWaitsForTheChosenSave();
  void aFailedSaveKeepsTheRun();
  void resumeDuringTheSaveKeepsTheRun();
  void quitWhileTrainingClosesOnceSaved();
  void labelsAgreeAfterACheckpointLoads();
  void learningRateChangesWhilePaused();
  void recentCheckpointsReopen();
  void saveCheckpointAsksForAFile();
  void aCheckpointBringsItsRandomShift();

 private:
  using Answer = UnsavedRunGuard::Answer;
  DatasetPtr m_data;
  QTemporaryDir m_dir;  // the checkpoints, each test its own file names
};

using namespace window_testing;

namespace {

constexpr long long kStepsPerEpoch = 1024 / 32;  // the small run's

}  // namespace

void TestRunLifecycle::initTestCase() {
  Q_INIT_RESOURCE(convscope);
  testing_data::resetSettings();
  m_data = testing_data::smallDataset(1024, 200);
}

void TestRunLifecycle::asksBeforeDiscardingUnsavedTraining() {
  MainWindow window(m_data, {});
  window.show();
  LiveTrainingView* live = window.live();
  TrainingSession* session = live->session();
  QStringList questions;
  answerWith(live, &questions, {Answer::Cancel, {}});
  live->actions().reset->trigger();  // nothing trained yet: nothing to ask
  QVERIFY(questions.isEmpty());

  live->actions().start->trigger();
  QTRY_COMPARE_WITH_TIMEOUT(session->state(), TrainingState::Finished, 120000);
  QTRY_VERIFY(live->unsavedRunGuard()->isUnsaved());

  // Cancel: Reset, Load checkpoint and Quit leave the finished run alone.
  live->actions().reset->trigger();
  live->loadCheckpoint(m_dir.filePath(QStringLiteral("other.safetensors")));
  window.close();
  QCOMPARE(questions.size(), 3);
  QVERIFY2(questions[0].startsWith(QStringLiteral("Reset discards")), qPrintable(questions[0]));
  QVERIFY2(questions[0].contains(QStringLiteral("32 trained steps")), qPrintable(questions[0]));
  QVERIFY(questions[1].startsWith(QStringLiteral("Loading a checkpoint discards")));
  QVERIFY(questions[2].startsWith(QStringLiteral("Quitting discards")));
  QTest::qWait(200);
  QCOMPARE(session->state(), TrainingState::Finished);
  QVERIFY(window.isVisible());

  // Save: the checkpoint is written before the run is reset.
  const QString path = m_dir.filePath(QStringLiteral("finished.safetensors"));
  answerWith(live, &questions, {Answer::Save, path});
  live->actions().reset->trigger();
  QCOMPARE(questions.size(), 4);
  QTRY_COMPARE(session->state(), TrainingState::Idle);
  // The reset run stays on the charts for the next to compare with.
  live->charts()->refresh();
  QCOMPARE(live->charts()->plottedPreviousLoss().size(), qsizetype(kStepsPerEpoch));
  QVERIFY(live->charts()->plottedSmoothedLoss().isEmpty());
  QVERIFY(QFileInfo::exists(path));
  QCOMPARE(metaOf(path).step, kStepsPerEpoch);

  // A saved run is not asked about; one stepped further is, and Discard lets Quit go on.
  live->loadCheckpoint(path);
  QTRY_COMPARE(session->state(), TrainingState::Paused);
  QVERIFY(!live->unsavedRunGuard()->isUnsaved());
  QCOMPARE(questions.size(), 4);
  live->actions().step->trigger();
  QTRY_VERIFY(live->unsavedRunGuard()->isUnsaved());
  answerWith(live, &questions, {Answer::Discard, {}});
  window.close();
  QCOMPARE(questions.size(), 5);
  QVERIFY(!window.isVisible());  // at once
}

// Reset asked while paused and answered Save, then Resume pressed while the file is written: the
// run trains on, and the Reset waiting for the save is not done, and said not to be.
void TestRunLifecycle::resumeDuringTheSaveKeepsTheRun() {
  MainWindow window(m_data, {});
  window.show();
  LiveTrainingView* live = window.live();
  TrainingSession* session = live->session();
  live->actions().step->trigger();
  QTRY_COMPARE(session->state(), TrainingState::Paused);
  QTRY_VERIFY(live->unsavedRunGuard()->isUnsaved());
  QStringList questions, messages;
  connect(live->unsavedRunGuard(), &UnsavedRunGuard::statusMessage, live,
          [&messages](const QString& text) { messages << text; });
  const QString path = m_dir.filePath(QStringLiteral("resumed.safetensors"));
  answerWith(live, &questions, {Answer::Save, path});
  live->actions().reset->trigger();        // the save is queued to the worker
  live->actions().pauseResume->trigger();  // Resume, queued behind it
  QTRY_COMPARE_WITH_TIMEOUT(session->state(), TrainingState::Finished, 120000);
  QCOMPARE(questions.size(), 1);
  QVERIFY(QFileInfo::exists(path));
  QTRY_VERIFY(!messages.isEmpty());
  QVERIFY2(messages.back().contains(
               QStringLiteral("Reset was not done: the run was set training while it was saved")),
           qPrintable(messages.back()));
  QTest::qWait(200);
  QCOMPARE(session->state(), TrainingState::Finished);  // not reset
}

void TestRunLifecycle::aFailedSaveKeepsTheRun() {
  MainWindow window(m_data, {});
  window.show();
  LiveTrainingView* live = window.live();
  TrainingSession* session = live->session();
  live->actions().start->trigger();
  QTRY_COMPARE_WITH_TIMEOUT(session->state(), TrainingState::Finished, 120000);
  QTRY_VERIFY(live->unsavedRunGuard()->isUnsaved());
  QSignalSpy failed(session->worker(), &TrainingWorker::checkpointSaveFailed);

  // Save into a folder that does not exist: the save fails, and Reset, Load checkpoint and Quit
  // leave the run as it was instead of discarding it.
  const QString nowhere = m_dir.filePath(QStringLiteral("missing/run.safetensors"));
  QStringList questions;
  answerWith(live, &questions, {Answer::Save, nowhere});
  UnsavedRunGuard* guard = live->unsavedRunGuard();
  // (The spy counts on the worker's thread; the guard hears of the failure after it.)
  live->actions().reset->trigger();
  QTRY_VERIFY(failed.count() == 1 && !guard->savePending());
  live->loadCheckpoint(m_dir.filePath(QStringLiteral("other.safetensors")));
  QTRY_VERIFY(failed.count() == 2 && !guard->savePending());
  window.close();
  QTRY_VERIFY(failed.count() == 3 && !guard->savePending());
  QCOMPARE(questions.size(), 3);
  QTest::qWait(200);
  QCOMPARE(session->state(), TrainingState::Finished);  // not reset, not stopped
  QVERIFY(live->unsavedRunGuard()->isUnsaved());
  QVERIFY(window.isVisible());
  QVERIFY(!live->unsavedRunGuard()->savePending());
  live->charts()->refresh();
  QCOMPARE(live->charts()->plottedSmoothedLoss().size(), qsizetype(kStepsPerEpoch));

  // A failed save does not stop a run that trains either.
  TrainingSettings settings = live->panel()->settings();
  settings.epochs = 2000;
  live->panel()->setSettings(settings);
  answerWith(live, &questions, {Answer::Discard, {}});
  live->actions().start->trigger();
  QTRY_COMPARE(session->state(), TrainingState::Running);
  // (Nor can a checkpoint be loaded while it trains, from the recent ones either.)
  QTRY_VERIFY(!live->actions().recentCheckpoints->isEnabled());
  QVERIFY(!live->actions().loadCheckpoint->isEnabled());
  session->invoke(&TrainingWorker::saveCheckpoint, nowhere);
  QTRY_COMPARE(failed.count(), 4);
  QTest::qWait(100);
  QCOMPARE(session->state(), TrainingState::Running);
  // A save that works adds to the recent checkpoints, which stay closed while it trains.
  const QString saved = m_dir.filePath(QStringLiteral("while-training.safetensors"));
  session->invoke(&TrainingWorker::saveCheckpoint, saved);
  QTRY_VERIFY(live->recentCheckpoints()->files().contains(saved));
  QVERIFY(!live->actions().recentCheckpoints->isEnabled());
  live->actions().stop->trigger();
  QTRY_COMPARE(session->state(), TrainingState::Stopped);
  QTRY_VERIFY(live->actions().recentCheckpoints->isEnabled());
}

void TestRunLifecycle::quitWhileTrainingClosesOnceSaved() {
  const QString path = m_dir.filePath(QStringLiteral("quit-while-training.safetensors"));
  MainWindow window(m_data, {});
  window.show();
  LiveTrainingView* live = window.live();
  TrainingSettings settings = live->panel()->settings();
  settings.epochs = 2000;  // still training when Quit is answered
  live->panel()->setSettings(settings);
  live->actions().start->trigger();
  QTRY_VERIFY(live->unsavedRunGuard()->isUnsaved());
  QStringList questions;
  answerWith(live, &questions, {Answer::Save, path});
  window.close();
  // Closed once the save arrived, though the run trained on meanwhile: asked once, not again.
  QTRY_VERIFY(!window.isVisible());
  QCOMPARE(questions.size(), 1);
  QVERIFY(metaOf(path).step > 0);
}

void TestRunLifecycle::quitWaitsForTheChosenSave() {
  const QString path = m_dir.filePath(QStringLiteral("on-quit.safetensors"));
  MainWindow window(m_data, {});
  window.show();
  LiveTrainingView* live = window.live();
  for (int i = 0; i < 3; ++i) live->actions().step->trigger();
  QTRY_VERIFY(live->inspector()->snapshot() && live->inspector()->snapshot()->step == 3);
  // The save dialogs propose a name with the step, not one name for every checkpoint.
  QTRY_COMPARE(live->unsavedRunGuard()->checkpointFileName(),
               QStringLiteral("convscope-step3.safetensors"));
  QStringList questions;
  answerWith(live, &questions, {Answer::Save, path});
  window.close();
  QCOMPARE(questions.size(), 1);
  QTRY_VERIFY(!window.isVisible());  // closed once the save arrived
  QCOMPARE(metaOf(path).step, 3LL);
}

void TestRunLifecycle::labelsAgreeAfterACheckpointLoads() {
  const QString path = m_dir.filePath(QStringLiteral("two.safetensors"));
  MainWindow window(m_data, {});
  window.show();
  LiveTrainingView* live = window.live();
  TrainingSession* session = live->session();
  TrainingSettings settings = live->panel()->settings();
  settings.epochs = 2;
  live->panel()->setSettings(settings);
  live->actions().start->trigger();
  QTRY_COMPARE_WITH_TIMEOUT(session->state(), TrainingState::Finished, 120000);
  QTRY_COMPARE(positionText(window), QStringLiteral("Epoch 2/2 (32/32) · step 64"));
  session->invoke(&TrainingWorker::saveCheckpoint, path);
  QTRY_VERIFY(!live->unsavedRunGuard()->isUnsaved());

  // Epochs 1: continue the 2-epoch checkpoint for one more.
  settings.epochs = 1;
  live->panel()->setSettings(settings);
  live->loadCheckpoint(path);
  QTRY_COMPARE(positionText(window), QStringLiteral("Epoch 3/3 (0/32) · step 64"));
  QCOMPARE(session->state(), TrainingState::Paused);
  // The charts go on from the checkpoint's history: its 64 losses and 2 epoch ends (the load's
  // pass evaluates the second one's weights again), not from nothing.
  QTRY_COMPARE(live->charts()->plottedLossPoints(), 64);
  QTRY_COMPARE(live->charts()->plottedEvaluationPoints(), 2);
  QTRY_VERIFY2(probeText(window).contains(QStringLiteral("epoch 3 · step 64")),
               qPrintable(probeText(window)));
  // Under load the view can take the loaded run's frame before it handles runStarted, which
  // clears it: replayed here, the view asks for the frame again rather than stay empty.
  Q_EMIT session->worker()->runStarted({m_data, static_cast<int>(kStepsPerEpoch), 3,
                                        QStringLiteral("replayed"),
                                        std::make_shared<const cs::RunHistory>(
                                            cs::read_checkpoint_meta(path.toStdString()).history)});
  QCOMPARE(probeText(window), QStringLiteral("Press Start, or Step for one batch."));
  QTRY_VERIFY2(probeText(window).contains(QStringLiteral("epoch 3 · step 64")),
               qPrintable(probeText(window)));
  QVERIFY(live->actions().continueRun->isEnabled());
  QCOMPARE(live->actions().continueRun->text(), QStringLiteral("&Continue for 1 more epoch"));
  QCOMPARE(live->actions().pauseResume->text(), QStringLiteral("&Resume"));
  // Settings are not all locked: the learning rate and Epochs stay editable while paused.
  QVERIFY(live->panel()->findChild<QWidget*>(QStringLiteral("learningRate"))->isEnabled());
  QVERIFY(live->panel()->findChild<QWidget*>(QStringLiteral("epochs"))->isEnabled());
  QVERIFY(!live->panel()->findChild<QWidget*>(QStringLiteral("batchSize"))->isEnabled());

  live->actions().pauseResume->trigger();  // Resume: the one more epoch
  QTRY_COMPARE_WITH_TIMEOUT(positionText(window), QStringLiteral("Epoch 3/3 (32/32) · step 96"),
                            120000);
  QTRY_COMPARE(session->state(), TrainingState::Finished);
  QTRY_VERIFY2(probeText(window).contains(QStringLiteral("epoch 3 · step 96")),
               qPrintable(probeText(window)));
  QTRY_COMPARE(live->charts()->plottedLossPoints(), 96);
  QTRY_COMPARE(live->charts()->plottedEvaluationPoints(), 3);

  // Continue for 2 more from the finished run, at the learning rate the panel has now.
  settings.epochs = 2;
  settings.learningRate = 0.0025;
  live->panel()->setSettings(settings);
  QCOMPARE(live->actions().continueRun->text(), QStringLiteral("&Continue for 2 more epochs"));
  live->actions().continueRun->trigger();
  QTRY_COMPARE_WITH_TIMEOUT(positionText(window), QStringLiteral("Epoch 5/5 (32/32) · step 160"),
                            120000);
  QTRY_COMPARE(session->state(), TrainingState::Finished);
  const QString continued = m_dir.filePath(QStringLiteral("continued.safetensors"));
  session->invoke(&TrainingWorker::saveCheckpoint, continued);
  QTRY_VERIFY(QFileInfo::exists(continued));
  QCOMPARE(metaOf(continued).optimizer.lr, 0.0025f);
  QCOMPARE(metaOf(continued).step, 160LL);
}

void TestRunLifecycle::learningRateChangesWhilePaused() {
  const QString path = m_dir.filePath(QStringLiteral("lr.safetensors"));
  MainWindow window(m_data, {});
  LiveTrainingView* live = window.live();
  live->actions().step->trigger();
  QTRY_COMPARE(live->session()->state(), TrainingState::Paused);
  auto* rate = live->panel()->findChild<QDoubleSpinBox*>(QStringLiteral("learningRate"));
  QTRY_VERIFY(rate->isEnabled());
  rate->setValue(0.02);
  live->actions().step->trigger();
  QTRY_VERIFY(live->inspector()->snapshot() && live->inspector()->snapshot()->step == 2);
  live->session()->invoke(&TrainingWorker::saveCheckpoint, path);
  QTRY_VERIFY(QFileInfo::exists(path));
  QCOMPARE(metaOf(path).optimizer.lr, 0.02f);
  QCOMPARE(metaOf(path).step, 2LL);
  // A rate typed, not entered, when Step is pressed (a shortcut leaves the focus in the field):
  // the step takes it, as the field shows it.
  rate->selectAll();
  QTest::keyClicks(rate, QStringLiteral("0.005"));
  QCOMPARE(rate->value(), 0.02);  // not read yet: a keystroke is no rate
  live->actions().step->trigger();
  QCOMPARE(rate->value(), 0.005);
  QTRY_VERIFY(live->inspector()->snapshot() && live->inspector()->snapshot()->step == 3);
  live->session()->invoke(&TrainingWorker::saveCheckpoint, path);
  QTRY_COMPARE(metaOf(path).step, 3LL);
  QCOMPARE(metaOf(path).optimizer.lr, 0.005f);
  live->unsavedRunGuard()->setAsker([](const QString&) { return Answer{Answer::Discard, {}}; });
}

void TestRunLifecycle::recentCheckpointsReopen() {
  MainWindow window(m_data, {});
  LiveTrainingView* live = window.live();
  QStringList questions;
  answerWith(live, &questions, {Answer::Discard, {}});
  RecentFiles* recent = live->recentCheckpoints();
  recent->clear();
  QMenu* menu = recent->menu();
  QVERIFY(window.menuBar()->actions().first()->menu()->actions().contains(menu->menuAction()));
  QVERIFY(!menu->isEnabled());  // nothing saved or loaded yet

  const QString first = m_dir.filePath(QStringLiteral("recent & first.safetensors"));
  const QString second = m_dir.filePath(QStringLiteral("recent-second.safetensors"));
  live->actions().step->trigger();
  QTRY_VERIFY(live->inspector()->snapshot() && live->inspector()->snapshot()->step == 1);
  live->session()->invoke(&TrainingWorker::saveCheckpoint, first);
  QTRY_COMPARE(recent->files(), QStringList{first});
  live->actions().step->trigger();
  QTRY_VERIFY(live->inspector()->snapshot() && live->inspector()->snapshot()->step == 2);
  live->session()->invoke(&TrainingWorker::saveCheckpoint, second);
  QTRY_COMPARE(recent->files(), (QStringList{second, first}));  // newest first
  QVERIFY(menu->isEnabled());
  Q_EMIT menu->aboutToShow();
  QList<QAction*> entries = menu->actions();
  QCOMPARE(entries.size(), 4);  // the two, a separator and Clear list
  QCOMPARE(entries[1]->text(), QStringLiteral("&2 recent && first.safetensors — %1")
                                   .arg(QDir::toNativeSeparators(m_dir.path())));
  QCOMPARE(entries[1]->toolTip(), QDir::toNativeSeparators(first));

  // Choosing the older one loads it (the run is back at its step) and makes it the newest.
  entries[1]->trigger();  // the load clears the inspector's snapshot before its own arrives
  QTRY_VERIFY(live->inspector()->snapshot() && live->inspector()->snapshot()->step == 1);
  QTRY_COMPARE(recent->files(), (QStringList{first, second}));
  QVERIFY(questions.isEmpty());  // the run at step 2 was saved: nothing to ask

  // At most kMaxFiles, the oldest dropped; a file gone from disk is not listed.
  QStringList copies;
  for (int i = 0; i < RecentFiles::kMaxFiles; ++i) {
    copies.prepend(m_dir.filePath(QStringLiteral("copy-%1.safetensors").arg(i)));
    QVERIFY(QFile::copy(first, copies.front()));
    recent->add(copies.front());
  }
  QCOMPARE(recent->files(), copies);
  QVERIFY(QFile::remove(copies[3]));
  copies.removeAt(3);
  QCOMPARE(recent->files(), copies);
  Q_EMIT menu->aboutToShow();
  entries = menu->actions();
  QCOMPARE(entries.size(), RecentFiles::kMaxFiles - 1 + 2);
  entries.last()->trigger();  // Clear list
  QVERIFY(recent->files().isEmpty());
  QVERIFY(!menu->isEnabled());
  // The entries name their folders as displayPath does: the home folder and below as "~".
  QCOMPARE(displayPath(QDir::homePath()), QStringLiteral("~"));
  QCOMPARE(displayPath(QDir::homePath() + QStringLiteral("/runs")),
           QDir::toNativeSeparators(QStringLiteral("~/runs")));
  QCOMPARE(displayPath(m_dir.path()), QDir::toNativeSeparators(m_dir.path()));
}

void TestRunLifecycle::saveCheckpointAsksForAFile() {
  MainWindow window(m_data, {});
  window.show();
  LiveTrainingView* live = window.live();
  for (int i = 0; i < 2; ++i) live->actions().step->trigger();
  QTRY_VERIFY(live->inspector()->snapshot() && live->inspector()->snapshot()->step == 2);
  QTRY_VERIFY(live->unsavedRunGuard()->isUnsaved());

  // The dialog proposes the step's name in the folder of the last file; a path chosen there
  // gets the checkpoint.
  rememberFileFolder(m_dir.filePath(QStringLiteral("anything")));
  const QString chosen = m_dir.filePath(QStringLiteral("from-the-dialog.safetensors"));
  const SaveDialogAnswer answer(chosen);
  live->actions().saveCheckpoint->trigger();
  QCOMPARE(answer.title(), QStringLiteral("Save checkpoint"));
  QCOMPARE(QFileInfo(answer.proposed()),
           QFileInfo(m_dir.filePath(QStringLiteral("convscope-step2.safetensors"))));
  QTRY_VERIFY(!live->unsavedRunGuard()->isUnsaved());
  QVERIFY2(QFileInfo::exists(chosen), qPrintable(live->recentCheckpoints()->files().value(0)));
  QCOMPARE(metaOf(chosen).step, 2LL);
  QCOMPARE(live->recentCheckpoints()->files().value(0), chosen);
}

// A checkpoint keeps its run's random shift, and loading it brings the shift into the panel with
// the run's other settings, locked like the batch size while the loaded run is paused; the run
// goes on with it, whatever the panel said before the load.
void TestRunLifecycle::aCheckpointBringsItsRandomShift() {
  const QString path = m_dir.filePath(QStringLiteral("shifted.safetensors"));
  const QString after = m_dir.filePath(QStringLiteral("shifted-after.safetensors"));
  MainWindow window(m_data, {});
  LiveTrainingView* live = window.live();
  TrainingSession* session = live->session();
  QStringList questions;
  answerWith(live, &questions, {Answer::Discard, {}});
  auto* shift = live->panel()->findChild<QSpinBox*>(QStringLiteral("augmentShift"));
  auto* batch = live->panel()->findChild<QSpinBox*>(QStringLiteral("batchSize"));
  QVERIFY(shift && batch);
  shift->setValue(2);
  live->actions().step->trigger();
  QTRY_COMPARE(session->state(), TrainingState::Paused);
  QTRY_VERIFY(!shift->isEnabled());
  QVERIFY(!batch->isEnabled());
  session->invoke(&TrainingWorker::saveCheckpoint, path);
  QTRY_VERIFY(!live->unsavedRunGuard()->isUnsaved());
  QCOMPARE(metaOf(path).augment_shift, 2);

  live->actions().reset->trigger();
  QTRY_COMPARE(session->state(), TrainingState::Idle);
  QTRY_VERIFY(shift->isEnabled());
  shift->setValue(0);
  live->loadCheckpoint(path);
  QTRY_COMPARE(session->state(), TrainingState::Paused);
  QTRY_COMPARE(shift->value(), 2);
  QCOMPARE(live->panel()->settings().augmentShift, 2);
  QVERIFY(!shift->isEnabled());
  QVERIFY(!batch->isEnabled());
  live->actions().step->trigger();
  QTRY_VERIFY(live->inspector()->snapshot() && live->inspector()->snapshot()->step == 2);
  session->invoke(&TrainingWorker::saveCheckpoint, after);
  QTRY_VERIFY(QFileInfo::exists(after) && !live->unsavedRunGuard()->isUnsaved());
  QCOMPARE(metaOf(after).step, 2LL);
  QCOMPARE(metaOf(after).augment_shift, 2);
  QVERIFY(questions.isEmpty());

  live->actions().reset->trigger();  // the next suite's window starts without a shift
  QTRY_COMPARE(session->state(), TrainingState::Idle);
  QTRY_VERIFY(shift->isEnabled());
  shift->setValue(0);
}

QTEST_MAIN(TestRunLifecycle)
#include "test_run_lifecycle.moc"
