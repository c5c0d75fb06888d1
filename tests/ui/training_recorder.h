// What the training-worker tests share: a recorder of what the worker reports and a session
// given the test data (test_training_worker.cpp, test_training_checkpoints.cpp,
// test_learning_rate.cpp).
#pragma once

#include <QObject>
#include <QStringList>
#include <vector>

#include "convscope/checkpoint.h"
#include "test_data.h"
#include "training/training_session.h"

// The suites' data: 1024 training and 256 validation images, the first MNIST images when
// installed (the log says which), else synthetic ones.
DatasetPtr workerTestData();
// Steps of an epoch of testing_data::smallRun() on that data: batches of 32.
constexpr long long kStepsPerEpoch = 1024 / 32;

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
  void bestEpochKept(int epoch, long long step);
};

// A session given the test data, with a recorder of what it reports. What the worker reports
// arrives queued on this thread, so spies made after construction miss none of it.
struct Session {
  TrainingSession session;
  Recorder rec{session};
  explicit Session(const DatasetPtr& data) { session.invoke(&TrainingWorker::setDataset, data); }
};
