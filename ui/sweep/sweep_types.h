// Value types that cross the sweep worker's thread boundary in queued signals.
#pragma once

#include <QMetaType>
#include <QString>

#include "convscope/backends.h"
#include "convscope/sweep.h"
#include "training/training_types.h"

// What the Sweep view asks the worker to run.
struct SweepRequest {
  cs::SweepPlan plan;  // configurations and settings (ignored when resuming a sweep by id)
  DatasetPtr data;     // null: the plan's data (MNIST from cs::default_mnist_dir())
  // A sweep id to continue, -1: the newest sweep with the plan's definition (or a new one),
  // -2: always a new sweep (as run_sweep takes it).
  qint64 resume = -1;
  cs::BackendChoice backend = cs::BackendChoice::Auto;
  QString storePath;  // the run store to record into
};

// Sent about ten times a second while the worker trains.
struct SweepProgress {
  qint64 sweep = -1;
  int configs = 0;          // in the sweep
  int finished = 0;         // configurations whose run finished (earlier ones included)
  int units = 0;            // configurations this run trains
  int unitsDone = 0;        // of those, ended
  int config = -1;          // the one in training
  double unitFraction = 0;  // of the one in training, 0..1
  double elapsedSeconds = 0;

  // 0..1 over this run's units.
  double fraction() const;
};

Q_DECLARE_METATYPE(SweepRequest)
Q_DECLARE_METATYPE(SweepProgress)

// Registers the types above (and the training types they use) for queued connections.
void registerSweepTypes();
