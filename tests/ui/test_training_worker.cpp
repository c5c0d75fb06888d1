// The training worker's state machine, driven through the TrainingSession as the UI drives it:
// Idle → Running ⇄ Paused (Step runs one batch) → Stopped / Finished; Reset back to Idle.
// Real training on a small dataset (the first MNIST images when installed). Checkpoints:
// test_training_checkpoints.cpp; the learning rate changed while paused and a schedule's rates:
// test_learning_rate.cpp.
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "charts/training_charts.h"
#include "convscope/checkpoint.h"
#include "test_data.h"
#include "training/training_session.h"
#include "training_recorder.h"

class TestTrainingWorker : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void startPauseStepResumeStopReset();
  void stepFromIdleStartsAPausedRun();
  void runsToFinishedWithAnEvaluation();
  void framesFollowTheProbe();
  void aProbeBeyondTheValidationSetStartsOver();
  void invalidArchitectureIsReported();
  void aStepQueuedBehindTheLastLeavesTheFinishedRun();
  void aNewRunShowsNoFrameOfTheRunBefore();
  void divergenceTakesTheRunAndItsHistoryBack();
  void aRunThatStopsLearningIsToldSo();
  void continueAfterFinishTrainsMoreEpochs();
  void evalEveryAddsPassesAndTheHistoryOutlivesContinue();
  void aRunStopsEarlyAndContinueGivesItsPatienceAgain();
  void theRunDescriptionNamesTheWeightDecay();
  void theRunDescriptionNamesTheRandomShift();
  void aReleaseKeepsTheExchangeTheUiStillReads();

 private:
  DatasetPtr m_data;
};

void TestTrainingWorker::initTestCase() {
  m_data = workerTestData();
}

void TestTrainingWorker::startPauseStepResumeStopReset() {
  Session s(m_data);
  auto& [session, rec] = s;
  QSignalSpy states(&session, &TrainingSession::stateChanged);
  QSignalSpy started(&rec, &Recorder::runStarted);
  QSignalSpy cleared(&rec, &Recorder::runCleared);
  // Epochs enough that the run still trains when it is stopped below, even on a fast machine
  // (it is stopped long before they end).
  const RunRequest run = testing_data::smallRun(*m_data, 2000);

  session.invoke(&TrainingWorker::start, run);
  QTRY_COMPARE(session.state(), TrainingState::Running);
  QCOMPARE(started.count(), 1);
  QCOMPARE(started.front().front().value<RunInfo>().stepsPerEpoch, 1024 / 32);
  QTRY_VERIFY(rec.last.globalStep > 3);

  session.invoke(&TrainingWorker::pause);
  QTRY_COMPARE(session.state(), TrainingState::Paused);
  QTest::qWait(300);  // nothing trains while paused
  const long long paused = rec.last.globalStep;
  QTest::qWait(300);
  QCOMPARE(rec.last.globalStep, paused);
  QCOMPARE(rec.lossPoints, paused);  // every step's loss reached the UI

  QSignalSpy frames(&session, &TrainingSession::snapshotReady);
  session.invoke(&TrainingWorker::step, run);
  QTRY_COMPARE(rec.last.globalStep, paused + 1);
  QCOMPARE(session.state(), TrainingState::Paused);
  QTRY_COMPARE(frames.count(), 1);        // the stepped batch's own frame
  QCOMPARE(rec.frame->step, paused + 1);  // its weights, named as the status bar counts them

  session.invoke(&TrainingWorker::resume);
  QTRY_COMPARE(session.state(), TrainingState::Running);
  QTRY_VERIFY(rec.last.globalStep > paused + 3);

  session.invoke(&TrainingWorker::stop);
  QTRY_COMPARE(session.state(), TrainingState::Stopped);
  session.invoke(&TrainingWorker::resume);  // not from Stopped
  QTest::qWait(200);
  QCOMPARE(session.state(), TrainingState::Stopped);

  session.invoke(&TrainingWorker::reset);
  QTRY_COMPARE(session.state(), TrainingState::Idle);
  QCOMPARE(cleared.count(), 1);
  QCOMPARE(states.count(), 5);  // Running Paused Running Stopped Idle (Step stays Paused)
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
}

void TestTrainingWorker::stepFromIdleStartsAPausedRun() {
  Session s(m_data);
  auto& [session, rec] = s;
  session.invoke(&TrainingWorker::step, testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE(session.state(), TrainingState::Paused);
  QTRY_COMPARE(rec.last.globalStep, 1LL);
  QTRY_VERIFY(rec.frame != nullptr);
  QCOMPARE(rec.frame->step, 1LL);                 // the weights after the one step
  QCOMPARE(rec.frame->layers.size(), size_t(4));  // conv, pool, dense 16, dense 10
}

void TestTrainingWorker::runsToFinishedWithAnEvaluation() {
  Session s(m_data);
  auto& [session, rec] = s;
  session.invoke(&TrainingWorker::start, testing_data::smallRun(*m_data, 2));
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  QCOMPARE(rec.last.globalStep, 2LL * 1024 / 32);
  QCOMPARE(rec.lossPoints, rec.last.globalStep);
  QCOMPARE(rec.evaluations.size(), size_t(2));
  const EvaluationReport last = rec.evaluations.back();
  QVERIFY(last.metrics.epoch_end);
  QCOMPARE(last.metrics.epoch, 2.0);
  QCOMPARE(last.metrics.step, rec.last.globalStep);
  QVERIFY(last.result);
  QCOMPARE(last.result->count, m_data->test.count);
  QVERIFY2(last.metrics.val_accuracy > 0.3,
           qPrintable(QString::number(last.metrics.val_accuracy)));  // it learns
  QVERIFY(last.metrics.val_loss < rec.evaluations.front().metrics.val_loss + 0.5);
  QCOMPARE(rec.last.epoch, 2);
  QCOMPARE(rec.last.etaSeconds, 0.0);

  // Evaluated again after the run: the same weights, so the run's record of that pass (the
  // epoch's end, its training means kept), not a pass one epoch further.
  session.invoke(&TrainingWorker::evaluateNow);
  QTRY_COMPARE(rec.evaluations.size(), size_t(3));
  const cs::EvaluationRecord again = rec.evaluations.back().metrics;
  QCOMPARE(again.epoch, 2.0);
  QCOMPARE(again.step, last.metrics.step);
  QVERIFY(again.epoch_end);
  QCOMPARE(again.train_loss, last.metrics.train_loss);
  QVERIFY(again.train_loss > 0);
}

void TestTrainingWorker::framesFollowTheProbe() {
  Session s(m_data);
  auto& [session, rec] = s;
  QSignalSpy frames(&session, &TrainingSession::snapshotReady);
  // Epochs enough to outlast the frames awaited below on a fast machine.
  session.invoke(&TrainingWorker::start, testing_data::smallRun(*m_data, 500));
  QTRY_VERIFY(frames.count() >= 3);  // frames keep coming while it trains…
  QTRY_VERIFY(rec.frame->step > 0);
  QVERIFY(rec.last.globalStep > frames.count());  // …but not one per step
  session.invoke(&TrainingWorker::pause);
  QTRY_COMPARE(session.state(), TrainingState::Paused);
  session.setProbe(17);  // paused: captured at once from the current weights
  QTRY_COMPARE(rec.frame->probe, 17);
  QTRY_COMPARE(rec.frame->step, rec.last.globalStep);  // named as the status bar names them
  const long long paused = rec.last.globalStep;
  session.invoke(&TrainingWorker::step, testing_data::smallRun(*m_data, 500));
  QTRY_COMPARE(rec.last.globalStep, paused + 1);
  QTRY_COMPARE(rec.frame->step, paused + 1);
  const long long stepped = rec.frame->step;
  session.setProbe(18);  // another probe, the same weights: the same step
  QTRY_COMPARE(rec.frame->probe, 18);
  QCOMPARE(rec.frame->step, stepped);
  session.setProbe(17);
  QTRY_COMPARE(rec.frame->probe, 17);
  QCOMPARE(rec.frame->label, int(m_data->test.labels[17]));
  QCOMPARE(rec.frame->input.size(), size_t(28 * 28));
  QCOMPARE(rec.frame->input[14 * 28 + 14], m_data->test.image(17)[14 * 28 + 14] / 255.f);
  session.invoke(&TrainingWorker::stop);
  QTRY_COMPARE(session.state(), TrainingState::Stopped);
}

// A probe chosen on another, larger validation set: the run starts with its first image instead
// of failing to capture one that is not there.
void TestTrainingWorker::aProbeBeyondTheValidationSetStartsOver() {
  Session s(m_data);
  auto& [session, rec] = s;
  session.setProbe(m_data->test.count + 5);
  session.invoke(&TrainingWorker::step, testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE(session.state(), TrainingState::Paused);
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
  QTRY_VERIFY(rec.frame && rec.frame->step == 1);
  QCOMPARE(rec.frame->probe, 0);
}

void TestTrainingWorker::invalidArchitectureIsReported() {
  Session s(m_data);
  auto& [session, rec] = s;
  RunRequest run = testing_data::smallRun(*m_data, 1);
  session.invoke(&TrainingWorker::start, run);
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  QSignalSpy cleared(&rec, &Recorder::runCleared);
  run.config.group.spec.layers.front().kernel = 40;
  session.invoke(&TrainingWorker::start, run);
  QTRY_COMPARE(rec.failures.size(), 1);
  QVERIFY2(rec.failures.front().contains(QStringLiteral("layer 1")),
           qPrintable(rec.failures.front()));
  QCOMPARE(session.state(), TrainingState::Idle);
  // The finished run before it is gone, and the views hear so rather than go on showing it.
  QTRY_COMPARE(cleared.count(), 1);
}

void TestTrainingWorker::aStepQueuedBehindTheLastLeavesTheFinishedRun() {
  Session s(m_data);
  auto& [session, rec] = s;
  QSignalSpy started(&rec, &Recorder::runStarted);
  const RunRequest run = testing_data::smallRun(*m_data, 1);
  for (long long i = 0; i <= kStepsPerEpoch; ++i) session.invoke(&TrainingWorker::step, run);
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  QTest::qWait(200);  // the last Step, queued behind the one that finished the run
  QCOMPARE(session.state(), TrainingState::Finished);
  QCOMPARE(started.count(), 1);
  QCOMPARE(rec.last.globalStep, kStepsPerEpoch);
}

void TestTrainingWorker::aNewRunShowsNoFrameOfTheRunBefore() {
  Session s(m_data);
  auto& [session, rec] = s;
  const RunRequest run = testing_data::smallRun(*m_data, 2000);
  session.invoke(&TrainingWorker::start, run);
  QTRY_VERIFY(rec.last.globalStep > 20);
  QSignalSpy frames(&session, &TrainingSession::snapshotReady);
  // Stop publishes a frame of this run; Start, queued behind it, comes before the UI takes it.
  session.invoke(&TrainingWorker::stop);
  session.invoke(&TrainingWorker::start, run);
  QTRY_VERIFY(!frames.isEmpty());
  QCOMPARE(frames.front().front().value<SnapshotPtr>()->step, 0LL);  // the new run's first
  session.invoke(&TrainingWorker::stop);
  QTRY_COMPARE(session.state(), TrainingState::Stopped);
}

void TestTrainingWorker::divergenceTakesTheRunAndItsHistoryBack() {
  Session s(m_data);
  auto& [session, rec] = s;
  RunRequest run = testing_data::smallRun(*m_data, 5);
  run.config.group.optimizer.lr = 3e38f;  // Adam steps of ~lr: the weights overflow at once
  QSignalSpy takenBack(session.worker(), &TrainingWorker::historyTakenBack);
  QTemporaryDir dir;
  const QString autosave = dir.filePath(QStringLiteral("autosave.safetensors"));
  session.invoke(&TrainingWorker::setAutosave, autosave, 3600 * 1000);  // not due by time
  session.invoke(&TrainingWorker::start, run);
  QTRY_COMPARE_WITH_TIMEOUT(rec.failures.size(), 1, 20000);
  QVERIFY2(rec.failures.front().startsWith(QStringLiteral("Training diverged")),
           qPrintable(rec.failures.front()));
  QVERIFY(rec.failures.front().contains(QStringLiteral("NaN")));
  QCOMPARE(session.state(), TrainingState::Paused);  // where its rate can be lowered
  // Back to the run's initialization, the history with the weights: no loss is left (the finite
  // ones drained with the NaN never reach the charts), and the predictions shown are the
  // restored weights' (a pass at step 0).
  QCOMPARE(takenBack.size(), 1);
  const auto history = takenBack.front().front().value<RunHistoryPtr>();
  QVERIFY(history->losses.empty());
  QVERIFY(history->evaluations.empty());
  QTRY_VERIFY(!rec.evaluations.empty());
  QCOMPARE(rec.evaluations.back().metrics.step, 0LL);
  QCOMPARE(rec.last.globalStep, 0LL);
  QVERIFY(std::isfinite(rec.evaluations.back().metrics.val_loss));
  // Against a crash now, the autosave holds the run where it went back, not the path it left.
  QTRY_VERIFY(QFile::exists(autosave));
  const cs::CheckpointMeta kept = cs::read_checkpoint_meta(autosave.toStdString());
  QCOMPARE(kept.step, 0LL);
  QVERIFY(kept.history.losses.empty());

  // A lower rate, and the run trains on from there.
  session.invoke(&TrainingWorker::setLearningRate, 1e-3, cs::LrSchedule());
  session.invoke(&TrainingWorker::resume);
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 60000);
  QVERIFY(rec.last.globalStep > 20);
  QCOMPARE(rec.failures.size(), 1);
}

void TestTrainingWorker::aRunThatStopsLearningIsToldSo() {
  Session s(m_data);
  auto& [session, rec] = s;
  RunRequest run = testing_data::smallRun(*m_data, 4);  // 32 steps an epoch
  run.config.group.optimizer = cs::OptimizerConfig::defaults(cs::OptimizerKind::Sgd);
  run.config.group.optimizer.lr = 10;  // every ReLU dies; the loss stays finite
  run.config.eval_every = 40;          // passes within epochs say so too
  session.invoke(&TrainingWorker::start, run);
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
  QCOMPARE(rec.evaluations.size(), size_t(7));  // steps 32, 40, 64, 80, 96, 120, 128
  QCOMPARE(rec.evaluations[4].metrics.step, 96LL);
  QCOMPARE(rec.evaluations[4].metrics.warning, std::string());  // 96 steps: too early to tell
  const cs::EvaluationRecord within = rec.evaluations[5].metrics;
  QVERIFY(!within.epoch_end);
  QVERIFY2(within.warning.starts_with("the network is not learning after 120 steps"),
           within.warning.c_str());
  const EvaluationReport& last = rec.evaluations.back();
  QVERIFY(last.metrics.epoch_end);
  QVERIFY2(last.metrics.val_accuracy < 0.15,
           qPrintable(QString::number(last.metrics.val_accuracy)));
  QVERIFY2(last.metrics.warning.starts_with("the network is not learning after 128 steps"),
           last.metrics.warning.c_str());
}

void TestTrainingWorker::continueAfterFinishTrainsMoreEpochs() {
  Session s(m_data);
  auto& [session, rec] = s;
  QSignalSpy started(&rec, &Recorder::runStarted);
  session.invoke(&TrainingWorker::start, testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  QCOMPARE(rec.evaluations.size(), size_t(1));
  const double firstLoss = rec.evaluations.back().metrics.val_loss;

  const cs::OptimizerConfig optimizer = testing_data::smallRun(*m_data, 1).config.group.optimizer;
  session.invoke(&TrainingWorker::continueRun, 2, double(optimizer.lr), optimizer.schedule);
  QTRY_COMPARE_WITH_TIMEOUT(rec.last.epoch, 3, 120000);
  QTRY_COMPARE(session.state(), TrainingState::Finished);
  QCOMPARE(started.count(), 1);  // the same run, its history kept
  QCOMPARE(rec.last.epoch, 3);
  QCOMPARE(rec.last.epochs, 3);
  QCOMPARE(rec.last.globalStep, 3 * kStepsPerEpoch);
  QCOMPARE(rec.lossPoints, 3 * kStepsPerEpoch);  // every step's loss, each once
  QCOMPARE(rec.evaluations.size(), size_t(3));
  QCOMPARE(rec.evaluations.back().metrics.epoch, 3.0);
  // It went on from the trained weights: better than after the first epoch.
  QVERIFY2(
      rec.evaluations.back().metrics.val_loss < firstLoss,
      qPrintable(
          QStringLiteral("%1 vs %2").arg(rec.evaluations.back().metrics.val_loss).arg(firstLoss)));
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
}

// Evaluate every 10 steps (32 per epoch): passes at 10, 20, 30, the epoch's end (32), 40, …; each
// report at its fractional epoch with a copy of the history so far, which Continue carries on.
void TestTrainingWorker::evalEveryAddsPassesAndTheHistoryOutlivesContinue() {
  Session s(m_data);
  auto& [session, rec] = s;
  RunRequest run = testing_data::smallRun(*m_data, 2);
  run.config.eval_every = 10;
  session.invoke(&TrainingWorker::start, run);
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  const std::vector<long long> steps = {10, 20, 30, 32, 40, 50, 60, 64};
  QCOMPARE(rec.evaluations.size(), steps.size());
  for (size_t k = 0; k < steps.size(); ++k) {
    const EvaluationReport& r = rec.evaluations[k];
    QCOMPARE(r.metrics.step, steps[k]);
    QCOMPARE(r.metrics.epoch, double(steps[k]) / kStepsPerEpoch);
    QCOMPARE(r.metrics.epoch_end, steps[k] % kStepsPerEpoch == 0);
    QVERIFY(r.history);
    QCOMPARE(r.history->passes(), int(k) + 1);  // a copy: later passes do not reach it
    QCOMPARE(r.history->points().back().step, steps[k]);
    QCOMPARE(r.history->points().back().epoch_position, r.metrics.epoch);
    QCOMPARE(r.history->images(), m_data->test.count);
  }
  // The history's last pass is the evaluation's top-1.
  const EvaluationReport& last = rec.evaluations.back();
  for (int i = 0; i < last.result->count; ++i)
    QCOMPARE(last.history->top1(i, 7), int(last.result->top_labels[3 * size_t(i)]));

  session.invoke(&TrainingWorker::continueRun, 1, double(run.config.group.optimizer.lr),
                 run.config.group.optimizer.schedule);
  QTRY_COMPARE_WITH_TIMEOUT(rec.evaluations.size(), size_t(12), 120000);
  QTRY_COMPARE(session.state(), TrainingState::Finished);
  const HistoryPtr history = rec.evaluations.back().history;
  QCOMPARE(history->passes(), 12);  // 70, 80, 90 and 96 after the first eight
  QCOMPARE(history->points()[8].step, 70LL);
  QCOMPARE(history->points()[8].eval_index, 8);
  QCOMPARE(history->points().back().step, 96LL);
  QCOMPARE(history->points().back().epoch, 3);

  session.invoke(&TrainingWorker::reset);
  session.invoke(&TrainingWorker::start, testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE_WITH_TIMEOUT(rec.evaluations.size(), size_t(13), 120000);
  QCOMPARE(rec.evaluations.back().history->passes(), 1);  // a new run, a new history
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
}

// Patience 2 on 64 training images at a high rate: the validation loss soon stops falling and
// the run finishes early, its progress saying why with its planned epochs cut to those done;
// Continue trains on until two more epochs pass without a new best.
void TestTrainingWorker::aRunStopsEarlyAndContinueGivesItsPatienceAgain() {
  const DatasetPtr tiny = testing_data::smallDataset(64, 100);
  Session s(tiny);
  auto& [session, rec] = s;
  RunRequest run = testing_data::smallRun(*tiny, 300);
  run.config.group.optimizer.lr = 0.01f;
  run.config.patience = 2;
  session.invoke(&TrainingWorker::start, run);
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  const int stop = rec.last.epoch;
  QVERIFY2(stop < 300, "it trained every epoch");
  QCOMPARE(rec.last.epochs, stop);
  QVERIFY2(rec.last.earlyStop.startsWith(QStringLiteral("no validation loss below epoch ")),
           qPrintable(rec.last.earlyStop));
  QVERIFY2(rec.last.earlyStop.endsWith(QStringLiteral(" in the 2 epochs since")),
           qPrintable(rec.last.earlyStop));
  int best = 0;  // the epoch end with the lowest validation loss, as the UI heard of them
  for (const EvaluationReport& e : rec.evaluations)
    if (best == 0 || e.metrics.val_loss < rec.evaluations[best - 1].metrics.val_loss)
      best = static_cast<int>(e.metrics.epoch);
  QCOMPARE(stop, best + 2);

  session.invoke(&TrainingWorker::continueRun, 20, double(run.config.group.optimizer.lr),
                 run.config.group.optimizer.schedule);
  QTRY_VERIFY_WITH_TIMEOUT(rec.last.epoch > stop, 60000);
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  QVERIFY(rec.last.epoch >= stop + 2);
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
}

// A run's description (the previous run's key on the charts) names its weight decay with the
// optimizer, so a run without one is told apart from one with.
void TestTrainingWorker::theRunDescriptionNamesTheWeightDecay() {
  cs::TrainConfig cfg;
  cfg.group.spec = cs::NetworkSpec::parse("d16:relu-d10", {1, 28, 28}, 10);
  cfg.group.optimizer = cs::OptimizerConfig::defaults(cs::OptimizerKind::Adam);
  const QString without = RunInfo::describe(cfg);
  QCOMPARE(without, QStringLiteral("d16:relu-d10 · adam lr=0.001 · constant · batch 64"));
  cfg.group.optimizer.weight_decay = 0.01f;
  QCOMPARE(TrainingCharts::differingFields(without, RunInfo::describe(cfg)),
           QStringLiteral("adam lr=0.001"));
  QCOMPARE(TrainingCharts::differingFields(RunInfo::describe(cfg), without),
           QStringLiteral("adam lr=0.001 weight_decay=0.01"));
}

// A run's description names its random shift and its label smoothing last, when it has them, so
// that a run with one is told apart from the same run without; the worker's run is described so
// as it starts.
void TestTrainingWorker::theRunDescriptionNamesTheRandomShift() {
  cs::TrainConfig cfg;
  cfg.group.spec = cs::NetworkSpec::parse("d16:relu-d10", {1, 28, 28}, 10);
  cfg.group.optimizer = cs::OptimizerConfig::defaults(cs::OptimizerKind::Adam);
  const QString without = RunInfo::describe(cfg);
  QCOMPARE(without, QStringLiteral("d16:relu-d10 · adam lr=0.001 · constant · batch 64"));
  cfg.group.augment_shift = 2;
  const QString with = RunInfo::describe(cfg);
  QCOMPARE(with,
           QStringLiteral("d16:relu-d10 · adam lr=0.001 · constant · batch 64 · shift ±2 px"));
  QCOMPARE(TrainingCharts::differingFields(with, without), QStringLiteral("shift ±2 px"));
  QCOMPARE(TrainingCharts::differingFields(without, with), QStringLiteral("no shift"));
  // and its label smoothing after it
  cfg.group.label_smoothing = 0.1f;
  const QString smoothed = RunInfo::describe(cfg);
  QCOMPARE(smoothed, with + QStringLiteral(" · label smoothing 0.1"));
  QCOMPARE(TrainingCharts::differingFields(smoothed, with), QStringLiteral("label smoothing 0.1"));
  QCOMPARE(TrainingCharts::differingFields(with, smoothed), QStringLiteral("no label smoothing"));
  QCOMPARE(TrainingCharts::differingFields(without, smoothed),
           QStringLiteral("no shift · no label smoothing"));
  QCOMPARE(RunInfo::shiftText(0), QStringLiteral("none"));

  Session s(m_data);
  auto& [session, rec] = s;
  QSignalSpy started(&rec, &Recorder::runStarted);
  RunRequest run = testing_data::smallRun(*m_data, 1);
  run.config.group.augment_shift = 3;
  session.invoke(&TrainingWorker::step, run);
  QTRY_COMPARE(rec.last.globalStep, 1LL);
  QCOMPARE(started.count(), 1);
  const QString description = started.front().front().value<RunInfo>().description;
  QVERIFY2(description.endsWith(QStringLiteral(" · batch 32 · shift ±3 px")),
           qPrintable(description));
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
}

// Two backend swaps in a row: the UI took the first new backend's exchange and asked for the
// retired ones to go while the second swap was already done. Only those retired before the one it
// reads go; that one stays until the UI takes the next (it polls it meanwhile).
void TestTrainingWorker::aReleaseKeepsTheExchangeTheUiStillReads() {
  TrainingWorker worker;  // driven directly, on this thread
  QList<cs::SnapshotExchange*> exchanges;
  connect(&worker, &TrainingWorker::exchangeChanged,
          [&exchanges](cs::SnapshotExchange* e) { exchanges << e; });
  for (const cs::BackendChoice choice :
       {cs::BackendChoice::Cpu, cs::BackendChoice::Auto, cs::BackendChoice::Cpu})
    worker.selectBackend(choice);
  QCOMPARE(exchanges.size(), 3);
  QCOMPARE(worker.retiredBackends(), size_t{2});
  worker.releaseRetiredBackends(exchanges[1]);  // the UI reads the second; the third is news
  QCOMPARE(worker.retiredBackends(), size_t{1});
  worker.releaseRetiredBackends(exchanges[1]);  // asked again: still read
  QCOMPARE(worker.retiredBackends(), size_t{1});
  worker.releaseRetiredBackends(exchanges[2]);  // the one in use: every retired one goes
  QCOMPARE(worker.retiredBackends(), size_t{0});
}

QTEST_MAIN(TestTrainingWorker)
#include "test_training_worker.moc"
