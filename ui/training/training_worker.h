// The training worker: owns the backend and a cs::Trainer and lives on its own QThread.
//
// It talks to the UI only through queued signals and two atomics (interrupt, frame interval).
// While running it trains in chunks of ~40 ms and re-posts itself, so queued slots (pause, step,
// a new probe, save) are handled between chunks; interrupt() ends a chunk at the next step.
// Snapshots are requested at the UI's frame rate, and only once the UI took the previous one.
//
// Steps and epochs are reported one way everywhere: a snapshot's step is the number of steps
// whose updates its weights include, and TrainingProgress names the epoch in progress (or the
// one just finished) with the steps of it done.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <atomic>
#include <functional>
#include <memory>

#include "canvas/canvas_types.h"
#include "charts/embedding_types.h"
#include "network/class_model_types.h"
#include "training/autosave_file.h"
#include "training/sample_rate.h"
#include "training/step_update_meter.h"
#include "training/training_types.h"

class ImageProbe;

class TrainingWorker : public QObject {
  Q_OBJECT

 public:
  explicit TrainingWorker(QObject* parent = nullptr);
  ~TrainingWorker() override;

  // Thread-safe: ends the chunk in progress at the next step boundary, so that a queued
  // command is handled at once. The next chunk trains on.
  void interrupt();
  // Thread-safe: while running, request at most one snapshot per this many milliseconds.
  void setFrameInterval(int milliseconds);
  // Thread-safe: measure the steps of the frames (and single steps) for layerUpdated() (the Layer
  // statistics are shown), up to StepUpdateMeter::kMaxWeights.
  void setMeasureUpdates(bool on);

 public Q_SLOTS:
  void selectBackend(cs::BackendChoice choice);
  void loadDataset(const QString& dir, const QString& name);
  void setDataset(DatasetPtr data);
  // From Idle, Stopped or Finished: a new run. From Paused: resume.
  void start(const RunRequest& request);
  void pause();
  void resume();
  // One batch. From Paused it continues the run; otherwise it begins a new one.
  void step(const RunRequest& request);
  void stop();
  void reset();
  // From Paused, Stopped or Finished: train `moreEpochs` epochs beyond those completed, with
  // the run's weights and optimizer state (an epoch in progress goes on where it is and counts
  // as one of them), at learning rate `lr` and `schedule` (the panel's, as Resume has them).
  void continueRun(int moreEpochs, double lr, const cs::LrSchedule& schedule);
  // While paused: the following steps use this learning rate and schedule (the schedule's factor
  // at each step as before: it goes on from the run's step count).
  void setLearningRate(double lr, const cs::LrSchedule& schedule);
  void setProbe(int index);
  // A frame of the run as it is now, unless it is running (frames come anyway). The views ask
  // after clearing for a new run: the run's first frame may have been shown, and cleared, before.
  void refreshSnapshot();
  void evaluateNow();
  void saveCheckpoint(const QString& path);
  // Crash recovery (RunRecovery): while the run has steps that no file holds, its checkpoint is
  // written to `path` every `intervalMs` of training and whenever it stops running (pause, stop,
  // a single step, the end). The file goes when the run is saved (the user's file holds it),
  // loaded, replaced or cleared, when the autosave moves elsewhere, and when the worker is
  // destroyed (a clean exit); only a crash, or keepAutosave(), leaves it. An empty path ends the
  // autosave.
  void setAutosave(const QString& path, int intervalMs);
  // The autosave outlives the worker (AutosaveFile::keep()).
  void keepAutosave();
  // A run from the checkpoint's architecture and hyperparameters, paused after its last
  // completed epoch, to train request.config.epochs more. A file that cannot be loaded
  // changes nothing: the current run and its state stay.
  void loadCheckpoint(const QString& path, const RunRequest& request);
  // From Paused, Stopped or Finished: the run as it was when its best epoch (the lowest
  // validation loss at an epoch's end) ended, kept in memory since, paused there to go on to its
  // planned epochs: weights, optimizer state, histories and patience as a checkpoint saved then
  // would restore them. The epochs after it are dropped (the UI asks first).
  void rewindToBest();
  // The best epoch kept for rewindToBest() as a checkpoint file, the run going on where it is:
  // bestEpochSaved(), or checkpointSaved() where the run stands at its best epoch.
  void saveBest(const QString& path);
  // The UI took `adopted`, the exchange of one backend: the backends replaced before that one
  // can go (all of them when it is the backend in use).
  void releaseRetiredBackends(cs::SnapshotExchange* adopted);
  // Replaced backends kept because the UI may still read their exchange.
  size_t retiredBackends() const { return m_retired.size(); }
  // The drawing canvas and the saliency view: network 0 on one (C, H, W) image in [0, 1],
  // answered with digitPredicted / saliencyComputed (an error when there is no network yet).
  void predictDigit(int id, const std::vector<float>& image);
  void computeSaliency(const SaliencyRequest& request);
  // The Embedding view: network 0's outputs of a layer for the first validation images, projected
  // (computeEmbedding()), answered with embeddingComputed.
  void computeEmbedding(const EmbeddingRequest& request);
  // The Class models view: cs::class_models() of network 0, answered with classModelsComputed.
  void computeClassModels(const ClassModelsRequest& request);
  // The probe becomes this (C, H, W) byte image, its frames numbered `probe` (< 0; see
  // ImageProbe); setProbe() ends it.
  void setProbeImage(const std::vector<uint8_t>& image, int probe);

 Q_SIGNALS:
  void stateChanged(TrainingState state);
  void backendChanged(const BackendReport& report);
  // For the session only: the exchange of the backend now in use. It stays valid until the
  // session answers with releaseRetiredBackends() of a newer one.
  void exchangeChanged(cs::SnapshotExchange* exchange);
  void datasetLoaded(DatasetPtr data, const QString& dir);
  void datasetFailed(const QString& dir, const QString& message);
  void runStarted(const RunInfo& info);
  void runCleared();
  // A divergence took the run back to its last good state (cs::DivergenceError), and the run's
  // history with it: `history` is all of it now, the losses and passes of the steps undone gone.
  // An evaluation of the restored weights follows.
  void historyTakenBack(const RunHistoryPtr& history);
  void progress(const TrainingProgress& progress);
  void evaluated(const EvaluationReport& report);
  void checkpointSaved(const QString& path, long long step);  // step: the weights'
  // saveCheckpoint() wrote nothing (failed() says why); the run goes on as it was.
  void checkpointSaveFailed(const QString& path);
  void checkpointLoaded(const QString& path, const cs::CheckpointMeta& meta);
  // The best epoch kept for rewindToBest() and the step its weights include; epoch 0 when none
  // is (no epoch has ended, a new run, a network too large to keep twice).
  void bestEpochKept(int epoch, long long step);
  // rewindToBest() went back to the end of the epoch `settings` names (its step, its optimizer:
  // the panels adopt them); Resume trains on to `epochs`, the run's plan.
  void rewound(const cs::CheckpointMeta& settings, int epochs);
  // saveBest() wrote the best epoch's checkpoint; the run's later steps are not in it.
  void bestEpochSaved(const QString& path, int epoch, long long step);
  void autosaveFailed(const QString& message);  // the run trains on
  // The update of a step a frame was asked for (and of every single step), for the Layer
  // statistics.
  void layerUpdated(const LayerUpdates& updates);
  void failed(const QString& title, const QString& message);
  void digitPredicted(const DigitPrediction& prediction);
  void saliencyComputed(const SaliencyResult& result);
  void embeddingComputed(const EmbeddingResult& result);
  void classModelsComputed(const ClassModelsResult& result);

 private:
  struct Position {
    int epoch = 1;  // 1-based: in progress, or just finished
    int step = 0;   // steps of it done
  };

  bool ensureBackend(cs::BackendChoice choice);
  // A new trainer on `data`; the UI hears of it with `history`, a loaded checkpoint's, to continue.
  bool beginRun(const RunRequest& request, const cs::RunHistory& history, const DatasetPtr& data);
  // A paused run on `data` from `checkpoint` (its architecture and optimizer; the rest of
  // `request`); false, with the worker reset, when it cannot be loaded.
  bool adoptCheckpoint(const cs::Checkpoint& checkpoint, RunRequest request,
                       const DatasetPtr& data);
  // The run at the end of its best epoch so far, for rewindToBest() (null: none), told to the UI.
  void keepBest(std::unique_ptr<cs::Checkpoint> best);
  // A new trainer for `cfg` that carries on the current one's weights, optimizer state and
  // counts (used to train more epochs, or with another learning rate).
  bool rebuildTrainer(const cs::TrainConfig& cfg);
  // Frames name the epoch that comes next from now on (after a load or a rebuild).
  void startEpochAt(long long step);
  // The run's checkpoint into the autosave file when due (`now`: whenever a step is not in it).
  // Throws DivergenceError as the trainer does (its losses are drained first).
  void autosave(bool now);
  Position position() const;
  void runChunk();
  void scheduleChunk();
  // One step; `measure`: its update, layer by layer, goes to layerUpdated() (when wanted).
  bool trainOneStep(bool measure);
  // Asks for a frame of the next step when one is due: true when it did.
  bool requestFrameIfDue();
  void captureSnapshot();
  void captureImageProbe();
  // Whether there is a drawn probe the run's network takes; one it does not take is dropped.
  bool imageProbeFits();
  void reportEvaluation(const cs::EvalResult& result, bool epochEnd);
  void emitProgress(bool force);
  // Pause or Stop: the run's losses sent, then `state` said, then the autosave written.
  void settle(TrainingState state);
  void setState(TrainingState state);
  // Runs `body`; maps engine exceptions to failed() and leaves a consistent state.
  bool guarded(const std::function<void()>& body);
  // failed() with the title and text of `e`.
  void reportFailure(const std::exception& e);
  // After a divergence: historyTakenBack(), then the restored weights' evaluation.
  void takeBackHistory();

  BackendPtr m_backend;
  std::vector<BackendPtr> m_retired;  // replaced backends the UI may still read snapshots of
  cs::BackendChoice m_backendChoice = cs::BackendChoice::Auto;
  DatasetPtr m_data;     // the datasets of the next run
  DatasetPtr m_runData;  // the current run's, alive as long as m_trainer
  std::unique_ptr<cs::Trainer> m_trainer;
  // Net 0's top-1 at every validation pass of the run (the trainer records into it); the UI gets
  // copies. It outlives the trainers of one run (continue, a new learning rate).
  std::unique_ptr<cs::LearningHistory> m_history;
  std::unique_ptr<cs::Checkpoint> m_best;  // the run at its best epoch's end; null: none kept
  TrainingState m_state = TrainingState::Idle;
  int m_probe = 0;
  std::unique_ptr<ImageProbe> m_imageProbe;  // a drawn probe instead of validation image m_probe
  std::atomic<bool> m_interrupt{false};
  std::atomic<int> m_frameIntervalMs{66};
  std::atomic<bool> m_measureUpdates{false};
  bool m_chunkPending = false;
  QElapsedTimer m_frameClock;
  QElapsedTimer m_progressClock;
  double m_trainedSeconds = 0;     // time inside training steps, pauses excluded
  long long m_runStartStep = 0;    // global step when this run (or load) began: for the ETA
  long long m_epochStartStep = 0;  // global step when the epoch in progress began
  bool m_epochJustEnded = false;   // no step since the last epoch ended
  size_t m_lossCursor = 0;         // losses already reported
  size_t m_epochCursor = 0;        // epochs already reported
  size_t m_evalCursor = 0;         // the run's validation passes already reported
  SampleRate m_sampleRate;
  AutosaveFile m_autosave;
  // A Step's autosave, written once the steps stop coming: a held F10 would otherwise write (and
  // fsync) a checkpoint at every step and queue steps faster than they are done.
  static constexpr int kStepSaveDelayMs = 500;
  QTimer* m_stepSave;
  StepUpdateMeter m_meter;
};
