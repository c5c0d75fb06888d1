// Checkpoints through the training worker, as the UI saves and loads them: a round trip, a loaded
// run that goes on with consistent labels (mid-epoch too, ending as the run without a stop), a
// failed load that keeps the run, the training set a checkpoint names, the autosave kept against a
// crash (written after a pause or stop has said so, with every loss sent: a slow disk holds nothing
// back), and the rewind to the best epoch.
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <map>
#include <utility>

#include "convscope/checkpoint.h"
#include "test_data.h"
#include "training/training_session.h"
#include "training_recorder.h"

class TestTrainingCheckpoints : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void checkpointRoundTrip();
  void checkpointContinuesWithConsistentLabels();
  void failedLoadKeepsTheRun();
  void checkpointNamesTheTrainingSet();
  void checkpointSavedMidEpochGoesOnWhereItStopped();
  void autosaveHoldsTheRunUntilAFileDoes();
  void theUiHasEveryLossWhenItHearsPaused();
  void rewindReturnsToTheBestEpochAndItsStop();

 private:
  DatasetPtr m_data;
  QTemporaryDir m_dir;  // the checkpoints, each test its own file names
};

void TestTrainingCheckpoints::initTestCase() {
  m_data = workerTestData();
}

void TestTrainingCheckpoints::checkpointRoundTrip() {
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

void TestTrainingCheckpoints::checkpointContinuesWithConsistentLabels() {
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

void TestTrainingCheckpoints::failedLoadKeepsTheRun() {
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

void TestTrainingCheckpoints::checkpointNamesTheTrainingSet() {
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

// Saved 5 steps into its only epoch, then loaded for "1 more": the epoch goes on from step 6 and
// the run ends with the weights of the run trained without a stop.
void TestTrainingCheckpoints::checkpointSavedMidEpochGoesOnWhereItStopped() {
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

// The autosave (RunRecovery's, against a crash) holds the run wherever no file does: written when
// due while it trains and whenever it stops running, gone once the user's file holds the run,
// once the run is cleared and when the worker ends (a clean exit).
void TestTrainingCheckpoints::autosaveHoldsTheRunUntilAFileDoes() {
  const QString autosave = m_dir.filePath(QStringLiteral("autosave.safetensors"));
  const QString mine = m_dir.filePath(QStringLiteral("mine.safetensors"));
  const auto autosaved = [&] { return cs::read_checkpoint_meta(autosave.toStdString()); };
  {
    Session s(m_data);
    auto& [session, rec] = s;
    session.invoke(&TrainingWorker::setAutosave, autosave, 3600 * 1000);  // not due by time here
    const RunRequest run = testing_data::smallRun(*m_data, 100);
    session.invoke(&TrainingWorker::start, run);
    QTRY_VERIFY(rec.last.globalStep >= 5);
    QVERIFY(!QFile::exists(autosave));
    session.invokeAndWait(&TrainingWorker::pause);  // stopped running: written, where it stands
    QTRY_COMPARE(session.state(), TrainingState::Paused);
    QTRY_COMPARE(rec.last.globalStep, autosaved().step);
    const cs::CheckpointMeta paused = autosaved();
    QCOMPARE(static_cast<long long>(paused.history.losses.size()), paused.step);  // every loss
    QCOMPARE(paused.epoch_position, static_cast<int>(paused.step % kStepsPerEpoch) * 32);
    // Steps: written once they stop coming (half a second after the last), not at each one.
    session.invokeAndWait(&TrainingWorker::step, run);
    QCOMPARE(autosaved().step, paused.step);
    QTRY_COMPARE(autosaved().step, paused.step + 1);
    session.invokeAndWait(&TrainingWorker::saveCheckpoint, mine);
    QVERIFY(!QFile::exists(autosave));              // the user's file holds the run
    session.invokeAndWait(&TrainingWorker::pause);  // already paused: no new step to keep
    QVERIFY(!QFile::exists(autosave));
    session.invokeAndWait(&TrainingWorker::step, run);
    QVERIFY(!QFile::exists(autosave));
    QTRY_VERIFY(QFile::exists(autosave));
    QCOMPARE(autosaved().step, paused.step + 2);
    session.invokeAndWait(&TrainingWorker::reset);
    QVERIFY(!QFile::exists(autosave));  // a cleared run leaves nothing to recover

    session.invokeAndWait(&TrainingWorker::setAutosave, autosave, 0);  // due after every chunk
    session.invoke(&TrainingWorker::start, run);
    QTRY_VERIFY(QFile::exists(autosave));
    QCOMPARE(session.state(), TrainingState::Running);  // written while it trains
  }
  QVERIFY(!QFile::exists(autosave));  // the worker's end, a clean exit, removes it
}

namespace {

// Every tensor of the two checkpoint files is equal.
bool sameTensors(const QString& a, const QString& b) {
  const cs::Checkpoint x = cs::read_checkpoint(a.toStdString()),
                       y = cs::read_checkpoint(b.toStdString());
  if (x.tensors.size() != y.tensors.size()) return false;
  for (size_t t = 0; t < x.tensors.size(); ++t)
    if (x.tensors[t].name != y.tensors[t].name || x.tensors[t].data != y.tensors[t].data)
      return false;
  return true;
}

}  // namespace

// Stopped early (patience 2 on 64 images at a high rate), Rewind returns to the end of the best
// epoch, paused, with the weights of a run trained to that epoch and the history up to it, the
// autosave holding it; resumed, it trains to the same stop with the same weights.
void TestTrainingCheckpoints::theUiHasEveryLossWhenItHearsPaused() {
  // A run's every step and loss are sent before it says Paused or Stopped (an autosave's slow disk
  // write comes after), so a view that reads the history then has all of it. Paused just after a
  // progress report, when the one at the end of the chunk it interrupts is not yet due; three
  // times, as a pause that lands before the next step has nothing to send; then stopped so.
  Session s(m_data);
  auto& [session, rec] = s;
  long long stepAtState = -1, lossesAtState = -1;
  connect(&session, &TrainingSession::stateChanged, &rec, [&](TrainingState state) {
    if (state != TrainingState::Paused && state != TrainingState::Stopped) return;
    stepAtState = rec.last.globalStep;
    lossesAtState = rec.lossPoints;
  });
  void (TrainingWorker::*due)() = nullptr;  // sent at the next progress report
  connect(session.worker(), &TrainingWorker::progress, &rec, [&] {
    if (due) session.invoke(std::exchange(due, nullptr));
  });
  session.invoke(&TrainingWorker::start, testing_data::smallRun(*m_data, 2000));
  for (int i = 0; i < 4; ++i) {
    QTRY_COMPARE(session.state(), TrainingState::Running);
    due = i < 3 ? &TrainingWorker::pause : &TrainingWorker::stop;
    QTRY_COMPARE(session.state(), i < 3 ? TrainingState::Paused : TrainingState::Stopped);
    QTest::qWait(200);  // whatever was sent after the state has arrived
    QVERIFY(rec.last.globalStep > 0);
    QCOMPARE(stepAtState, rec.last.globalStep);
    QCOMPARE(lossesAtState, rec.last.globalStep);
    session.invoke(&TrainingWorker::resume);
  }
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));
}

void TestTrainingCheckpoints::rewindReturnsToTheBestEpochAndItsStop() {
  const DatasetPtr tiny = testing_data::smallDataset(64, 100);
  RunRequest run = testing_data::smallRun(*tiny, 300);
  run.config.group.optimizer.lr = 0.01f;
  run.config.patience = 2;
  const auto file = [this](const char* name) { return m_dir.filePath(QLatin1String(name)); };
  const QString autosave = file("rewind-autosave.safetensors"),
                atStop = file("at-stop.safetensors"), rewound = file("rewound.safetensors"),
                again = file("again.safetensors"), straight = file("straight-to-best.safetensors");
  Session s(tiny);
  auto& [session, rec] = s;
  QSignalSpy kept(&rec, &Recorder::bestEpochKept);
  session.invoke(&TrainingWorker::setAutosave, autosave, 3600 * 1000);
  session.invoke(&TrainingWorker::start, run);
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  const int stop = rec.last.epoch;
  QVERIFY2(stop < 300, "it trained every epoch");
  QVERIFY(kept.count() >= 2);  // none (the new run), then each new best
  const int best = kept.back().at(0).toInt();
  const long long bestStep = kept.back().at(1).toLongLong();
  QCOMPARE(stop, best + 2);
  QCOMPARE(bestStep, best * 2LL);  // 2 steps an epoch
  session.invokeAndWait(&TrainingWorker::saveCheckpoint, atStop);
  const double bestLoss = rec.evaluations.at(best - 1).metrics.val_loss;
  QCOMPARE(rec.evaluations.at(best - 1).metrics.epoch, double(best));

  // The panel picks another dataset meanwhile: the rewound run keeps its own.
  session.invoke(&TrainingWorker::setDataset, testing_data::smallDataset(96, 50));
  QSignalSpy started(&rec, &Recorder::runStarted);
  session.invokeAndWait(&TrainingWorker::rewindToBest);
  QCOMPARE(cs::read_checkpoint_meta(autosave.toStdString()).step, bestStep);  // no file holds it
  QTRY_COMPARE(started.count(), 1);
  QTRY_COMPARE(session.state(), TrainingState::Paused);
  const RunInfo info = started.front().front().value<RunInfo>();
  QCOMPARE(info.data, tiny);
  QVERIFY(info.history);
  QCOMPARE(info.history->best_epoch(), best);
  QCOMPARE(info.history->losses.size(), size_t(bestStep));
  QCOMPARE(info.epochs, 300);  // Resume goes on to the run's plan
  QTRY_COMPARE(rec.last.globalStep, bestStep);
  QCOMPARE(rec.last.epoch, best);
  QCOMPARE(rec.evaluations.back().metrics.val_loss, bestLoss);  // the same weights evaluated
  QTRY_COMPARE(kept.back().at(0).toInt(), best);                // still kept: the run stands on it
  QCOMPARE(kept.back().at(1).toLongLong(), bestStep);
  session.invokeAndWait(&TrainingWorker::saveCheckpoint, rewound);
  QCOMPARE(cs::read_checkpoint_meta(rewound.toStdString()).epoch, best);
  session.invoke(&TrainingWorker::rewindToBest);  // there already: nothing changes
  session.invoke(&TrainingWorker::resume);
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 120000);
  QCOMPARE(started.count(), 1);
  QCOMPARE(rec.last.epoch, stop);
  QVERIFY(!rec.last.earlyStop.isEmpty());
  session.invokeAndWait(&TrainingWorker::saveCheckpoint, again);
  QVERIFY2(sameTensors(again, atStop), "the rewound run resumed ends as the run did");
  QVERIFY2(rec.failures.isEmpty(), qPrintable(rec.failures.join('\n')));

  Session other(tiny);
  RunRequest toBest = run;
  toBest.config.epochs = best;
  other.session.invoke(&TrainingWorker::start, toBest);
  QTRY_COMPARE_WITH_TIMEOUT(other.session.state(), TrainingState::Finished, 120000);
  other.session.invokeAndWait(&TrainingWorker::saveCheckpoint, straight);
  QVERIFY2(sameTensors(rewound, straight), "the rewound weights are the best epoch's");

  // Loaded, the file saved at the best epoch is that run's best epoch kept: trained on, the run
  // rewinds to it.
  Session loaded(tiny);
  QSignalSpy keptOnLoad(&loaded.rec, &Recorder::bestEpochKept);
  loaded.session.invoke(&TrainingWorker::loadCheckpoint, rewound, run);
  QTRY_COMPARE(loaded.session.state(), TrainingState::Paused);
  QTRY_VERIFY(!keptOnLoad.isEmpty() && keptOnLoad.back().at(0).toInt() == best);
  for (int i = 0; i < 2; ++i) loaded.session.invoke(&TrainingWorker::step, run);
  QTRY_COMPARE(loaded.rec.last.globalStep, bestStep + 2);
  QVERIFY(loaded.rec.last.canRewind);
  loaded.session.invokeAndWait(&TrainingWorker::rewindToBest);
  QTRY_COMPARE(loaded.rec.last.globalStep, bestStep);
  QVERIFY(!loaded.rec.last.canRewind);
  QVERIFY2(loaded.rec.failures.isEmpty(), qPrintable(loaded.rec.failures.join('\n')));
}

QTEST_MAIN(TestTrainingCheckpoints)
#include "test_training_checkpoints.moc"
