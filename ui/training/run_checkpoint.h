// What the training worker's checkpoints need beside the engine's: the checks a checkpoint file
// passes before Load checkpoint leaves the current run, worded for the user; the settings the
// panels adopt from one; and whether a run is small enough to keep a copy in memory (Rewind).
#pragma once

#include <QCoreApplication>
#include <QString>
#include <memory>

#include "convscope/checkpoint.h"
#include "training/training_types.h"

class RunCheckpoint {
  Q_DECLARE_TR_FUNCTIONS(RunCheckpoint)

 public:
  // Reads the whole checkpoint at `path` into `checkpoint` and checks it against `data` (null:
  // not checked): what is wrong with it, worded for the user, or nothing.
  static QString problem(const QString& path, const DatasetPtr& data, cs::Checkpoint* checkpoint);
  // `meta` without its histories (they reach the UI with the run).
  static cs::CheckpointMeta settingsOf(const cs::CheckpointMeta& meta);
  // The largest network whose checkpoint (weights and optimizer state) is kept in memory.
  static constexpr long long kMaxKeptBytes = 1LL << 30;
  static bool fitsInMemory(const cs::GroupConfig& group);
  // The trainer stands at the end of its best epoch (RunHistory::best_epoch()).
  static bool atBestEpoch(const cs::Trainer& trainer);
  // Network 0 of the trainer's run as a checkpoint in memory (its losses drained first), or null
  // when it does not fit; into `reuse`, an earlier capture of the run, when given (its buffers
  // reused: up to 1 GiB not allocated again at each new best epoch).
  static std::unique_ptr<cs::Checkpoint> inMemory(cs::Trainer& trainer,
                                                  std::unique_ptr<cs::Checkpoint> reuse = {});
};
