#include "training_recorder.h"

DatasetPtr workerTestData() {
  bool real = false;
  DatasetPtr data = testing_data::smallDataset(1024, 256, &real);
  qInfo("training on %s", real ? "the first MNIST images" : "a synthetic dataset");
  return data;
}

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
  connect(w, &TrainingWorker::bestEpochKept, this, &Recorder::bestEpochKept);
}
