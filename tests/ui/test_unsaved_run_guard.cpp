// UnsavedRunGuard's question follows the run as the worker reports it: the steps trained since the
// run was last saved, or, once a divergence took the run back behind the step saved, that no file
// holds it, whatever step it reaches again. A save it asked for ends in its action, a new question,
// or the action dropped, as the run stands then.
#include <QSignalSpy>
#include <QTest>

#include "training/training_session.h"
#include "window/unsaved_run_guard.h"

class TestUnsavedRunGuard : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void theQuestionNamesWhatIsNotSaved();
  void aRunResumedDuringTheSaveIsAskedAboutAgain();
  void aRunResumedAndTrainingWhenSavedDropsTheAction();
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

// Save, then the run resumed and paused again before the file was written (a slow disk): the action
// waits for a new answer about the steps trained since, instead of discarding them.
void TestUnsavedRunGuard::aRunResumedDuringTheSaveIsAskedAboutAgain() {
  TrainingSession session;
  UnsavedRunGuard guard(&session, nullptr);
  QStringList questions;
  QList<UnsavedRunGuard::Answer> answers{{UnsavedRunGuard::Answer::Save, QStringLiteral("a")},
                                         {UnsavedRunGuard::Answer::Save, QStringLiteral("b")}};
  guard.setAsker([&](const QString& question) {
    questions << question;
    return answers.takeFirst();
  });
  TrainingWorker* worker = session.worker();
  TrainingProgress progress;
  progress.globalStep = 40;
  Q_EMIT worker->progress(progress);
  int resets = 0;
  guard.confirm(QStringLiteral("Reset"), {}, [&] { ++resets; });
  QCOMPARE(questions.size(), 1);
  QVERIFY(guard.savePending());
  Q_EMIT worker->stateChanged(TrainingState::Running);
  progress.globalStep = 46;  // resumed: six more steps while "a" was written at step 40
  Q_EMIT worker->progress(progress);
  Q_EMIT worker->stateChanged(TrainingState::Paused);
  Q_EMIT worker->checkpointSaved(QStringLiteral("a"), 40);
  QCOMPARE(resets, 0);
  QCOMPARE(questions.size(), 2);
  QCOMPARE(questions.back(),
           QStringLiteral("Reset discards the current run: 6 trained steps are not saved."));
  Q_EMIT worker->checkpointSaved(QStringLiteral("b"), 46);  // saved as it stands: it goes on
  QCOMPARE(resets, 1);
}

// Save, then the run resumed and still training when the file is written: resuming said the run is
// wanted on, so the action is dropped, and the save's message says so. A question asked while the
// run trained is not: the run trains on during that save, as the question said.
void TestUnsavedRunGuard::aRunResumedAndTrainingWhenSavedDropsTheAction() {
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
  guard.confirm(QStringLiteral("Loading a checkpoint"), {}, [&] { ++loads; });
  QVERIFY(guard.savePending());
  Q_EMIT worker->stateChanged(TrainingState::Running);
  progress.globalStep = 46;
  Q_EMIT worker->progress(progress);
  Q_EMIT worker->checkpointSaved(QStringLiteral("a"), 40);
  QCOMPARE(loads, 0);
  QCOMPARE(questions, 1);  // not asked again
  QVERIFY(!guard.savePending());
  QCOMPARE(messages.size(), 1);
  QCOMPARE(messages.back().front().toString(),
           QStringLiteral("Saved checkpoint a; Loading a checkpoint was not done: the run was "
                          "resumed while it was saved"));

  guard.confirm(QStringLiteral("Reset"), {}, [&] { ++loads; });  // asked while training
  QCOMPARE(questions, 2);
  progress.globalStep = 52;
  Q_EMIT worker->progress(progress);
  Q_EMIT worker->checkpointSaved(QStringLiteral("a"), 46);
  QCOMPARE(loads, 1);
  QCOMPARE(messages.back().front().toString(), QStringLiteral("Saved checkpoint a"));
}

QTEST_MAIN(TestUnsavedRunGuard)
#include "test_unsaved_run_guard.moc"
