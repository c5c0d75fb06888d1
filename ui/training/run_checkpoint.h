// The checks a checkpoint file passes before the training worker's Load checkpoint leaves the
// current run, worded for the user.
#pragma once

#include <QCoreApplication>
#include <QString>

#include "convscope/checkpoint.h"
#include "training/training_types.h"

class RunCheckpoint {
  Q_DECLARE_TR_FUNCTIONS(RunCheckpoint)

 public:
  // Reads the whole checkpoint at `path` into `checkpoint` and checks it against `data` (null:
  // not checked): what is wrong with it, worded for the user, or nothing.
  static QString problem(const QString& path, const DatasetPtr& data, cs::Checkpoint* checkpoint);
};
