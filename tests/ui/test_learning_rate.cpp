// The learning rate of a training run, driven through the TrainingSession as the UI drives it: a
// new rate set while paused takes effect from the next step and is saved with the checkpoint; a
// schedule's run reports the rate of its next step and each loss its step's rate.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <utility>
#include <vector>

#include "convscope/checkpoint.h"
#include "test_data.h"
#include "training/training_session.h"
#include "training_recorder.h"

class TestLearningRate : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void learningRateChangeWhilePausedTakesEffect();
  void aScheduledRunReportsTheRateOfItsNextStep();

 private:
  DatasetPtr m_data;
  QTemporaryDir m_dir;  // the checkpoints, each test its own file names
};

void TestLearningRate::initTestCase() {
  m_data = workerTestData();
}

void TestLearningRate::learningRateChangeWhilePausedTakesEffect() {
  const QString path = m_dir.filePath(QStringLiteral("lr.safetensors"));
  Session s(m_data);
  auto& [session, rec] = s;
  QSignalSpy saved(&rec, &Recorder::checkpointSaved);
  const RunRequest run = testing_data::smallRun(*m_data, 1);
  const auto evaluate = [&] {
    const size_t n = rec.evaluations.size();
    session.invoke(&TrainingWorker::evaluateNow);
    if (!QTest::qWaitFor([&] { return rec.evaluations.size() > n; }, 10000)) return -1.0;
    return rec.evaluations.back().metrics.val_loss;
  };
  for (int i = 0; i < 3; ++i) session.invoke(&TrainingWorker::step, run);
  QTRY_COMPARE(rec.last.globalStep, 3LL);
  const double before = evaluate();
  session.invoke(&TrainingWorker::step, run);
  const double afterStep = evaluate();
  QVERIFY2(std::abs(afterStep - before) > 1e-4, "a step at the run's rate moves the loss");

  session.invoke(&TrainingWorker::setLearningRate, 1e-9, cs::LrSchedule());
  QCOMPARE(evaluate(), afterStep);  // the weights and the step count carry over…
  QCOMPARE(rec.last.globalStep, 4LL);
  QCOMPARE(rec.last.stepInEpoch, 4);  // …and the epoch goes on where it was
  QCOMPARE(session.state(), TrainingState::Paused);
  session.invoke(&TrainingWorker::step, run);
  QTRY_COMPARE(rec.last.globalStep, 5LL);
  QVERIFY2(std::abs(evaluate() - afterStep) < 1e-5, "…and the next step uses the new rate");
  session.invoke(&TrainingWorker::saveCheckpoint, path);
  QTRY_COMPARE(saved.count(), 1);
  QCOMPARE(cs::read_checkpoint_meta(path.toStdString()).optimizer.lr, 1e-9f);
  QCOMPARE(cs::read_checkpoint_meta(path.toStdString()).epoch_position, 5 * 32);
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
}

// Under step:1:0.5 (32 steps an epoch) the progress says the rate of the next step: halved from
// the first step of epoch 2, and each loss reported carries its step's rate. A new rate or
// schedule while paused goes on from the run's step; a constant rate reports no next rate.
void TestLearningRate::aScheduledRunReportsTheRateOfItsNextStep() {
  RunRequest run = testing_data::smallRun(*m_data, 2);
  const float lr = run.config.group.optimizer.lr;
  {
    Session constant(m_data);
    constant.session.invoke(&TrainingWorker::step, run);
    QTRY_COMPARE(constant.rec.last.globalStep, 1LL);
    QCOMPARE(constant.rec.last.scheduledRate, -1.0);
  }
  Session s(m_data);
  auto& [session, rec] = s;
  std::vector<std::pair<long long, double>> rates;  // (step, rate) of every loss reported
  connect(session.worker(), &TrainingWorker::progress, &rec, [&rates](const TrainingProgress& p) {
    for (const cs::LossPoint& l : p.losses) rates.emplace_back(l.step, l.lr);
  });
  QSignalSpy started(&rec, &Recorder::runStarted);
  run.config.group.optimizer.schedule = cs::LrSchedule::parse("step:1:0.5");
  session.invoke(&TrainingWorker::step, run);
  QTRY_COMPARE(rec.last.globalStep, 1LL);
  QCOMPARE(rec.last.scheduledRate, double(lr));
  // The run's description names its schedule, so the previous run's key can say it.
  QVERIFY(started.front().front().value<RunInfo>().description.contains(" · step:1:0.5 · "));
  for (long long t = 2; t <= kStepsPerEpoch; ++t) session.invoke(&TrainingWorker::step, run);
  QTRY_COMPARE(rec.last.globalStep, kStepsPerEpoch);
  QCOMPARE(rec.last.scheduledRate, 0.5 * lr);          // step 33 begins epoch 2
  QTRY_COMPARE(rates.size(), size_t(kStepsPerEpoch));  // the epoch's end drained them all
  for (long long step = 0; step < kStepsPerEpoch; ++step)
    QCOMPARE(rates[step], std::make_pair(step, double(lr)));
  session.invoke(&TrainingWorker::setLearningRate, 0.01, run.config.group.optimizer.schedule);
  QTRY_COMPARE(rec.last.scheduledRate, 0.5 * double(0.01f));
  session.invoke(&TrainingWorker::step, run);  // the loss of that step carries its new rate
  QTRY_COMPARE(rates.size(), size_t(kStepsPerEpoch + 1));
  QCOMPARE(rates.back(), std::make_pair(kStepsPerEpoch, 0.5 * double(0.01f)));
  session.invoke(&TrainingWorker::setLearningRate, 0.01, cs::LrSchedule::parse("step:1:0.1"));
  QTRY_COMPARE(rec.last.scheduledRate, double(float(double(0.1f) * double(0.01f))));  // a float
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
}

QTEST_MAIN(TestLearningRate)
#include "test_learning_rate.moc"
