// The trainer: drives a backend through epochs of steps, evaluates on the whole validation set
// after each epoch (and every `eval_every` steps when asked), watches for divergence, and
// forwards snapshot requests. Step-driven so that
// a UI worker can run, pause, single-step and stop it; run() loops for the CLI.
#pragma once

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "convscope/backend.h"
#include "convscope/error.h"
#include "convscope/learning_history.h"
#include "convscope/run_history.h"

namespace cs {

struct TrainConfig {
  GroupConfig group;
  int epochs = 1;
  int loss_every = 20;  // drain per-step losses every this many steps (GPU syncs only then)
  int eval_every = 0;   // also evaluate every this many global steps (0: at epoch ends only)
  // Early stopping: the run ends once this many epochs in a row have ended without a validation
  // loss (group mean) below the best epoch's (0: never). A run resumed after it stopped so gets
  // this many epochs again from where it stopped; any other resumed run counts on as if it had
  // not stopped (RunHistory keeps the epochs' losses).
  int patience = 0;
};

// Thrown when a training loss becomes NaN or infinite, or the validation loss of a pass between
// steps does (weights still finite but so large that the logits overflow), or the weights or the
// optimizer's slots are found so at an epoch's end or before a save (an update that overflowed
// after its step's loss was taken; a weight behind a ReLU, whose 0 hides it from every loss; the
// trainer checks them only there, so the step named is the last one before). The trainer has then
// restored every network to the state after its last finished epoch (or its initialization, or
// the state it was resumed from: step `restored_step`), and taken its history back with them: the
// losses and passes of the steps undone are gone, the rest is kept. `step` is the 0-based step
// whose loss, or after which the pass or the weights, was not finite.
class DivergenceError : public Error {
 public:
  enum class Found { TrainingLoss, ValidationLoss, Weights, OptimizerState };
  DivergenceError(long long step, int epoch, int net, long long restored_step, bool mid_epoch,
                  Found found = Found::TrainingLoss);
  long long step() const { return m_step; }

 private:
  long long m_step;
};

struct EpochMetrics {
  int epoch = 0;               // 1-based: epochs completed
  double train_loss = 0;       // mean of the epoch's step losses (group mean)
  double val_loss = 0;         // group mean
  double val_accuracy = 0;     // group mean
  double train_accuracy = -1;  // group mean of training-batch top-1 hits (-1: not measured)
  double seconds = 0;          // wall time of the epoch's steps
  std::vector<float> net_val_loss, net_val_accuracy;  // (N)
  std::string warning;  // not_learning_warning() of the epoch's validation pass ("" if none)
};

// Networks that have stopped learning (a learning rate so high that every ReLU died, or that
// blew the logits up without reaching NaN) go on training at chance level, and nothing else
// says so. After at least kNotLearningSteps steps, a network is not learning when its
// validation accuracy is no better than guessing (at most 1.5 / classes) and its loss no lower
// than an untrained network's (at least 0.95 ln classes). Returns a sentence saying so, with
// how many of a group, or "" when every network may be learning. Training goes on: the CLI and
// the app show it as a warning.
inline constexpr long long kNotLearningSteps = 100;
std::string not_learning_warning(const EvalResult& eval, int classes, long long steps);

// How often a long run saves where it stands while it trains (the ensemble loop's place inside an
// epoch, `train --save`'s checkpoint), so that a run killed (SIGKILL, a crash, power loss) loses
// at most this much training.
inline constexpr int kSaveEverySeconds = 30;

class Trainer {
 public:
  // The backend must outlive the trainer; configure() is called here.
  Trainer(Backend& backend, const Dataset& train, const Dataset& val, TrainConfig cfg);

  // One optimizer step; begins and ends epochs as needed (ending one evaluates). Returns false
  // once all epochs are done. Throws DivergenceError / BackendError.
  bool step();
  // Steps until done or until `stop` becomes true; `on_progress` after each drain of losses.
  void run(const std::atomic<bool>* stop = nullptr, const std::function<void()>& on_progress = {});

  // Thread-safe: the next step takes a snapshot of network `net` on validation image `probe`.
  void request_snapshot(int net, int probe);

  bool finished() const { return m_epoch >= m_cfg.epochs || stopped_early(); }
  // TrainConfig::patience ran out: the run ended before its epochs.
  bool stopped_early() const;
  // RunHistory::best_epoch() of the run (0 before its first epoch ends).
  int best_epoch() const { return m_best_epoch; }
  // The epoch from which stopped_early() counts when it is later than the best one: 0, or where a
  // run that had stopped early went on. A checkpoint keeps it (resume_at's patience_from).
  int patience_from() const { return m_patience_from; }
  // Why it stopped early: "no validation loss below epoch 4's (0.0312) in the 3 epochs since"
  // (since the best epoch, those before a continue included; "" when it did not stop early).
  std::string early_stop_reason() const;
  int epoch() const { return m_epoch; }  // epochs completed
  int step_in_epoch() const { return m_position / m_cfg.group.batch_size; }
  int steps_per_epoch() const;
  // The learning rate of global step `step` (0-based, as LossPoint::step) under the current
  // optimizer, as the backend applies it: lr times the schedule's factor at that step's optimizer
  // count, as a float. Without an argument, the next step's.
  double learning_rate(long long step) const;
  double learning_rate() const { return learning_rate(m_global_step); }
  int train_images() const { return m_train.count; }  // in each epoch
  const Dataset& train_set() const { return m_train; }
  const Dataset& validation_set() const { return m_val; }
  long long global_step() const { return m_global_step; }
  long long samples_seen() const { return m_samples; }
  const TrainConfig& config() const { return m_cfg; }
  Backend& backend() { return m_backend; }

  // Histories (read from the trainer's thread, or after it stops). The run's steps' losses (but
  // those of steps since the last drain, every loss_every) and validation passes, continued from
  // resume_at()'s.
  const RunHistory& history() const { return m_run; }
  const std::vector<LossPoint>& losses() const { return m_run.losses; }
  const std::vector<EpochMetrics>& epochs() const { return m_history; }
  const EvalResult& last_eval() const { return m_eval; }
  // From now on each validation pass also records network `net`'s top-1 into `history` (which
  // must outlive the trainer or be detached with nullptr). Its eval_index continues the
  // history's own numbering, so a history can outlive one trainer and go on with the next.
  void record_history(LearningHistory* history, int net = 0);
  // record_history()'s history (null when none) and its network.
  const LearningHistory* learning_history() const { return m_learning; }
  int learning_history_net() const { return m_learning_net; }
  // After weights were loaded into the backend (a checkpoint): continue as if `epochs_done`
  // epochs and `global_step` steps had run here, with their history; the loaded state becomes
  // the divergence fallback. `epoch_position` (epoch_position() when the state was read) is how
  // many samples of the next epoch those steps already trained: the epoch goes on from there in
  // its own order, its train loss and accuracy the mean of all its steps' (those in `history`
  // included); its time goes on from `epoch_seconds`, what those steps took (epoch_seconds()).
  // Early stopping counts on from `patience_from` (patience_from() when the state was read), or
  // from `epochs_done` when the run had already stopped early.
  // `at_epoch_end` false: position 0 but `global_step` is no epoch's end (a state saved inside an
  // epoch that starts over on other training images), which a divergence's message then says.
  // Throws InputError for a position this training set cannot have (not a whole number of batches
  // inside the epoch).
  void resume_at(int epochs_done, long long global_step, RunHistory history = {},
                 int epoch_position = 0, double epoch_seconds = 0, int patience_from = 0,
                 bool at_epoch_end = true);
  // Samples of the current epoch trained so far (0 between epochs), for resume_at().
  int epoch_position() const { return m_in_epoch ? m_position : 0; }
  // Seconds the current epoch has trained so far (0 between epochs), for resume_at(): the time of
  // its steps, so neither a validation pass inside it nor the time between steps (a pause, a
  // save) counts.
  double epoch_seconds() const { return m_in_epoch ? m_epoch_seconds : 0; }
  // Takes the losses of the steps since the last drain (every loss_every steps otherwise) into
  // the history, e.g. before it is saved. Throws DivergenceError as step() does.
  void drain_losses();
  // drain_losses(), then check_state() before the networks are saved: a step's update can
  // overflow after its loss was taken, and a file or stored place holding such values could not
  // be loaded.
  void drain_for_save();
  // Evaluate now (outside the epoch schedule), e.g. after loading a checkpoint. The run's history
  // then ends with a record at this step: a new one, or its last pass's, updated, when that ran at
  // this very step (RunHistory::add_evaluation); the attached learning history gets the pass
  // unless its own last one ran at this step.
  const EvalResult& evaluate();

 private:
  void end_epoch();
  // Evaluates into m_eval and records the pass, which ran with `epochs_done` epochs completed
  // (evaluate()'s rules). Every validation pass goes through here: epoch ends, every eval_every
  // steps, evaluate(); a pass at a step that ends an epoch is one pass.
  void evaluate_pass(int epochs_done);
  // m_eval into the run's history at this step (RunHistory::add_evaluation's rule).
  void record_evaluation(double epoch_position);
  void keep_good_state();
  void restore_good_state();
  // After a pass between steps: throws DivergenceError (the good state restored) when a network's
  // validation loss is not finite.
  void check_validation_loss();
  // Every network's weights and optimizer state: a value that is not finite is a divergence after
  // the last step (DivergenceError, the last good state restored, as for a NaN loss). Before a
  // save, and at an epoch's end before the state becomes the good one. It reads one tensor at a
  // time: keep_good_state() then reads them all again, a second read at an epoch's end that spares
  // the host a second copy of the whole state (with Adam, three floats for every weight of every
  // network).
  void check_state();

  Backend& m_backend;
  const Dataset& m_train;
  const Dataset& m_val;
  TrainConfig m_cfg;
  int m_epoch = 0;          // completed epochs
  int m_patience_from = 0;  // stopped_early() counts the epochs after this one and the best
  int m_best_epoch = 0;     // m_run.best_epoch(), kept as each epoch ends
  int m_position = 0;       // next sample position in the current epoch's order
  bool m_in_epoch = false;
  long long m_global_step = 0;
  long long m_samples = 0;
  double m_epoch_loss_sum = 0;
  long long m_epoch_loss_steps = 0;
  double m_epoch_seconds = 0;  // epoch_seconds()
  RunHistory m_run;
  std::vector<EpochMetrics> m_history;
  double m_epoch_acc_sum = 0;
  EvalResult m_eval;
  LearningHistory* m_learning = nullptr;  // record_history()'s, or null
  int m_learning_net = 0;
  std::vector<std::vector<float>> m_good;  // per (net, tensor, role): the last finished epoch
                                           // (or the state resumed from)
  long long m_good_step = 0, m_good_backend_step = 0, m_good_samples = 0;  // and its counts
  bool m_good_off_epoch_end = false;  // it is a state resumed at no epoch's end, between epochs
  struct EpochSoFar {                 // and the epoch it is in: 0 samples at an epoch's end
    int position = 0;
    double loss_sum = 0, acc_sum = 0;
    long long loss_steps = 0;
    double seconds = 0;
  } m_good_epoch;
  std::atomic<long long> m_snapshot_request{-1};  // (net << 32) | probe, or -1
};

}  // namespace cs
