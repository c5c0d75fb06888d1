// UnsavedRunGuard's question follows the run as the worker reports it: the steps trained since the
// run was last saved, or, once a divergence took the run back behind the step saved, that no file
// holds it, whatever step it reaches again. A save it asked for ends in its action, or the action
// dropped when the run was set training meanwhile.
#include <QSignalSpy>
#include <QTest>

#include "training/training_session.h"
#include "window/unsaved_run_guard.h"

class TestUnsavedRunGuard : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void theQuestionNamesWhatIsNotSaved();
  void trainingRequestedDuringTheSaveDropsTheAction();
};

void TestUnsavedRunGuard::theQuestionNamesWhatIsNotSaved() {
  TrainingSession session;
  UnsavedRunGuard guard(&session, nullptr);
  QStringList questions;
  guard.setAsker([&](const QString& question) {
    questions << question;
    return UnsavedRunGuard::Answer{};  // Cancel
  });
  TrainingWorker* worker = session.worker();
  const auto reachStep = [worker](long long step) {  // as the worker reports it
    TrainingProgress progress;
    progress.globalStep = step;
    Q_EMIT worker->progress(progress);
  };
  int proceeded = 0;
  const auto reset = [&] { guard.confirm(QStringLiteral("Reset"), {}, [&] { ++proceeded; }); };

  reset();  // nothing trained: nothing to ask
  QCOMPARE(proceeded, 1);
  reachStep(40);
  Q_EMIT worker->checkpointSaved(QStringLiteral("run.safetensors"), 40);
  reset();  // saved where it stands
  QCOMPARE(proceeded, 2);
  reachStep(47);
  reset();
  QCOMPARE(questions.size(), 1);
  QCOMPARE(questions.back(),
           QStringLiteral("Reset discards the current run: 7 trained steps are not saved."));
  const auto divergeBackTo = [&](long long step) {  // as the worker reports a divergence
    reachStep(step);
    Q_EMIT worker->historyTakenBack(std::make_shared<const cs::RunHistory>());
  };
  divergeBackTo(32);  // a divergence at step 48 took it back to the end of epoch 1
  reset();
  QCOMPARE(questions.size(), 2);
  const QString noFile = QStringLiteral(
      "Reset discards the current run: no file holds it since a divergence took it back to step "
      "32.");
  QCOMPARE(questions.back(), noFile);
  reachStep(40);  // trained again to the step saved, at another learning rate: not the file's
  reset();
  QCOMPARE(questions.size(), 3);
  QCOMPARE(questions.back(), noFile);
  QCOMPARE(proceeded, 2);  // Cancel

  // Saved again, then taken back no further than the save: the steps since still count.
  Q_EMIT worker->checkpointSaved(QStringLiteral("run.safetensors"), 40);
  reachStep(70);
  divergeBackTo(64);
  reset();
  QCOMPARE(questions.back(),
           QStringLiteral("Reset discards the current run: 24 trained steps are not saved."));
}

// Save, then Resume (or Step, Continue) pressed before the file was written (a slow disk): the
// worker takes the request only after the save, so the guard hears of the save first, with the run
// still paused. Resuming said the run is wanted on: the action is dropped, and the save's message
// says so. Without a request the action follows the save; asked while the run trained, it follows
// too: the run trains on during that save, as the question said.
void TestUnsavedRunGuard::trainingRequestedDuringTheSaveDropsTheAction() {
  TrainingSession session;
  UnsavedRunGuard guard(&session, nullptr);
  int questions = 0;
  guard.setAsker([&](const QString&) {
    ++questions;
    return UnsavedRunGuard::Answer{UnsavedRunGuard::Answer::Save, QStringLiteral("a")};
  });
  QSignalSpy messages(&guard, &UnsavedRunGuard::statusMessage);
  TrainingWorker* worker = session.worker();
  TrainingProgress progress;
  progress.globalStep = 40;
  Q_EMIT worker->progress(progress);
  Q_EMIT worker->stateChanged(TrainingState::Paused);
  int loads = 0;
  const auto load = [&] {
    guard.confirm(QStringLiteral("Loading a checkpoint"), {}, [&] { ++loads; });
  };
  load();
  QVERIFY(guard.savePending());
  guard.trainingRequested();  // Resume, queued behind the save
  Q_EMIT worker->checkpointSaved(QStringLiteral("a"), 40);
  QCOMPARE(loads, 0);
  QCOMPARE(questions, 1);  // not asked again
  QVERIFY(!guard.savePending());
  QCOMPARE(messages.size(), 1);
  QCOMPARE(messages.back().front().toString(),
           QStringLiteral("Saved checkpoint a; Loading a checkpoint was not done: the run was set "
                          "training while it was saved"));

  progress.globalStep = 46;  // it trained, and paused again: asked, saved, loaded
  Q_EMIT worker->progress(progress);
  guard.trainingRequested();  // no save pending: nothing to drop
  load();
  Q_EMIT worker->checkpointSaved(QStringLiteral("a"), 46);
  QCOMPARE(loads, 1);
  QCOMPARE(messages.back().front().toString(), QStringLiteral("Saved checkpoint a"));

  Q_EMIT worker->stateChanged(TrainingState::Running);
  progress.globalStep = 52;
  Q_EMIT worker->progress(progress);
  guard.confirm(QStringLiteral("Reset"), {}, [&] { ++loads; });  // asked while training
  guard.trainingRequested();
  Q_EMIT worker->checkpointSaved(QStringLiteral("a"), 52);
  QCOMPARE(loads, 2);
}

QTEST_MAIN(TestUnsavedRunGuard)
#include "test_unsaved_run_guard.moc"
