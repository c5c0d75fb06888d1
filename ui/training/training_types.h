// Value types that cross the worker/UI thread boundary in queued signals. Everything here is a
// copy or an immutable shared object: the UI never reads the trainer's own state.
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

#include "convscope/backend.h"
#include "convscope/backends.h"
#include "convscope/checkpoint.h"
#include "convscope/dataset.h"
#include "convscope/dead_units.h"
#include "convscope/snapshot.h"
#include "convscope/trainer.h"

// Idle: no run. Running ⇄ Paused (Step runs one batch while paused). Stopped: ended by the user
// or an error, weights kept. Finished: all epochs done. Reset goes back to Idle from any state.
enum class TrainingState { Idle, Running, Paused, Stopped, Finished };
QString displayName(TrainingState state);

using DatasetPtr = std::shared_ptr<const cs::DatasetPair>;
using SnapshotPtr = std::shared_ptr<const cs::Snapshot>;
using EvalPtr = std::shared_ptr<const cs::EvalResult>;
using BackendPtr = std::shared_ptr<cs::Backend>;  // the worker's; never handed to the UI
using HistoryPtr = std::shared_ptr<const cs::LearningHistory>;

// What the UI asks the worker to train.
struct RunRequest {
  cs::TrainConfig config;
  cs::BackendChoice backend = cs::BackendChoice::Auto;
};

// The backend the worker uses, for the status bar.
struct BackendReport {
  QString kind;    // "cpu" / "cuda"
  QString device;  // "2 CPU threads", "NVIDIA H100 80GB HBM3"
  QString note;    // make_backend()'s note when Auto fell back to the CPU (why), else empty
};

using RunHistoryPtr = std::shared_ptr<const cs::RunHistory>;

// A new run began (or a checkpoint was loaded into a new run): the UI clears its histories.
struct RunInfo {
  DatasetPtr data;  // the datasets this run trains and validates on
  int stepsPerEpoch = 0;
  int epochs = 0;
  QString description;  // describe(): "c5x8:relu-m2-… · adam lr=0.001 · constant · batch 64"
  // A loaded checkpoint's metric history, which the run continues (null for a new run).
  RunHistoryPtr history;

  // The fields that tell a previous run apart (TrainingCharts::differingFields): the network,
  // the optimizer with its rate and any weight decay ("adam lr=0.001 weight_decay=0.01"), the
  // schedule ("constant" too), the batch size, any random shift ("shift ±2 px") and any label
  // smoothing ("label smoothing 0.1").
  static QString describe(const cs::TrainConfig& cfg);
  // A random shift (cs::GroupConfig::augment_shift) as runs name it (cs::augment_shift_text()):
  // "±2 px", "none" for 0.
  static QString shiftText(int maxShift);
  // The field a description gets for it: " · shift ±2 px", or nothing for 0.
  static QString shiftField(int maxShift);
  // A label smoothing (cs::GroupConfig::label_smoothing) as runs name it
  // (cs::label_smoothing_text()): "0.1", "none" for 0.
  static QString smoothingText(float smoothing);
  // The field a description gets for it: " · label smoothing 0.1", or nothing for 0.
  static QString smoothingField(float smoothing);
};

// One optimizer step's change of network 0's weights, per layer with weights (StepUpdateMeter):
// RMS(w after - w before) / RMS(w before), the "update ratio" the Layer statistics draw.
struct LayerUpdates {
  long long step = 0;  // the step measured: steps taken before it (as a frame's step)
  QStringList layers;
  std::vector<size_t> sizes;   // their weights
  std::vector<double> ratios;  // one per layer
};

// Sent about ten times a second while training, and after every state change.
struct TrainingProgress {
  int epoch = 0;         // epochs completed
  int epochs = 0;        // epochs planned (after a checkpoint: its epochs and those to come)
  int currentEpoch = 1;  // 1-based: the epoch in progress, or the one that just finished
  int stepInEpoch = 0;   // steps of currentEpoch done
  int stepsPerEpoch = 0;
  long long globalStep = 0;   // steps whose updates the weights include (a snapshot's step)
  double scheduledRate = -1;  // the next step's learning rate under a schedule (-1: constant)
  long long samplesSeen = 0;
  double samplesPerSecond = 0;
  double elapsedSeconds = 0;          // time spent training, pauses excluded
  double etaSeconds = -1;             // negative while unknown
  std::vector<cs::LossPoint> losses;  // step losses new since the previous report
  // cs::Trainer::early_stop_reason() once the run stopped early (then epochs == epoch), else "".
  QString earlyStop;
  bool canRewind = false;  // a best epoch is kept, and the run is past it

  // Steps of this run's epochs done and planned (the progress bar's, the ETA's).
  long long stepsDone() const {
    return static_cast<long long>(currentEpoch - 1) * stepsPerEpoch + stepInEpoch;
  }
  long long stepsPlanned() const { return static_cast<long long>(epochs) * stepsPerEpoch; }
  long long stepsLeft() const { return stepsPlanned() - stepsDone(); }
};

// One evaluation of the whole validation set (after each epoch, every eval_every steps, or on
// request).
struct EvaluationReport {
  cs::EvaluationRecord metrics;  // the trainer's record of the pass, as the history keeps it
  EvalPtr result;                // per-image top-3 for the prediction grid
  HistoryPtr history;            // net 0's top-1 at every pass of the run so far: a copy
  cs::DeadUnits dead;            // net 0's ReLU units silent on a sample (none when it failed)
  QString deadError;             // why they could not be counted ("" when they were)
};

Q_DECLARE_METATYPE(TrainingState)
Q_DECLARE_METATYPE(DatasetPtr)
Q_DECLARE_METATYPE(SnapshotPtr)
Q_DECLARE_METATYPE(cs::SnapshotExchange*)
Q_DECLARE_METATYPE(RunRequest)
Q_DECLARE_METATYPE(BackendReport)
Q_DECLARE_METATYPE(RunInfo)
Q_DECLARE_METATYPE(RunHistoryPtr)
Q_DECLARE_METATYPE(TrainingProgress)
Q_DECLARE_METATYPE(EvaluationReport)
Q_DECLARE_METATYPE(cs::BackendChoice)
Q_DECLARE_METATYPE(cs::CheckpointMeta)
Q_DECLARE_METATYPE(LayerUpdates)

// Registers the types above for queued connections (idempotent).
void registerTrainingTypes();

// A new id for a request to the training worker (a drawn digit's prediction, a saliency map, a
// projection), unique in the process, so that a requester knows its latest answer.
int nextRequestId();
