// convscope-cli ensemble: train N identically-built networks in lockstep, record every epoch in
// the run store, and print which validation images they most often get wrong.
// convscope-cli runs: list the stored runs, export one network's weights, delete runs and
// compact the store.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "commands.h"
#include "convscope/calibration.h"
#include "convscope/ensemble.h"
#include "convscope/ensemble_run.h"
#include "convscope/store.h"
#include "interrupt.h"
#include "options.h"
#include "progress.h"

namespace cs::cli {

namespace {

void print_summary(const EpochMetrics& m, const EnsembleStats& s, int epochs,
                   double samples_per_s) {
  std::printf(
      "epoch %d/%d  accuracy mean %.2f%% ± %.2f  min %.2f%%  max %.2f%%  vote %.2f%%  %s  %.0f "
      "samples/s\n",
      m.epoch, epochs, 100 * s.mean_accuracy, 100 * s.std_accuracy, 100 * s.min_accuracy,
      100 * s.max_accuracy, 100 * s.vote_accuracy, format_duration(m.seconds).c_str(),
      samples_per_s);
  std::fflush(stdout);
}

void print_hardest(const EnsembleStats& s, int rows) {
  std::printf("\nmost often misclassified validation images:\n%7s %5s %7s %13s %9s %5s %8s\n",
              "image", "label", "wrong", "common wrong", "p(true)", "vote", "entropy");
  for (int r = 0; r < rows && r < static_cast<int>(s.ranking.size()); ++r) {
    const int i = s.ranking[r];
    const ImageStats& im = s.images[i];
    if (im.wrong == 0) break;
    const auto label = [](uint8_t l) {  // "-" where there is none
      return l == kNoLabel ? std::string("-") : std::to_string(l);
    };
    std::printf("%7d %5d %4d/%-2d %9s x%-3d %9.3f %5s %8.2f\n", i, im.label, im.wrong, s.nets,
                label(im.common_wrong_label).c_str(), im.common_wrong, im.mean_true_prob,
                label(im.vote).c_str(), im.disagreement);
  }
}

// The vote's calibration beside the networks' alone.
void print_calibration(const EvalResult& eval, const EnsembleStats& s) {
  const EnsembleCalibration c = calibrate_ensemble(eval, s);
  if (c.vote.count == 0)
    std::printf(
        "\ncalibration: the vote's none (not one image's vote probability is a number in [0, 1])");
  else
    std::printf(
        "\ncalibration: the vote's ECE %.2f%% (mean confidence %.2f%% against accuracy %.2f%%, "
        "low by at most %.2f points: the probability outside the networks' top 3)",
        100 * c.vote.ece, 100 * c.vote.confidence, 100 * c.vote.accuracy(), 100 * c.outside_top3);
  if (std::isnan(c.mean_net_ece))
    std::printf("; a network alone none (no network's top-1 probability is a number in [0, 1])\n");
  else
    std::printf("; a network alone %.2f%% on average (%.2f%% to %.2f%%)\n", 100 * c.mean_net_ece,
                100 * c.min_net_ece, 100 * c.max_net_ece);
}

// Each class's accuracy over the networks (minimum, median, maximum) beside the vote's.
void print_classes(const EnsembleStats& s) {
  std::printf(
      "\neach class: the networks' accuracy on its images, and the vote's:\n%5s %7s %8s %8s "
      "%8s %8s\n",
      "class", "images", "min", "median", "max", "vote");
  for (int c = 0; c < s.classes; ++c) {
    if (s.class_images[c] == 0) continue;
    const Distribution d = class_accuracy_spread(s, c);
    std::printf("%5d %7d %7.2f%% %7.2f%% %7.2f%% %7.2f%%\n", c, s.class_images[c], 100 * d.min,
                100 * d.median, 100 * d.max, 100 * s.vote_class_accuracy[c]);
  }
}

// "RUN:NET" of --export: a run id and a network of it.
// `s` as a whole number >= 0, into `out`.
template <typename T>
bool whole_number(const std::string& s, T& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size() && out >= 0;
}

std::pair<int64_t, int> run_and_net(const std::string& text) {
  const size_t colon = text.find(':');
  long long run = 0;
  int net = -1;
  if (colon == std::string::npos || !whole_number(text.substr(0, colon), run) ||
      !whole_number(text.substr(colon + 1), net))
    throw UsageError("--export: '" + text + "' is not RUN:NET (as 3:17, network 17 of run 3)");
  return {run, net};
}

// --delete RUN[,RUN...]
std::vector<int64_t> run_ids(const std::string& text) {
  std::vector<int64_t> out;
  for (size_t from = 0; from <= text.size();) {
    const size_t comma = std::min(text.find(',', from), text.size());
    long long run = 0;
    if (!whole_number(text.substr(from, comma - from), run) || run == 0)
      throw UsageError("--delete: '" + text + "' is not RUN[,RUN...] (as 3 or 3,5,8)");
    if (std::find(out.begin(), out.end(), run) == out.end()) out.push_back(run);  // 1,1: once
    from = comma + 1;
  }
  return out;
}

// Deletes `runs`, all or none (Store::delete_runs), and says what each was.
void delete_runs(Store& store, const std::vector<int64_t>& runs) {
  const std::vector<RunSummary> before = store.list_runs();  // what each run was, for the report
  store.delete_runs(runs);                                   // all or none
  for (int64_t id : runs) {
    const auto r = std::ranges::find(before, id, &RunSummary::id);
    if (r == before.end()) {  // begun by another process since the list was read
      std::fprintf(stderr, "deleted run %lld\n", static_cast<long long>(id));
      continue;
    }
    std::fprintf(stderr, "deleted run %lld (%d networks, %d/%d epochs, %s)%s\n",
                 static_cast<long long>(id), r->nets, r->epochs_done, r->epochs,
                 to_string(r->status).c_str(),
                 r->sweep.sweep == 0
                     ? ""
                     : ("; configuration " + std::to_string(r->sweep.config) + " of sweep " +
                        std::to_string(r->sweep.sweep) + " is trained again when the sweep resumes")
                           .c_str());
  }
}

// --continue RUN: the stopped run's group, to the epochs it planned or --epochs more.
TrainConfig continue_config(const Args& args, const RunInfo& info) {
  const RunSetup& was = info.setup;
  const std::string run = "run " + std::to_string(info.id);
  if (const std::string problem = sweep_run_problem(info); !problem.empty())
    throw UsageError("--continue: " + run + " " + problem);  // before the data is read
  for (const char* flag :
       {"arch", "optimizer", "lr", "beta1", "beta2", "epsilon", "momentum", "rho",
        "initial-accumulator", "weight-decay", "lr-schedule", "batch-size", "augment-shift",
        "label-smoothing", "seed", "nets", "per-net-shuffle"})
    if (args.given(flag))
      throw UsageError(std::string("--") + flag + ": --continue goes on with " + run + "'s " +
                       std::to_string(was.group.nets()) + " x " + was.group.spec.to_string() +
                       ", " + was.group.optimizer.to_string() + ", batch " +
                       std::to_string(was.group.batch_size) + regularization_text(was.group) +
                       " and seeds as they were");
  TrainConfig cfg;
  cfg.group = was.group;
  cfg.epochs =
      args.given("epochs") ? info.epochs_done + args.integer("epochs", 1, 100000) : was.epochs;
  if (cfg.epochs <= info.epochs_done)
    throw UsageError("--continue: " + run + " has recorded all its " +
                     std::to_string(info.epochs_done) +
                     " epoch(s); give --epochs N to train N more");
  return cfg;
}

}  // namespace

int ensemble_command(const std::vector<std::string>& argv) {
  Args args("ensemble");
  args.set_summary(
      "Train N networks of one architecture in lockstep (seeds S, S+1, ...; same data and order),\n"
      "store every epoch in the run store, and rank the images they most often get wrong.");
  add_data_options(args);
  add_model_options(args);
  add_backend_options(args);
  args.section("Ensemble");
  args.option("nets", "N", "50", "networks in the group");
  args.flag("per-net-shuffle", "give every network its own sample order");
  args.option("store", "FILE", default_store_path(), "the run store (SQLite)");
  args.option("continue", "RUN", "",
              "continue stopped run RUN (cancelled, interrupted or finished) from its latest "
              "epoch, or its place saved inside the next, with its networks' weights and "
              "optimizer state, on the same data: to the epochs it planned, or --epochs more");
  args.option("save-every", "S", std::to_string(kSaveEverySeconds),
              "seconds between saves of where the run stands inside an epoch, so that one killed "
              "continues from there (0: after every step)");
  args.option("top", "N", "15", "print the N most often misclassified images");
  args.flag("quiet", "no progress bar");
  if (!args.parse(argv)) return 0;

  const bool continuing = args.given("continue");
  const int64_t continued = continuing ? args.integer("continue", 1, 1 << 30) : -1;
  const int top = args.integer("top", 0, 10000);  // every flag is checked before any work
  const int save_every = args.integer("save-every", 0, 86400);
  const int new_nets = continuing ? 0 : args.integer("nets", 1, 1000);
  const BackendRequest backend = backend_request(args);
  // A run continued is read from its store before the data load; a new run's store is opened
  // (made) only once its flags, data and network are known to be good.
  std::optional<Store> store;
  TrainConfig cfg;
  if (continuing) {
    require_store(args.str("store"), "continue");
    store.emplace(args.str("store"));
    cfg = continue_config(args, store->load_run_info(continued));
  }
  const DatasetPair data = load_data(args);
  if (!continuing) {
    cfg = train_config(args, data.train, new_nets);
    cfg.group.per_net_shuffle = args.on("per-net-shuffle");
  }
  const int nets = cfg.group.nets();
  BackendSelection sel = select_backend(backend);
  Trainer trainer(*sel.backend, data.train, data.test, cfg);
  if (!continuing) store.emplace(args.str("store"));

  const InterruptGuard interrupt;
  const auto label = [&](int epoch) {
    return std::to_string(nets) + " nets, epoch " + std::to_string(epoch) + "/" +
           std::to_string(cfg.epochs);
  };
  Progress progress(label(1), trainer.steps_per_epoch(), args.on("quiet"));
  long long base = 0;
  EnsembleStats stats;
  EnsembleHooks hooks;
  LearningWarnings warnings;
  hooks.cancel_requested = [&] { return interrupt.requested(); };
  hooks.save_every_seconds = save_every;
  hooks.begun = [&](int64_t run) {
    std::fprintf(stderr, "run %lld in %s: %d x %s, %s, batch %d%s, %d epoch(s)",
                 static_cast<long long>(run), store->path().c_str(), nets,
                 cfg.group.spec.to_string().c_str(), cfg.group.optimizer.to_string().c_str(),
                 cfg.group.batch_size, regularization_text(cfg.group).c_str(), cfg.epochs);
    if (continuing && trainer.epoch_position() > 0)
      std::fprintf(stderr, ", continued in epoch %d after %d of its images", trainer.epoch() + 1,
                   trainer.epoch_position());
    else if (continuing)
      std::fprintf(stderr, ", continued after epoch %d", trainer.epoch());
    std::fprintf(stderr, "\n");
    if (continuing) progress.restart(label(trainer.epoch() + 1), trainer.steps_per_epoch());
  };
  hooks.stepped = [&](const Trainer& t, bool epoch_ended) {
    if (epoch_ended) return;
    progress.update(t, (t.samples_seen() - base) * nets);
  };
  hooks.epoch_recorded = [&](const Trainer& t) {
    progress.finish();
    const EpochMetrics& m = t.epochs().back();
    stats = compute_ensemble_stats(t.last_eval(), data.test.labels, data.test.classes);
    print_summary(m, stats, cfg.epochs, double(t.train_images()) * nets / m.seconds);
    warnings.epoch(m);
    base = t.samples_seen();
    if (!t.finished()) progress.restart(label(t.epoch() + 1), t.steps_per_epoch());
  };
  const RunSetup setup =
      RunSetup::from(cfg, data.train, data.test, sel.backend->info(), CONVSCOPE_VERSION);
  const EnsembleOutcome outcome = continuing
                                      ? continue_ensemble(*store, continued, trainer, setup, hooks)
                                      : run_ensemble(*store, trainer, setup, hooks);
  progress.finish();
  const long long run = outcome.run;
  if (outcome.cancelled) {
    std::fprintf(stderr,
                 "cancelled: run %lld keeps its %d finished epoch(s) and their weights%s; "
                 "--continue %lld goes on from there\n",
                 run, trainer.epoch(),
                 trainer.epoch_position() > 0 ? ", and where it stood in the next" : "", run);
    return interrupt.exit_code();
  }
  if (stats.nets > 0) {
    print_calibration(trainer.last_eval(), stats);
    print_classes(stats);
  }
  print_hardest(stats, top);
  std::printf("\nstored as run %lld in %s\n", run, store->path().c_str());
  return 0;
}

int runs_command(const std::vector<std::string>& argv) {
  Args args("runs");
  args.set_summary(
      "List the runs in the run store, newest first; or, with --export, write one network's "
      "final weights as a safetensors file; or delete runs and compact the store.");
  args.option("store", "FILE", default_store_path(), "the run store (SQLite)");
  args.option("export", "RUN:NET", "",
              "write network NET of run RUN (PyTorch names and layouts, its spec and seed in the "
              "metadata) to --to instead of listing the runs");
  args.option("to", "FILE", "", "the file --export writes (atomically)");
  args.option("delete", "RUN[,RUN...]", "",
              "delete these runs with their weights, predictions and history (not one being "
              "trained; a sweep trains its configuration's run again when it resumes)");
  args.flag("compact",
            "give the space of deleted runs back to the disk (rewrites the store; a deletion "
            "does it at once in a store made or compacted since it could)");
  if (!args.parse(argv)) return 0;
  args.one_of({"export", "delete"});
  args.one_of({"export", "compact"});
  args.only_with("export", {"to"});
  if (args.given("delete") || args.given("compact")) {
    const std::vector<int64_t> runs =
        args.given("delete") ? run_ids(args.str("delete")) : std::vector<int64_t>();
    bool released = true;  // the space back on the disk
    change_store(args.str("store"), args.given("delete") ? "delete" : "compact",
                 args.given("compact") ? "compacted" : "store", [&](Store& store) {
                   // All or nothing: a compact that would be refused deletes nothing first.
                   if (args.given("compact"))
                     if (const std::string problem = store.compact_problem(); !problem.empty())
                       throw StoreError(problem + (runs.empty() ? "" : "; nothing was deleted"));
                   if (!runs.empty()) delete_runs(store, runs);
                   if (args.given("compact")) released = store.compact();
                 });
    if (!released)
      std::fprintf(stderr,
                   "note: others are reading %s: the space comes back to the disk when they "
                   "close it\n",
                   args.str("store").c_str());
    return 0;
  }
  if (args.given("export")) check_output_folders(args, {"to"});  // before the store is read
  Store store(args.str("store"), StoreAccess::ReadOnly);
  if (args.given("export")) {
    if (!args.given("to")) throw UsageError("--export needs --to FILE");
    const auto [run, net] = run_and_net(args.str("export"));
    store.export_weights(run, net, args.str("to"));
    std::fprintf(stderr, "wrote network %d of run %lld to %s\n", net, static_cast<long long>(run),
                 args.str("to").c_str());
    return 0;
  }
  std::printf("%5s  %-24s %-11s %5s %7s %9s  %-8s %s\n", "run", "created", "status", "nets",
              "epochs", "mean acc", "backend", "architecture");
  for (const RunSummary& r : store.list_runs()) {
    const std::string sweep = r.sweep.sweep == 0
                                  ? ""
                                  : "  (sweep " + std::to_string(r.sweep.sweep) +
                                        ", configuration " + std::to_string(r.sweep.config) + ")";
    char accuracy[16] = "-";  // none before its first epoch, as the app shows it
    if (r.epochs_done > 0)
      std::snprintf(accuracy, sizeof accuracy, "%.2f%%", 100 * r.mean_accuracy);
    std::printf("%5lld  %-24s %-11s %5d %3d/%-3d %9s  %-8s %s%s\n", static_cast<long long>(r.id),
                r.created.c_str(), to_string(r.status).c_str(), r.nets, r.epochs_done, r.epochs,
                accuracy, r.backend.c_str(), r.spec.c_str(), sweep.c_str());
  }
  return 0;
}

}  // namespace cs::cli
