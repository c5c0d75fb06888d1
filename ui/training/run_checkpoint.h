// The live run's checkpoints as the training worker writes and reads them: the metadata of a run
// (File ▸ Save checkpoint, a signal's save, the autosave) and the checks a file passes before a
// load leaves the current run.
#pragma once

#include <QCoreApplication>
#include <QString>

#include "convscope/checkpoint.h"
#include "convscope/learning_history.h"
#include "convscope/trainer.h"
#include "training/training_types.h"

class RunCheckpoint {
  Q_DECLARE_TR_FUNCTIONS(RunCheckpoint)

 public:
  // The metadata of network 0 of `trainer`'s run where it stands (cs::checkpoint_meta()), with
  // `learning`'s history (the caller drains the trainer's losses first).
  static cs::CheckpointMeta meta(cs::Trainer& trainer, const cs::LearningHistory& learning);
  // Reads the whole checkpoint at `path` into `checkpoint` and checks it against `data` (null:
  // not checked): what is wrong with it, worded for the user, or nothing.
  static QString problem(const QString& path, const DatasetPtr& data, cs::Checkpoint* checkpoint);
};
