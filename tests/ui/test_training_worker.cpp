// The training worker's state machine, driven through the TrainingSession as the UI drives it:
// Idle → Running ⇄ Paused (Step runs one batch) → Stopped / Finished; Reset back to Idle.
// Real training on a small dataset (the first MNIST images when installed).
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <map>

#include "convscope/checkpoint.h"
#include "test_data.h"
#include "training/training_session.h"

// Records what the worker reports, received on the GUI thread (queued, as the UI gets it), and
// relays the signals that tests count with QSignalSpy.
class Recorder : public QObject {
  Q_OBJECT

 public:
  explicit Recorder(TrainingSession& session);
  TrainingProgress last;
  long long lossPoints = 0;
  std::vector<EvaluationReport> evaluations;
  SnapshotPtr frame;
  QStringList failures;

 Q_SIGNALS:
  void runStarted(const RunInfo& info);
  void runCleared();
  void checkpointSaved(const QString& path, long long step);
  void checkpointLoaded(const QString& path, const cs::CheckpointMeta& meta);
};

Recorder::Recorder(TrainingSession& session) {
  TrainingWorker* w = session.worker();
  connect(w, &TrainingWorker::progress, this, [this](const TrainingProgress& p) {
    last = p;
    lossPoints += static_cast<long long>(p.losses.size());
  });
  connect(w, &TrainingWorker::evaluated, this,
          [this](const EvaluationReport& r) { evaluations.push_back(r); });
  connect(&session, &TrainingSession::snapshotReady, this,
          [this](SnapshotPtr s) { frame = std::move(s); });
  connect(w, &TrainingWorker::failed, this, [this](const QString& title, const QString& message) {
    failures << title + QStringLiteral(": ") + message;
  });
  connect(w, &TrainingWorker::runStarted, this, &Recorder::runStarted);
  connect(w, &TrainingWorker::runCleared, this, &Recorder::runCleared);
  connect(w, &TrainingWorker::checkpointSaved, this, &Recorder::checkpointSaved);
  connect(w, &TrainingWorker::checkpointLoaded, this, &Recorder::checkpointLoaded);
}

// A session given the test data, with a recorder of what it reports. What the worker reports
// arrives queued on this thread, so spies made after construction miss none of it.
struct Session {
  TrainingSession session;
  Recorder rec{session};
  explicit Session(const DatasetPtr& data) { session.invoke(&TrainingWorker::setDataset, data); }
};

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
  void aRunThatStopsLearningIsToldSo();
  void checkpointRoundTrip();
  void checkpointContinuesWithConsistentLabels();
  void continueAfterFinishTrainsMoreEpochs();
  void failedLoadKeepsTheRun();
  void checkpointNamesTheTrainingSet();
  void learningRateChangeWhilePausedTakesEffect();
  void checkpointSavedMidEpochGoesOnWhereItStopped();
  void evalEveryAddsPassesAndTheHistoryOutlivesContinue();

 private:
  DatasetPtr m_data;
  QTemporaryDir m_dir;  // the checkpoints, each test its own file names
};

void TestTrainingWorker::initTestCase() {
  bool real = false;
  m_data = testing_data::smallDataset(1024, 256, &real);
  qInfo("training on %s", real ? "the first MNIST images" : "a synthetic dataset");
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

void TestTrainingWorker::invalidArchitectureIsReported() {
  Session s(m_data);
  auto& [session, rec] = s;
  RunRequest run = testing_data::smallRun(*m_data, 1);
  run.config.group.spec.layers.front().kernel = 40;
  session.invoke(&TrainingWorker::start, run);
  QTRY_COMPARE(rec.failures.size(), 1);
  QVERIFY2(rec.failures.front().contains(QStringLiteral("layer 1")),
           qPrintable(rec.failures.front()));
  QCOMPARE(session.state(), TrainingState::Idle);
}

void TestTrainingWorker::divergenceStopsTheRunAndKeepsTheHistory() {
  Session s(m_data);
  auto& [session, rec] = s;
  RunRequest run = testing_data::smallRun(*m_data, 5);
  run.config.group.optimizer.lr = 3e38f;  // Adam steps of ~lr: the weights overflow at once
  session.invoke(&TrainingWorker::start, run);
  QTRY_COMPARE_WITH_TIMEOUT(rec.failures.size(), 1, 20000);
  QVERIFY2(rec.failures.front().startsWith(QStringLiteral("Training diverged")),
           qPrintable(rec.failures.front()));
  QVERIFY(rec.failures.front().contains(QStringLiteral("NaN")));
  QCOMPARE(session.state(), TrainingState::Stopped);
  QVERIFY(rec.lossPoints > 0);  // the losses before it diverged reached the UI
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

void TestTrainingWorker::checkpointRoundTrip() {
  const QString path = m_dir.filePath(QStringLiteral("live.safetensors"));
  Session s(m_data);
  auto& [session, rec] = s;
  QSignalSpy saved(&rec, &Recorder::checkpointSaved);
  QSignalSpy loaded(&rec, &Recorder::checkpointLoaded);
  const RunRequest run = testing_data::smallRun(*m_data, 3);
  for (int i = 0; i < 12; ++i) session.invoke(&TrainingWorker::step, run);
  QTRY_COMPARE(rec.last.globalStep, 12LL);
  QCOMPARE(session.state(), TrainingState::Paused);
  session.invoke(&TrainingWorker::evaluateNow);
  QTRY_COMPARE(rec.evaluations.size(), size_t(1));
  const double accuracy = rec.evaluations.back().metrics.val_accuracy;
  session.invoke(&TrainingWorker::saveCheckpoint, path);
  QTRY_COMPARE(saved.count(), 1);
  QVERIFY(QFileInfo(path).size() > 0);

  session.invoke(&TrainingWorker::reset);
  QTRY_COMPARE(session.state(), TrainingState::Idle);
  QSignalSpy started(&rec, &Recorder::runStarted);
  session.invoke(&TrainingWorker::loadCheckpoint, path, testing_data::smallRun(*m_data, 3));
  QTRY_COMPARE(loaded.count(), 1);
  QCOMPARE(session.state(), TrainingState::Paused);
  const auto meta = loaded.front().at(1).value<cs::CheckpointMeta>();
  QCOMPARE(meta.spec, run.config.group.spec);
  QVERIFY(meta.history.empty());  // the history comes with runStarted, below, not twice
  QTRY_COMPARE(rec.evaluations.size(), size_t(2));  // loading evaluates the restored weights
  QCOMPARE(rec.evaluations.back().metrics.val_accuracy, accuracy);
  QCOMPARE(rec.evaluations.back().metrics.step, 12LL);

  // The run goes on with its history: the UI has it with the new run, not as new losses.
  QCOMPARE(started.count(), 1);
  const auto info = started.front().at(0).value<RunInfo>();
  QVERIFY(info.history);
  QCOMPARE(info.history->losses.size(), size_t(12));
  QCOMPARE(info.history->losses.back().step, 11LL);
  QCOMPARE(info.history->evaluations.size(), size_t(1));
  QCOMPARE(info.history->evaluations.front().val_accuracy, accuracy);
  QCOMPARE(rec.lossPoints, 12LL);
  // And with its learning history: the saved pass at step 12, not a second one for the same
  // weights; a later pass adds to it.
  const HistoryPtr learning = rec.evaluations.back().history;
  QCOMPARE(learning->passes(), 1);
  QCOMPARE(learning->points().front().step, 12LL);
  for (int i = 0; i < learning->images(); ++i)
    QCOMPARE(learning->top1(i, 0), int(rec.evaluations.front().result->top_labels[3 * size_t(i)]));
  session.invoke(&TrainingWorker::step, run);
  QTRY_COMPARE(rec.lossPoints, 13LL);
  session.invoke(&TrainingWorker::evaluateNow);
  QTRY_COMPARE(rec.evaluations.size(), size_t(3));
  QCOMPARE(rec.evaluations.back().history->passes(), 2);
  QCOMPARE(rec.evaluations.back().history->points().back().eval_index, 1);
  session.invoke(&TrainingWorker::saveCheckpoint, path);
  QTRY_COMPARE(saved.count(), 2);
  const cs::RunHistory again = cs::read_checkpoint_meta(path.toStdString()).history;
  QCOMPARE(again.losses.size(), size_t(13));
  QCOMPARE(again.losses.back().step, 12LL);
  QCOMPARE(again.evaluations.size(), size_t(2));  // the load's pass was the saved one's again
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
}

namespace {

// Steps of the small run's epochs: 1024 images in batches of 32.
constexpr long long kStepsPerEpoch = 1024 / 32;

}  // namespace

void TestTrainingWorker::checkpointContinuesWithConsistentLabels() {
  const QString path = m_dir.filePath(QStringLiteral("two-epochs.safetensors"));
  Session s(m_data);
  auto& [session, rec] = s;
  QSignalSpy loaded(&rec, &Recorder::checkpointLoaded);
  session.invoke(&TrainingWorker::start, testing_data::smallRun(*m_data, 2));
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  session.invoke(&TrainingWorker::saveCheckpoint, path);
  session.invoke(&TrainingWorker::reset);
  QTRY_COMPARE(session.state(), TrainingState::Idle);
  rec.frame.reset();  // the finished run's last frame has the same step as the loaded one's

  // Epochs set to kMore in the panel: the checkpoint's 2 epochs, then kMore more (enough that the
  // resumed run is still training when it is paused below, even on a fast machine).
  constexpr int kMore = 60;
  session.invoke(&TrainingWorker::loadCheckpoint, path, testing_data::smallRun(*m_data, kMore));
  QTRY_COMPARE(loaded.count(), 1);
  QTRY_COMPARE(session.state(), TrainingState::Paused);
  QTRY_VERIFY(rec.frame && rec.frame->step == 2 * kStepsPerEpoch);
  const TrainingProgress at = rec.last;
  QCOMPARE(at.epoch, 2);
  QCOMPARE(at.epochs, 2 + kMore);
  QCOMPARE(at.currentEpoch, 3);  // what comes next
  QCOMPARE(at.stepInEpoch, 0);
  QCOMPARE(at.globalStep, 2 * kStepsPerEpoch);
  QCOMPARE(at.stepsLeft(), kMore * kStepsPerEpoch);
  QVERIFY(at.etaSeconds < 0);  // nothing trained here yet: no rate to go by
  // The probe names the same epoch and step as the status bar.
  QCOMPARE(rec.frame->epoch + 1, at.currentEpoch);
  QCOMPARE(rec.frame->step, at.globalStep);
  QCOMPARE(rec.evaluations.back().metrics.epoch, 2.0);

  // Resume trains the epochs to come (it used to end at once).
  session.invoke(&TrainingWorker::resume);
  QTRY_VERIFY(rec.last.globalStep > 2 * kStepsPerEpoch + 8);
  session.invoke(&TrainingWorker::pause);
  QTRY_COMPARE(session.state(), TrainingState::Paused);
  // The ETA goes by the steps trained here, not the checkpoint's.
  const TrainingProgress p = rec.last;
  const double expected =
      p.stepsLeft() * p.elapsedSeconds / double(p.globalStep - 2 * kStepsPerEpoch);
  QVERIFY2(std::abs(p.etaSeconds - expected) <= 1e-9 * expected + 1e-12,
           qPrintable(QStringLiteral("%1 vs %2").arg(p.etaSeconds).arg(expected)));
  session.invoke(&TrainingWorker::resume);
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  QCOMPARE(rec.last.globalStep, (2 + kMore) * kStepsPerEpoch);
  QCOMPARE(rec.last.currentEpoch, 2 + kMore);
  QCOMPARE(rec.last.stepInEpoch, int(kStepsPerEpoch));
  QVERIFY(rec.evaluations.back().metrics.epoch_end);
  QCOMPARE(rec.evaluations.back().metrics.epoch, 2.0 + kMore);
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
}

void TestTrainingWorker::continueAfterFinishTrainsMoreEpochs() {
  Session s(m_data);
  auto& [session, rec] = s;
  QSignalSpy started(&rec, &Recorder::runStarted);
  session.invoke(&TrainingWorker::start, testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  QCOMPARE(rec.evaluations.size(), size_t(1));
  const double firstLoss = rec.evaluations.back().metrics.val_loss;

  session.invoke(&TrainingWorker::continueRun, 2);
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

void TestTrainingWorker::failedLoadKeepsTheRun() {
  const QString junk = m_dir.filePath(QStringLiteral("notes.safetensors"));
  QFile file(junk);
  QVERIFY(file.open(QIODevice::WriteOnly));
  file.write("is this a checkpoint? it is a text file, and long enough for a header length");
  file.close();
  Session s(m_data);
  auto& [session, rec] = s;
  QSignalSpy started(&rec, &Recorder::runStarted);
  QSignalSpy cleared(&rec, &Recorder::runCleared);
  QSignalSpy states(&session, &TrainingSession::stateChanged);
  session.invoke(&TrainingWorker::start, testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  const int stateChanges = states.count();

  session.invoke(&TrainingWorker::loadCheckpoint, junk, testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE(rec.failures.size(), 1);
  QVERIFY2(rec.failures.front().contains(
               QStringLiteral("notes.safetensors is not a Convscope checkpoint (")),
           qPrintable(rec.failures.front()));
  session.invoke(&TrainingWorker::loadCheckpoint, m_dir.filePath(QStringLiteral("missing")),
                 testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE(rec.failures.size(), 2);
  QVERIFY2(rec.failures.back().contains(QStringLiteral("does not exist")),
           qPrintable(rec.failures.back()));
  // A whole checkpoint but for one weight that is NaN: refused before the run is left too.
  const QString nan = m_dir.filePath(QStringLiteral("nan.safetensors"));
  QSignalSpy saved(&rec, &Recorder::checkpointSaved);
  session.invoke(&TrainingWorker::saveCheckpoint, nan);
  QTRY_COMPARE(saved.count(), 1);
  std::map<std::string, std::string> metadata;
  std::vector<cs::NamedTensor> tensors = cs::read_safetensors(nan.toStdString(), &metadata);
  tensors.front().data.at(3) = std::nanf("");
  cs::write_safetensors(nan.toStdString(), tensors, metadata);
  session.invoke(&TrainingWorker::loadCheckpoint, nan, testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE(rec.failures.size(), 3);
  QVERIFY2(
      rec.failures.back().contains(QStringLiteral("holds a non-finite value (nan at element 3)")),
      qPrintable(rec.failures.back()));
  QTest::qWait(100);
  QCOMPARE(session.state(), TrainingState::Finished);  // not Stopped, not Idle
  QCOMPARE(states.count(), stateChanges);
  QCOMPARE(started.count(), 1);
  QCOMPARE(cleared.count(), 0);
  QCOMPARE(rec.last.globalStep, kStepsPerEpoch);
}

void TestTrainingWorker::checkpointNamesTheTrainingSet() {
  const QString path = m_dir.filePath(QStringLiteral("c.safetensors"));
  Session s(m_data);
  auto& [session, rec] = s;
  QSignalSpy saved(&rec, &Recorder::checkpointSaved);
  session.invoke(&TrainingWorker::step, testing_data::smallRun(*m_data, 1));
  session.invoke(&TrainingWorker::saveCheckpoint, path);
  QTRY_COMPARE(saved.count(), 1);
  QCOMPARE(saved.front().at(1).toLongLong(), 1LL);
  const cs::CheckpointMeta meta = cs::read_checkpoint_meta(path.toStdString());
  QCOMPARE(meta.dataset, m_data->train.name);
  QVERIFY(m_data->train.name != m_data->test.name);
}

void TestTrainingWorker::learningRateChangeWhilePausedTakesEffect() {
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

  session.invoke(&TrainingWorker::setLearningRate, 1e-9);
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

// Saved 5 steps into its only epoch, then loaded for "1 more": the epoch goes on from step 6 and
// the run ends with the weights of the run trained without a stop.
void TestTrainingWorker::checkpointSavedMidEpochGoesOnWhereItStopped() {
  const std::string straight = m_dir.filePath(QStringLiteral("straight.safetensors")).toStdString(),
                    resumed = m_dir.filePath(QStringLiteral("resumed.safetensors")).toStdString();
  const QString half = m_dir.filePath(QStringLiteral("mid-epoch.safetensors"));
  const RunRequest run = testing_data::smallRun(*m_data, 1);
  {
    Session s(m_data);
    auto& [session, rec] = s;
    QSignalSpy saved(&rec, &Recorder::checkpointSaved);
    session.invoke(&TrainingWorker::start, run);
    QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
    session.invoke(&TrainingWorker::saveCheckpoint, QString::fromStdString(straight));
    QTRY_COMPARE(saved.count(), 1);
  }
  Session s(m_data);
  auto& [session, rec] = s;
  QSignalSpy saved(&rec, &Recorder::checkpointSaved);
  QSignalSpy loaded(&rec, &Recorder::checkpointLoaded);
  for (int i = 0; i < 5; ++i) session.invoke(&TrainingWorker::step, run);
  QTRY_COMPARE(rec.last.globalStep, 5LL);
  session.invoke(&TrainingWorker::saveCheckpoint, half);
  QTRY_COMPARE(saved.count(), 1);
  QCOMPARE(cs::read_checkpoint_meta(half.toStdString()).epoch_position, 5 * 32);
  session.invoke(&TrainingWorker::reset);
  QTRY_COMPARE(session.state(), TrainingState::Idle);

  session.invoke(&TrainingWorker::loadCheckpoint, half, run);  // the epoch begun is the 1 more
  QTRY_COMPARE(loaded.count(), 1);
  QTRY_COMPARE(session.state(), TrainingState::Paused);
  QCOMPARE(rec.last.epochs, 1);
  QCOMPARE(rec.last.currentEpoch, 1);
  QCOMPARE(rec.last.stepInEpoch, 5);
  QCOMPARE(rec.last.globalStep, 5LL);
  session.invoke(&TrainingWorker::resume);
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  QCOMPARE(rec.last.globalStep, kStepsPerEpoch);
  QCOMPARE(rec.last.epoch, 1);
  session.invoke(&TrainingWorker::saveCheckpoint, QString::fromStdString(resumed));
  QTRY_COMPARE(saved.count(), 2);
  const cs::Checkpoint a = cs::read_checkpoint(resumed), b = cs::read_checkpoint(straight);
  QCOMPARE(a.tensors.size(), b.tensors.size());
  for (size_t t = 0; t < a.tensors.size(); ++t)
    QVERIFY2(a.tensors[t].data == b.tensors[t].data, a.tensors[t].name.c_str());
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

  session.invoke(&TrainingWorker::continueRun, 1);
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

QTEST_MAIN(TestTrainingWorker)
#include "test_training_worker.moc"
