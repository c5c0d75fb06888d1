// convscope-cli train: train one network, print per-epoch summaries, optionally save it.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "commands.h"
#include "convscope/atomic_file.h"
#include "convscope/checkpoint.h"
#include "convscope/lr_finder.h"
#include "interrupt.h"
#include "options.h"
#include "progress.h"

namespace cs::cli {

namespace {

// One row an epoch, from the run's history: a resumed run's epochs before the resume too, their
// `seconds` empty (a checkpoint does not keep them). `lr` is the learning rate of the epoch's last
// step (a schedule moves it) as that step recorded it: a resume at another rate changes the later
// epochs' only.
void write_metrics_csv(const std::string& path, const Trainer& t) {
  std::ostringstream out;
  out << "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds,lr\n";
  for (const EvaluationRecord& e : t.history().evaluations) {
    if (!e.epoch_end) continue;
    const int epoch = static_cast<int>(std::lround(e.epoch));
    out << epoch << ',' << e.train_loss << ',' << e.train_accuracy << ',' << e.val_loss << ','
        << e.val_accuracy << ',';
    const auto here = std::find_if(t.epochs().begin(), t.epochs().end(),
                                   [&](const EpochMetrics& m) { return m.epoch == epoch; });
    if (here != t.epochs().end()) out << here->seconds;
    const long long last = e.step - 1;
    const std::vector<LossPoint>& losses = t.history().losses;
    const auto at = std::lower_bound(losses.begin(), losses.end(), last,
                                     [](const LossPoint& p, long long s) { return p.step < s; });
    const bool recorded = at != losses.end() && at->step == last && at->lr >= 0;
    out << ',' << (recorded ? at->lr : t.learning_rate(last)) << '\n';
  }
  write_file_atomically(path, out.str());
}

// Where a run stands: "epoch 2" (completed), or "epoch 2 and 6400 samples of epoch 3".
std::string position_text(int epoch, int position) {
  std::string text = "epoch " + std::to_string(epoch);
  if (position > 0)
    text += " and " + std::to_string(position) + " samples of epoch " + std::to_string(epoch + 1);
  return text;
}

// Writes the checkpoint of where `t` stands (its losses drained by the caller); says so unless
// `quiet` (the saves while it trains).
void save(const std::string& path, Trainer& t, bool quiet = false) {
  const CheckpointMeta meta = checkpoint_meta(t);
  save_checkpoint(path, t.backend(), 0, meta);
  if (!quiet)
    std::fprintf(stderr, "saved %s (%s, step %lld)\n", path.c_str(),
                 position_text(meta.epoch, meta.epoch_position).c_str(), meta.step);
}

// --resume: the checkpoint's network, optimizer, batch and seed, to train --epochs more epochs
// (the hyperparameter flags given override its values). The data's shape is checked by the
// trainer, the weights by read_checkpoint().
TrainConfig resume_config(const Args& args, const CheckpointMeta& meta) {
  for (const char* flag :
       {"arch", "optimizer", "batch-size", "augment-shift", "label-smoothing", "seed"})
    if (args.given(flag))
      throw UsageError(std::string("--") + flag +
                       ": --resume continues the checkpoint's run, with its network (" +
                       meta.spec.to_string() + "), optimizer (" + to_string(meta.optimizer.kind) +
                       "), batch size, random shift, label smoothing and seed");
  TrainConfig cfg;
  cfg.group = checkpoint_group(meta);
  apply_optimizer_flags(args, cfg.group.optimizer);
  cfg.epochs = meta.epoch + args.integer("epochs", 1, 100000);
  return cfg;
}

// --find-lr: the range test on the backend (which the trainer configures afresh after it), its
// suggestion the run's rate.
void find_rate(Backend& backend, const DatasetPair& data, TrainConfig& cfg) {
  const LrFinderResult found = find_learning_rate(backend, cfg.group, data.train, data.test, {});
  if (found.suggested_lr <= 0)
    throw InputError("--find-lr: the range test suggests no rate (its loss diverged within " +
                     std::to_string(found.points.size()) +
                     " steps); run lr-find with a lower --min-lr, or give --lr");
  cfg.group.optimizer.lr = static_cast<float>(found.suggested_lr);
  if (const std::string problem = cfg.group.optimizer.problem(); !problem.empty())
    throw InputError("--find-lr: " + problem);
  std::fprintf(stderr, "lr-find: %.3g, a tenth of %.3g, where the smoothed loss was lowest%s\n",
               found.suggested_lr, found.lowest_lr,
               found.still_falling() ? " (still falling at the test's maximum, 1)" : "");
}

}  // namespace

int train_command(const std::vector<std::string>& argv) {
  Args args("train");
  args.set_summary("Train one network on an IDX dataset and report loss and validation accuracy.");
  add_data_options(args);
  add_model_options(args);
  args.option("eval-every", "N", "0",
              "also evaluate on the validation set every N steps (0: after each epoch only)");
  args.option("patience", "N", "0",
              "stop early once N epochs in a row end without a validation loss below the best "
              "epoch's (0: train every epoch; a run resumed after such a stop gets N again)");
  args.option("resume", "FILE", "",
              "continue a checkpoint's run (weights, optimizer state, step, metric history) for "
              "--epochs more epochs (one saved mid-epoch goes on where it stopped: that epoch "
              "counts as one), in the order its seed gives them");
  args.flag("find-lr",
            "first run the learning-rate range test (lr-find with its defaults) on a fresh "
            "network, then train at the rate it suggests");
  add_backend_options(args);
  args.section("Output");
  args.option("save", "FILE", "",
              "write a safetensors checkpoint at the end (also after Ctrl+C) and, while training, "
              "every --save-every seconds (a run killed goes on from the last with --resume)");
  args.option("save-every", "S", std::to_string(kSaveEverySeconds),
              "seconds between the checkpoints --save writes while training (0: after every "
              "step)");
  args.option("save-best", "FILE", "",
              "write a checkpoint at every epoch end whose validation loss is the lowest so far");
  args.option("metrics", "FILE", "", "write per-epoch metrics as CSV");
  args.option("history-csv", "FILE", "",
              "write each validation image's top-1 at every evaluation as CSV "
              "(image,eval_index,step,top1,correct)");
  args.flag("quiet", "no progress bar");
  if (!args.parse(argv)) return 0;
  args.only_with("save", {"save-every"});  // the seconds between --save's checkpoints
  check_output_folders(args, {"save", "save-best", "metrics", "history-csv"});

  const int save_every = args.integer("save-every", 0, 86400);
  if (args.on("find-lr"))
    for (const char* flag : {"lr", "resume"})
      if (args.given(flag))
        throw UsageError(std::string("--find-lr: it chooses the rate of a new run; it cannot go "
                                     "with --") +
                         flag);
  const DatasetPair data = load_data(args);
  const std::string resume = args.str("resume");
  const Checkpoint resumed = resume.empty() ? Checkpoint{} : read_checkpoint(resume);
  TrainConfig cfg =
      resume.empty() ? train_config(args, data.train, 1) : resume_config(args, resumed.meta);
  cfg.eval_every = args.integer("eval-every", 0, 1 << 30);
  cfg.patience = args.integer("patience", 0, 100000);
  if (args.on("find-lr"))  // the range test's own limits, said before any work
    if (const std::string problem =
            lr_finder_problem(LrFinderSettings{}, cfg.group.optimizer.weight_decay);
        !problem.empty())
      throw UsageError("--find-lr with --weight-decay: " + problem +
                       " (run lr-find with a lower --max-lr, or give --lr)");
  BackendSelection sel = select_backend(args);
  if (args.on("find-lr")) find_rate(*sel.backend, data, cfg);
  std::fprintf(stderr,
               "data: %s (%d training, %d validation images)\nnetwork: %s (%lld parameters)\n"
               "optimizer: %s, batch %d%s, %d epoch(s)\n",
               data.train.name.c_str(), data.train.count, data.test.count,
               cfg.group.spec.to_string().c_str(), cfg.group.spec.param_count(),
               cfg.group.optimizer.to_string().c_str(), cfg.group.batch_size,
               regularization_text(cfg.group).c_str(), cfg.epochs);
  Trainer trainer(*sel.backend, data.train, data.test, cfg);
  // Recorded always: the checkpoint keeps it (about 10 KB a pass for MNIST's 10,000 images).
  LearningHistory history(data.test.labels);
  if (!resume.empty()) {
    const CheckpointMeta& meta = resumed.meta;
    load_checkpoint(resumed, *sel.backend, 0);
    const int position = resume_from_checkpoint(trainer, meta);
    history = saved_learning_history(meta, data);  // when on the same validation images
    std::fprintf(stderr, "resumed %s after %s, step %lld\n", resume.c_str(),
                 position_text(meta.epoch, position).c_str(), meta.step);
    if (position != meta.epoch_position)
      std::fprintf(stderr,
                   "note: it was saved %d samples into epoch %d of '%s'; on these %d training "
                   "images that epoch starts over\n",
                   meta.epoch_position, meta.epoch + 1, meta.dataset.c_str(), data.train.count);
  }
  trainer.record_history(&history);

  const InterruptGuard interrupt;
  Progress progress(
      "epoch " + std::to_string(trainer.epoch() + 1) + "/" + std::to_string(cfg.epochs),
      trainer.steps_per_epoch(), args.on("quiet"));
  LearningWarnings warnings;
  long long epoch_samples_base = 0;
  using Clock = std::chrono::steady_clock;
  Clock::time_point saved = Clock::now();  // --save's last checkpoint, or the start
  // A checkpoint that fails while the run trains (a full disk) costs that checkpoint, not the run:
  // training goes on, --save is tried again at the end, and the exit status says what is missing.
  int best_unsaved = 0;           // the best epoch, when --save-best could not write it
  std::set<std::string> failing;  // said once while they fail (--save-every 0 on a full disk)
  const auto save_during = [&](const char* flag, bool quiet) {
    try {
      save(args.str(flag), trainer, quiet);
      failing.erase(flag);
      return true;
    } catch (const Error& e) {
      if (failing.insert(flag).second) {
        progress.finish();
        std::fprintf(stderr, "warning: --%s: %s; training goes on\n", flag, e.what());
      }
      return false;
    }
  };
  int exit_code = 0;
  try {
    while (!trainer.finished() && !interrupt.requested()) {
      const int epoch_before = trainer.epoch();
      trainer.step();
      if (trainer.epoch() != epoch_before) {
        progress.finish();
        const EpochMetrics& m = trainer.epochs().back();
        std::printf(
            "epoch %d/%d  train loss %s  acc %.2f%%  val loss %s  val acc %.2f%%  %s  %.0f "
            "samples/s\n",
            m.epoch, cfg.epochs, format_loss(m.train_loss).c_str(), 100 * m.train_accuracy,
            format_loss(m.val_loss).c_str(), 100 * m.val_accuracy,
            format_duration(m.seconds).c_str(), data.train.count / m.seconds);
        std::fflush(stdout);
        warnings.epoch(m);
        if (args.given("save-best") && trainer.best_epoch() == trainer.epoch())
          // The epoch's end: every loss drained.
          best_unsaved = save_during("save-best", false) ? 0 : trainer.epoch();
        epoch_samples_base = trainer.samples_seen();
        if (!trainer.finished())
          progress.restart(
              "epoch " + std::to_string(trainer.epoch() + 1) + "/" + std::to_string(cfg.epochs),
              trainer.steps_per_epoch());
      } else {
        progress.update(trainer, trainer.samples_seen() - epoch_samples_base);
      }
      if (args.given("save") && Clock::now() - saved >= std::chrono::seconds(save_every)) {
        trainer.drain_for_save();  // the checkpoint's history has every step so far
        save_during("save", true);
        saved = Clock::now();
      }
    }
    trainer.drain_for_save();  // an interrupted epoch's last steps, for the history saved
  } catch (const DivergenceError& e) {
    progress.finish();
    std::fprintf(stderr, "error: %s\n", e.what());
    exit_code = 1;
  }
  progress.finish();
  if (trainer.stopped_early())
    std::fprintf(stderr, "stopped early after epoch %d: %s\n", trainer.epoch(),
                 trainer.early_stop_reason().c_str());
  // A signal during the last step's validation pass came too late to stop anything.
  if (interrupt.requested() && !trainer.finished()) {
    if (trainer.epoch_position() == 0)
      std::fprintf(stderr, "interrupted after epoch %d, step %lld\n", trainer.epoch(),
                   trainer.global_step());
    else
      std::fprintf(stderr, "interrupted in epoch %d, step %lld\n", trainer.epoch() + 1,
                   trainer.global_step());
    exit_code = interrupt.exit_code();
  }
  if (best_unsaved > 0) {  // said first: what follows may fail too
    std::fprintf(stderr, "error: --save-best: the best epoch, %d, was not written (see above)\n",
                 best_unsaved);
    exit_code = std::max(exit_code, 1);
  }
  // The checkpoint first: it holds the run, and a CSV that fails after it cannot cost it.
  if (args.given("save")) save(args.str("save"), trainer);
  if (args.given("metrics")) write_metrics_csv(args.str("metrics"), trainer);
  if (args.given("history-csv")) {
    history.write_csv(args.str("history-csv"));
    std::fprintf(stderr, "history: %d evaluation(s) of %d images in %s\n", history.passes(),
                 history.images(), args.str("history-csv").c_str());
  }
  return exit_code;
}

}  // namespace cs::cli
