// Value types that cross the ensemble worker's thread boundary in queued signals.
#pragma once

#include <QMetaType>
#include <QString>

#include "convscope/backends.h"
#include "convscope/trainer.h"
#include "training/training_types.h"

// What the Ensemble view asks the worker to train.
struct EnsembleRequest {
  cs::TrainConfig config;  // N seeds, epochs, per-net shuffle included
  DatasetPtr data;         // null: loaded from dataFolder
  QString dataFolder;      // with no data, the folder loaded (empty: cs::default_mnist_dir())
  int trainLimit = 0;      // train on the first this many images (0: all)
  cs::BackendChoice backend = cs::BackendChoice::Auto;
  QString storePath;  // the run store to record into
  // A stopped run of that store to continue (cs::continue_ensemble), or -1 for a new run. The
  // config and trainLimit are then the run's: its group, the epochs in all, its images an epoch.
  qint64 continueRun = -1;
};

// Sent about ten times a second while the worker trains, and at every phase change.
struct EnsembleProgress {
  enum class Phase { Loading, Preparing, Training, Saving };
  Phase phase = Phase::Loading;
  qint64 run = -1;  // once begun
  int nets = 0;
  int epoch = 0;   // epochs completed
  int epochs = 0;  // planned
  int stepInEpoch = 0;
  int stepsPerEpoch = 0;
  double groupSamplesPerSecond = 0;  // samples of all networks together
  double elapsedSeconds = 0;
  double etaSeconds = -1;        // negative while unknown
  double lastMeanAccuracy = -1;  // of the latest finished epoch (-1: none yet)
  QString warning;  // the latest finished epoch's: networks not learning (EpochMetrics::warning)

  // 0..1 over the whole run.
  double fraction() const;
};

Q_DECLARE_METATYPE(EnsembleRequest)
Q_DECLARE_METATYPE(EnsembleProgress)

// Registers the types above (and the training types they use) for queued connections.
void registerEnsembleTypes();
