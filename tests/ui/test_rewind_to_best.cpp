// Training ▸ Rewind to best epoch in the main window: disabled until an epoch has ended, while
// training and where the run already stands at its best epoch; after an early stop it names the
// best epoch, asks before the later epochs go, and returns the window to that epoch (the status
// bar's position, the charts with the dropped epochs as the previous run, a status message, the
// dead units counted again). A new run has nothing to rewind to. File ▸ Save best epoch as…
// writes that epoch's checkpoint while the run stays where it is and unsaved, or saves the run
// where it stands at its best.
#include <QAction>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "charts/training_charts.h"
#include "convscope/checkpoint.h"
#include "network/network_inspector.h"
#include "save_dialog_answer.h"
#include "settings/hyperparameter_panel.h"
#include "test_data.h"
#include "training/training_session.h"
#include "widgets/file_dialogs.h"
#include "widgets/recent_files.h"
#include "window/live_training_view.h"
#include "window/main_window.h"
#include "window/training_status_bar.h"
#include "window/unsaved_run_guard.h"

class TestRewindToBest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void rewindReturnsTheWindowToTheBestEpoch();
  void saveBestEpochWritesItAndTheRunStays();

 private:
  // Patience 2 on 64 images at a high rate, trained until it stops early: the best epoch.
  static int trainUntilEarlyStop(LiveTrainingView* live);
  DatasetPtr m_data;
};

void TestRewindToBest::initTestCase() {
  Q_INIT_RESOURCE(convscope);
  testing_data::resetSettings();
  m_data = testing_data::smallDataset(64, 100);
}

int TestRewindToBest::trainUntilEarlyStop(LiveTrainingView* live) {
  TrainingSettings settings = live->panel()->settings();
  settings.epochs = 300;
  settings.learningRate = 0.01;
  settings.patience = 2;
  live->panel()->setSettings(settings);
  live->actions().start->trigger();
  [&] { QTRY_COMPARE_WITH_TIMEOUT(live->session()->state(), TrainingState::Finished, 120000); }();
  const std::vector<cs::EvaluationRecord> passes = live->history().evaluations();
  int best = 0;
  for (const cs::EvaluationRecord& e : passes)
    if (best == 0 || e.val_loss < passes[best - 1].val_loss) best = static_cast<int>(e.epoch);
  return best;
}

void TestRewindToBest::rewindReturnsTheWindowToTheBestEpoch() {
  MainWindow window(m_data, {});
  window.show();
  LiveTrainingView* live = window.live();
  TrainingSession* session = live->session();
  QAction* rewind = live->actions().rewindToBest;
  QVERIFY(!rewind->isEnabled());
  QStringList questions;
  live->unsavedRunGuard()->setAsker([&questions](const QString& question) {
    questions << question;
    return UnsavedRunGuard::Answer{UnsavedRunGuard::Answer::Discard, {}};
  });
  const int best = trainUntilEarlyStop(live);
  QCOMPARE(session->state(), TrainingState::Finished);
  const std::vector<cs::EvaluationRecord> passes = live->history().evaluations();
  const int stop = static_cast<int>(passes.back().epoch);
  QCOMPARE(stop, best + 2);
  QTRY_VERIFY(rewind->isEnabled());
  QCOMPARE(rewind->text(), QStringLiteral("Re&wind to best epoch (%1)").arg(best));

  TrainingSettings settings = live->panel()->settings();  // a rate for the next run
  settings.learningRate = 0.005;
  live->panel()->setSettings(settings);
  cs::DeadUnits stale;  // in place of the last evaluation's counts: the rewind must replace them
  stale.images = 1;
  live->inspector()->setDeadUnits(stale);
  rewind->trigger();
  QCOMPARE(questions.size(), 1);
  QCOMPARE(questions[0], QStringLiteral("Rewinding to epoch %1 discards the epochs after it: %2 "
                                        "trained steps are not saved.")
                             .arg(best)
                             .arg(2 * stop));
  QTRY_COMPARE(session->state(), TrainingState::Paused);
  auto* position = window.trainingStatusBar()->findChild<QLabel*>(QStringLiteral("positionLabel"));
  QTRY_COMPARE(position->text(),
               QStringLiteral("Epoch %1/300 (0/2) · step %2").arg(best + 1).arg(2 * best));
  QTRY_COMPARE(window.trainingStatusBar()->currentMessage(),
               QStringLiteral("Rewound to the end of epoch %1, the best (step %2) · Resume trains "
                              "on to epoch 300")
                   .arg(best)
                   .arg(2 * best));
  QCOMPARE(live->history().evaluations().back().val_loss, passes[best - 1].val_loss);
  // The rewound weights' dead units were counted anew.
  QTRY_COMPARE(live->inspector()->deadUnits().images, m_data->test.count);
  QVERIFY(!live->inspector()->deadUnits().layers.empty());
  QCOMPARE(live->panel()->settings().learningRate, 0.01);  // the rewound run's, shown again
  live->charts()->refresh();
  QCOMPARE(live->charts()->plottedPreviousLoss().size(), qsizetype(2 * stop));
  QVERIFY(!rewind->isEnabled());  // there already

  live->actions().continueRun->trigger();
  QTRY_COMPARE_WITH_TIMEOUT(session->state(), TrainingState::Finished, 120000);
  live->actions().reset->trigger();
  QTRY_COMPARE(session->state(), TrainingState::Idle);
  QVERIFY(!rewind->isEnabled());
  QCOMPARE(rewind->text(), QStringLiteral("Re&wind to best epoch"));
}

void TestRewindToBest::saveBestEpochWritesItAndTheRunStays() {
  MainWindow window(m_data, {});
  window.show();
  LiveTrainingView* live = window.live();
  TrainingSession* session = live->session();
  UnsavedRunGuard* guard = live->unsavedRunGuard();
  guard->setAsker([](const QString&) {
    return UnsavedRunGuard::Answer{UnsavedRunGuard::Answer::Discard, {}};
  });
  QAction* save = live->actions().saveBestEpoch;
  QVERIFY(!save->isEnabled());
  const int best = trainUntilEarlyStop(live);
  QCOMPARE(session->state(), TrainingState::Finished);
  const size_t trained = live->history().losses().size();
  QTRY_VERIFY(save->isEnabled());
  QCOMPARE(save->text(), QStringLiteral("Save &best epoch (%1) as…").arg(best));

  // The dialog proposes the best epoch's name; the file holds that epoch, the run stays.
  QTemporaryDir dir;
  rememberFileFolder(dir.filePath(QStringLiteral("anything")));
  const QString chosen = dir.filePath(QStringLiteral("best.safetensors"));
  {
    const SaveDialogAnswer answer(chosen);
    save->trigger();
    QCOMPARE(answer.title(), QStringLiteral("Save best epoch"));
    QCOMPARE(
        QFileInfo(answer.proposed()),
        QFileInfo(dir.filePath(
            QStringLiteral("convscope-best-epoch%1-step%2.safetensors").arg(best).arg(2 * best))));
  }
  QTRY_COMPARE(window.trainingStatusBar()->currentMessage(),
               QStringLiteral("Saved the best epoch, %1 (step %2), as %3")
                   .arg(best)
                   .arg(2 * best)
                   .arg(QDir::toNativeSeparators(chosen)));
  const cs::CheckpointMeta meta = cs::read_checkpoint_meta(chosen.toStdString());
  QCOMPARE(meta.epoch, best);
  QCOMPARE(meta.step, 2LL * best);
  QCOMPARE(meta.history.evaluations.size(), size_t(best));
  QCOMPARE(live->recentCheckpoints()->files().value(0), chosen);
  QCOMPARE(session->state(), TrainingState::Finished);
  QCOMPARE(live->history().losses().size(), trained);
  QVERIFY(guard->isUnsaved());  // the epochs after the best are in no file

  // Loaded, the run stands at its best epoch: saving it is saving the run.
  live->loadCheckpoint(chosen);
  QTRY_COMPARE(session->state(), TrainingState::Paused);
  QTRY_VERIFY(save->isEnabled());
  const QString again = dir.filePath(QStringLiteral("again.safetensors"));
  {
    const SaveDialogAnswer answer(again);
    save->trigger();
  }
  QTRY_COMPARE(window.trainingStatusBar()->currentMessage(),
               QStringLiteral("Saved checkpoint %1").arg(QDir::toNativeSeparators(again)));
  QCOMPARE(cs::read_checkpoint_meta(again.toStdString()).step, 2LL * best);
  QVERIFY(!guard->isUnsaved());
}

QTEST_MAIN(TestRewindToBest)
#include "test_rewind_to_best.moc"
