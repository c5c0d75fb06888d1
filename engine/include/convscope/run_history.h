// The metric history of one run, as its charts show it: every step's training loss and every
// validation pass. The trainer keeps it, a checkpoint saves it (so a loaded run goes on with its
// curves instead of starting them over), and the app mirrors it for its charts and CSV export.
// Values are group means, as the live view trains one network.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "convscope/learning_history.h"

namespace cs {

struct LossPoint {
  long long step;  // global step, 0-based
  float loss;      // mean over the group's networks (the live view has one)
  float accuracy;  // training-batch top-1 hit rate, group mean (-1: not measured)
  float lr = -1;   // the step's learning rate, its schedule applied (-1: not recorded)
};

struct EvaluationRecord {
  long long step = 0;  // optimizer steps taken when the pass ran
  double epoch = 0;    // epochs completed plus the fraction of the next one done
  bool epoch_end = false;
  double val_loss = 0, val_accuracy = 0;
  double train_loss = 0, train_accuracy = -1;  // the epoch's means at an epoch end (-1: none)
  std::string warning;  // not_learning_warning() of the pass ("" when it may be learning)
};

struct RunHistory {
  std::vector<LossPoint> losses;
  std::vector<EvaluationRecord> evaluations;

  bool empty() const { return losses.empty() && evaluations.empty(); }
  // Appends e, unless the last pass ran at the same step: the same weights evaluated again
  // (after a load, or on request). Then e's validation figures and warning replace the last
  // one's, and an epoch end and its training means stay.
  void add_evaluation(EvaluationRecord e);
  // The epoch (1-based, its number of epochs completed) whose end's validation loss is the
  // lowest, the first of equals; 0 when no pass ended an epoch.
  int best_epoch() const;
  // Back to where the run stood after `steps` steps: the losses of later steps (LossPoint::step is
  // 0-based, so `steps` and on) and the passes that ran after it go. A divergence's rollback.
  void take_back_to(long long steps);
  // At most `max_losses` losses and `max_evaluations` passes (each at least 2), evenly spaced
  // with the first and last kept; passes that end an epoch are kept before the others.
  RunHistory thinned(size_t max_losses, size_t max_evaluations) const;
};

// What a checkpoint keeps of a longer history (thinned()): at most about 25 MB of losses and
// 35 MB of passes as JSON, below the safetensors header's 100 MB, so that a run of any length
// saves a file that loads. A million steps are 1,066 MNIST epochs at batch 64.
inline constexpr size_t kMaxSavedLosses = 1'000'000;
inline constexpr size_t kMaxSavedEvaluations = 50'000;

// As JSON (a checkpoint's "history" metadata), numbers exact:
//   {"losses": {"step": [...], "loss": [...], "accuracy": [...], "lr": [...]},
//    "evaluations": [{"step", "epoch", "epoch_end", "val_loss", "val_accuracy", "train_loss",
//                     "train_accuracy", "warning"}, ...]}
std::string history_json(const RunHistory& history);
// Throws std::invalid_argument saying what is wrong: not JSON, a missing or mistyped member,
// arrays of different lengths, a step that is not a whole number of 0 or more, a non-finite value.
RunHistory parse_history_json(std::string_view text);

// A LearningHistory's passes as JSON, [[eval_index, step, epoch, epoch_position], ...]; the
// parser throws std::invalid_argument unless eval_index increases and steps and epochs are not
// negative.
std::string learning_points_json(const std::vector<EvalPoint>& points);
std::vector<EvalPoint> parse_learning_points_json(std::string_view text);

}  // namespace cs
