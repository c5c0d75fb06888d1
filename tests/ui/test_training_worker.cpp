// The training worker's state machine, driven through the TrainingSession as the UI drives it:
// Idle → Running ⇄ Paused (Step runs one batch) → Stopped / Finished; Reset back to Idle.
// Real training on a small dataset (the first MNIST images when installed).
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "test_data.h"
#include "training/training_session.h"

class TestTrainingWorker : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void startPauseStepResumeStopReset();
  void stepFromIdleStartsAPausedRun();
  void runsToFinishedWithAnEvaluation();
  void framesFollowTheProbe();
  void invalidArchitectureIsReported();
  void divergenceStopsTheRunAndKeepsTheHistory();
  void checkpointRoundTrip();

 private:
  struct Recorder {
    explicit Recorder(TrainingSession& session);
    TrainingProgress last;
    long long lossPoints = 0;
    std::vector<EvaluationReport> evaluations;
    SnapshotPtr frame;
    QStringList failures;
  };
  DatasetPtr m_data;
};

TestTrainingWorker::Recorder::Recorder(TrainingSession& session) {
  QObject::connect(&session, &TrainingSession::progress, &session,
                   [this](const TrainingProgress& p) {
                     last = p;
                     lossPoints += static_cast<long long>(p.losses.size());
                   });
  QObject::connect(&session, &TrainingSession::evaluated, &session,
                   [this](const EvaluationReport& r) { evaluations.push_back(r); });
  QObject::connect(&session, &TrainingSession::snapshotReady, &session,
                   [this](SnapshotPtr s) { frame = std::move(s); });
  QObject::connect(&session, &TrainingSession::failed, &session,
                   [this](const QString& title, const QString& message) {
                     failures << title + QStringLiteral(": ") + message;
                   });
}

void TestTrainingWorker::initTestCase() {
  bool real = false;
  m_data = testing_data::smallDataset(1024, 256, &real);
  qInfo("training on %s", real ? "the first MNIST images" : "a synthetic dataset");
}

void TestTrainingWorker::startPauseStepResumeStopReset() {
  TrainingSession session;
  Recorder rec(session);
  QSignalSpy states(&session, &TrainingSession::stateChanged);
  QSignalSpy started(&session, &TrainingSession::runStarted);
  QSignalSpy cleared(&session, &TrainingSession::runCleared);
  session.setDataset(m_data);
  const RunRequest run = testing_data::smallRun(*m_data, 20);

  session.start(run);
  QTRY_COMPARE(session.state(), TrainingState::Running);
  QCOMPARE(started.count(), 1);
  QCOMPARE(started.front().front().value<RunInfo>().stepsPerEpoch, 1024 / 32);
  QTRY_VERIFY(rec.last.globalStep > 3);

  session.pause();
  QTRY_COMPARE(session.state(), TrainingState::Paused);
  QTest::qWait(300);  // nothing trains while paused
  const long long paused = rec.last.globalStep;
  QTest::qWait(300);
  QCOMPARE(rec.last.globalStep, paused);
  QCOMPARE(rec.lossPoints, paused);  // every step's loss reached the UI

  QSignalSpy frames(&session, &TrainingSession::snapshotReady);
  session.step(run);
  QTRY_COMPARE(rec.last.globalStep, paused + 1);
  QCOMPARE(session.state(), TrainingState::Paused);
  QTRY_COMPARE(frames.count(), 1);  // the stepped batch's own frame
  QCOMPARE(rec.frame->step, paused);

  session.resume();
  QTRY_COMPARE(session.state(), TrainingState::Running);
  QTRY_VERIFY(rec.last.globalStep > paused + 3);

  session.stop();
  QTRY_COMPARE(session.state(), TrainingState::Stopped);
  session.resume();  // not from Stopped
  QTest::qWait(200);
  QCOMPARE(session.state(), TrainingState::Stopped);

  session.reset();
  QTRY_COMPARE(session.state(), TrainingState::Idle);
  QCOMPARE(cleared.count(), 1);
  QCOMPARE(states.count(), 5);  // Running Paused Running Stopped Idle (Step stays Paused)
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
}

void TestTrainingWorker::stepFromIdleStartsAPausedRun() {
  TrainingSession session;
  Recorder rec(session);
  session.setDataset(m_data);
  session.step(testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE(session.state(), TrainingState::Paused);
  QTRY_COMPARE(rec.last.globalStep, 1LL);
  QTRY_VERIFY(rec.frame != nullptr);
  QCOMPARE(rec.frame->step, 0LL);
  QCOMPARE(rec.frame->layers.size(), size_t(4));  // conv, pool, dense 16, dense 10
}

void TestTrainingWorker::runsToFinishedWithAnEvaluation() {
  TrainingSession session;
  Recorder rec(session);
  session.setDataset(m_data);
  session.start(testing_data::smallRun(*m_data, 2));
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  QCOMPARE(rec.last.globalStep, 2LL * 1024 / 32);
  QCOMPARE(rec.lossPoints, rec.last.globalStep);
  QCOMPARE(rec.evaluations.size(), size_t(2));
  const EvaluationReport& last = rec.evaluations.back();
  QVERIFY(last.epochEnd);
  QCOMPARE(last.epoch, 2.0);
  QCOMPARE(last.step, rec.last.globalStep);
  QVERIFY(last.result);
  QCOMPARE(last.result->count, m_data->test.count);
  QVERIFY2(last.valAccuracy > 0.3, qPrintable(QString::number(last.valAccuracy)));  // it learns
  QVERIFY(last.valLoss < rec.evaluations.front().valLoss + 0.5);
  QCOMPARE(rec.last.epoch, 2);
  QCOMPARE(rec.last.etaSeconds, 0.0);

  // Evaluated again after the run: the same place on the epoch axis, not one epoch further.
  session.evaluateNow();
  QTRY_COMPARE(rec.evaluations.size(), size_t(3));
  QCOMPARE(rec.evaluations.back().epoch, 2.0);
  QVERIFY(!rec.evaluations.back().epochEnd);
}

void TestTrainingWorker::framesFollowTheProbe() {
  TrainingSession session;
  Recorder rec(session);
  QSignalSpy frames(&session, &TrainingSession::snapshotReady);
  session.setDataset(m_data);
  session.start(testing_data::smallRun(*m_data, 50));
  QTRY_VERIFY(frames.count() >= 3);  // frames keep coming while it trains…
  QTRY_VERIFY(rec.frame->step > 0);
  QVERIFY(rec.last.globalStep > frames.count());  // …but not one per step
  session.pause();
  QTRY_COMPARE(session.state(), TrainingState::Paused);
  session.setProbe(17);  // paused: captured at once from the current weights
  QTRY_COMPARE(rec.frame->probe, 17);
  QCOMPARE(rec.frame->label, int(m_data->test.labels[17]));
  QCOMPARE(rec.frame->input.size(), size_t(28 * 28));
  QCOMPARE(rec.frame->input[14 * 28 + 14], m_data->test.image(17)[14 * 28 + 14] / 255.f);
  session.stop();
  QTRY_COMPARE(session.state(), TrainingState::Stopped);
}

void TestTrainingWorker::invalidArchitectureIsReported() {
  TrainingSession session;
  Recorder rec(session);
  session.setDataset(m_data);
  RunRequest run = testing_data::smallRun(*m_data, 1);
  run.config.group.spec.layers.front().kernel = 40;
  session.start(run);
  QTRY_COMPARE(rec.failures.size(), 1);
  QVERIFY2(rec.failures.front().contains(QStringLiteral("layer 1")),
           qPrintable(rec.failures.front()));
  QCOMPARE(session.state(), TrainingState::Idle);
}

void TestTrainingWorker::divergenceStopsTheRunAndKeepsTheHistory() {
  TrainingSession session;
  Recorder rec(session);
  session.setDataset(m_data);
  RunRequest run = testing_data::smallRun(*m_data, 5);
  run.config.group.optimizer.lr = 3e38f;  // Adam steps of ~lr: the weights overflow at once
  session.start(run);
  QTRY_COMPARE_WITH_TIMEOUT(rec.failures.size(), 1, 20000);
  QVERIFY2(rec.failures.front().startsWith(QStringLiteral("Training diverged")),
           qPrintable(rec.failures.front()));
  QVERIFY(rec.failures.front().contains(QStringLiteral("NaN")));
  QCOMPARE(session.state(), TrainingState::Stopped);
  QVERIFY(rec.lossPoints > 0);  // the losses before it diverged reached the UI
}

void TestTrainingWorker::checkpointRoundTrip() {
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("live.safetensors"));
  TrainingSession session;
  Recorder rec(session);
  QSignalSpy saved(&session, &TrainingSession::checkpointSaved);
  QSignalSpy loaded(&session, &TrainingSession::checkpointLoaded);
  session.setDataset(m_data);
  const RunRequest run = testing_data::smallRun(*m_data, 3);
  for (int i = 0; i < 12; ++i) session.step(run);
  QTRY_COMPARE(rec.last.globalStep, 12LL);
  QCOMPARE(session.state(), TrainingState::Paused);
  session.evaluateNow();
  QTRY_COMPARE(rec.evaluations.size(), size_t(1));
  const double accuracy = rec.evaluations.back().valAccuracy;
  session.saveCheckpoint(path);
  QTRY_COMPARE(saved.count(), 1);
  QVERIFY(QFileInfo(path).size() > 0);

  session.reset();
  QTRY_COMPARE(session.state(), TrainingState::Idle);
  session.loadCheckpoint(path, testing_data::smallRun(*m_data, 3));
  QTRY_COMPARE(loaded.count(), 1);
  QCOMPARE(session.state(), TrainingState::Paused);
  const auto meta = loaded.front().at(1).value<cs::CheckpointMeta>();
  QCOMPARE(meta.spec, run.config.group.spec);
  QTRY_COMPARE(rec.evaluations.size(), size_t(2));  // loading evaluates the restored weights
  QCOMPARE(rec.evaluations.back().valAccuracy, accuracy);
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
}

QTEST_MAIN(TestTrainingWorker)
#include "test_training_worker.moc"
