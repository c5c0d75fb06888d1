// convscope-cli bench: the reference network on the real MNIST, trained on one backend
// configured once: an untimed warm-up epoch, then R timed epochs and R timed evaluations, with
// min / median / max printed. The PyTorch peer, run in the same invocation on the same machine,
// is timed the same way in its own process; the ratio printed is of medians, and none is printed
// when either side's timings vary more than 2x.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>
#include <thread>

#include "bench_peer.h"
#include "commands.h"
#include "convscope/network_summary.h"
#include "options.h"
#include "timing_spread.h"

namespace cs::cli {

namespace {

// Whether `exe` names a program this process may run: a path to one, or a name on PATH.
bool runnable(const std::string& exe) {
  const auto program = [](const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
  };
  if (exe.empty()) return false;
  if (exe.find('/') != std::string::npos) return program(exe);
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "";
  while (true) {
    const size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    if (program(std::filesystem::path(dir.empty() ? "." : std::string(dir)) / exe)) return true;
    if (colon == std::string_view::npos) return false;
    dirs.remove_prefix(colon + 1);
  }
}

using Clock = std::chrono::steady_clock;
using Json = nlohmann::ordered_json;  // fields in the order they are added

struct Figures {
  TimingSpread epochs;    // seconds of each timed epoch
  TimingSpread captured;  // with capture_hz > 0: seconds of each epoch with live snapshots
  TimingSpread evals_ms;  // each timed full validation evaluation
  double warmup_s = 0, val_acc = 0;
};

// Steps the trainer through its next epoch; with capture_hz > 0 a snapshot is requested (and
// taken by a simulated reader) that many times per second of wall time. Returns the trainer's
// time for the epoch's steps (the evaluation that ends the epoch is not in it).
double train_epoch(Trainer& trainer, double capture_hz) {
  const auto period = std::chrono::duration<double>(capture_hz > 0 ? 1.0 / capture_hz : 1e9);
  auto next_capture = Clock::now();
  const int epoch = trainer.epoch();
  while (trainer.epoch() == epoch) {
    trainer.step();
    if (capture_hz > 0 && Clock::now() >= next_capture) {
      trainer.request_snapshot(0, 0);
      (void)trainer.backend().snapshots().take();
      next_capture += std::chrono::duration_cast<Clock::duration>(period);
    }
  }
  return trainer.epochs().back().seconds;
}

// One trainer, so the backend is configured once, before anything is timed: a warm-up epoch,
// then `repeats` timed epochs (each followed by one with live snapshots when capture_hz > 0),
// then one warm-up and `repeats` timed evaluations.
Figures measure(Backend& backend, const DatasetPair& data, TrainConfig cfg, int repeats,
                double capture_hz) {
  cfg.epochs = 1 + repeats * (capture_hz > 0 ? 2 : 1);
  cfg.loss_every = 100;
  Trainer trainer(backend, data.train, data.test, cfg);
  Figures f;
  f.warmup_s = train_epoch(trainer, 0);
  std::vector<double> plain, captured, evals;
  for (int r = 0; r < repeats; ++r) {
    plain.push_back(train_epoch(trainer, 0));
    if (capture_hz > 0) captured.push_back(train_epoch(trainer, capture_hz));
  }
  f.val_acc = trainer.epochs().back().val_accuracy;
  for (int r = 0; r <= repeats; ++r) {
    const auto t0 = Clock::now();
    trainer.evaluate();
    if (r > 0)
      evals.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  f.epochs = TimingSpread(std::move(plain));
  if (!captured.empty()) f.captured = TimingSpread(std::move(captured));
  f.evals_ms = TimingSpread(std::move(evals));
  return f;
}

// Prints "<label>: <ratio>x" for numerator / denominator medians, or, when either side's
// timings vary more than 2x, which one and no ratio. Returns the ratio, or -1 without one.
double ratio(const std::string& label, const std::string& what, const std::string& unit,
             const std::string& num_name, const TimingSpread& num, const std::string& den_name,
             const TimingSpread& den) {
  bool reliable = true;
  for (const auto& [name, t] : {std::pair{num_name, &num}, std::pair{den_name, &den}})
    if (!t->reliable()) {
      std::printf("%s unreliable: %s\n", name.c_str(), t->variation(what, unit).c_str());
      reliable = false;
    }
  if (!reliable) {
    std::printf("%s: not given (timings too unsteady)\n", label.c_str());
    return -1;
  }
  const double r = num.median() / den.median();
  std::printf("%s: %.2fx (medians)\n", label.c_str(), r);
  return r;
}

// A ratio from ratio(): null when none was given.
Json json_ratio(double r) {
  return r > 0 ? Json(r) : Json(nullptr);
}

// "name": median, "name_min", "name_max", "name_all": [values in the order measured].
void put_spread(Json& out, const std::string& name, const TimingSpread& t) {
  out[name] = t.median();
  out[name + "_min"] = t.min();
  out[name + "_max"] = t.max();
  out[name + "_all"] = t.values();
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// This invocation as a shell command line, for the record under the table.
std::string command_line(const std::vector<std::string>& argv) {
  std::string line = "convscope-cli bench";
  for (const std::string& a : argv) {
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyz"
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789_./=:,+-@%") == a.npos;
    line += " " + (plain ? a : shell_quote(a));
  }
  return line;
}

}  // namespace

int bench_command(const std::vector<std::string>& argv) {
  Args args("bench");
  args.set_summary(
      "Time epochs of the reference network (Adam, batch 64, all 60,000 MNIST images preloaded)\n"
      "and the full validation evaluation on one backend configured once: a warm-up epoch, then\n"
      "--repeats timed ones. Then run the PyTorch peer the same way on the same machine and\n"
      "print min / median / max for both and the ratio of the medians (none when either side's\n"
      "timings vary more than 2x).");
  add_data_options(args);
  add_model_options(args);
  add_backend_options(args, "2");
  args.section("Benchmark");
  args.option("repeats", "R", "3",
              "timed epochs and evaluations after one untimed warm-up, each side (at least 3)");
  args.option("nets", "N", "1",
              "networks trained in lockstep (the peer trains them one after another)");
  args.flag("compare-single", "with --nets > 1: also time one network and print the ratio");
  args.option("capture-hz", "F", "0",
              "also time epochs with live snapshots at F per second, alternating with plain ones");
  args.option("python", "EXE", "",
              "Python for the peer (default: /usr/bin/python3 for cpu, python3 for cuda)");
  args.flag("no-peer", "skip the PyTorch peer");
  args.flag("json", "print the figures as one JSON line on stdout, last");
  args.refuse("epochs", "bench times --repeats epochs after one warm-up");
  if (!args.parse(argv)) return 0;
  args.one_of({"python", "no-peer"});  // the Python of a peer that is not run

  // The peer trains the reference network with Adam's defaults: another network or optimizer
  // would be timed against a different one.
  if (!args.on("no-peer"))
    for (const char* flag :
         {"arch", "optimizer", "lr", "beta1", "beta2", "epsilon", "momentum", "rho",
          "initial-accumulator", "weight-decay", "lr-schedule", "augment-shift", "label-smoothing"})
      if (args.given(flag))
        throw UsageError(std::string("--") + flag +
                         ": the PyTorch peer trains the reference network with Adam's defaults; "
                         "add --no-peer to time another network or optimizer");
  const int nets = args.integer("nets", 1, 1024);
  if (args.on("compare-single") && nets == 1)
    throw UsageError(
        "--compare-single goes with --nets above 1 (it times one network beside them)");
  const int repeats = args.integer("repeats", 3, 1000);
  const double capture_hz = args.real("capture-hz");
  if (!(capture_hz >= 0 && capture_hz <= 1000))
    throw UsageError("--capture-hz: must be 0 to 1000 snapshots a second");
  if (args.given("python") && !runnable(args.str("python")))
    throw UsageError("--python: '" + args.str("python") +
                     "' is no program here (a path to one, or a name on PATH)");
  const DatasetPair data = load_data(args);
  const TrainConfig cfg = train_config(args, data.train, nets);
  BackendSelection sel = select_backend(args);
  const BackendInfo info = sel.backend->info();
  const std::string ours_name = "convscope " + info.kind + " x" + std::to_string(nets);

  const Figures ours = measure(*sel.backend, data, cfg, repeats, capture_hz);
  Json json = {{"backend", info.kind},
               {"device", info.device},
               {"nets", nets},
               {"repeats", repeats},
               {"warmup_seconds", ours.warmup_s}};
  put_spread(json, "epoch_seconds", ours.epochs);
  // What an epoch costs one network (cs::summarize(): two FLOP per multiply-add), and so the
  // speed each side reaches.
  const double epoch_gflop =
      2.0 * static_cast<double>(summarize(cfg.group.spec).train_macs) * data.train.count / 1e9;
  json["train_gflop_per_epoch"] = epoch_gflop;
  json["gflops"] = epoch_gflop * nets / ours.epochs.median();
  put_spread(json, "eval_ms", ours.evals_ms);
  json["val_accuracy"] = ours.val_acc;

  std::printf("%d timed epochs and evaluations after one warm-up each, per side\n", repeats);
  std::printf("%-34s %11s %8s %8s %10s %8s %10s %8s %8s %8s\n", "run", "epoch s min", "median",
              "max", "samples/s", "GFLOP/s", "eval ms min", "median", "max", "val acc");
  // One table row; `group` networks each saw the training set once per epoch.
  const auto row = [&](const std::string& name, int group, const TimingSpread& epochs,
                       const TimingSpread& evals_ms, double acc) {
    std::printf("%-34s %11.3f %8.3f %8.3f %10.0f %8.1f", name.c_str(), epochs.min(),
                epochs.median(), epochs.max(),
                static_cast<double>(data.train.count) * group / epochs.median(),
                epoch_gflop * group / epochs.median());
    if (evals_ms.empty())
      std::printf(" %10s %8s %8s", "-", "-", "-");
    else
      std::printf(" %10.1f %8.1f %8.1f", evals_ms.min(), evals_ms.median(), evals_ms.max());
    std::printf(" %7.2f%%\n", 100 * acc);
  };
  row(ours_name, nets, ours.epochs, ours.evals_ms, ours.val_acc);

  if (capture_hz > 0) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", capture_hz);
    row("  with capture at " + std::string(rate) + "/s", nets, ours.captured, TimingSpread(),
        ours.val_acc);
    const double slower = ratio("capture slowdown", "epochs", "s", "with capture", ours.captured,
                                "without capture", ours.epochs);
    // The direct cost: snapshots taken back to back (probe forward/backward, gather, publish;
    // on a GPU also the copy to pinned memory, overlapped with nothing here).
    constexpr int kShots = 200;
    const auto t0 = Clock::now();
    for (int i = 0; i < kShots; ++i) sel.backend->capture_snapshot(0, i % data.test.count);
    (void)sel.backend->take_losses();  // a GPU backend syncs here
    (void)sel.backend->take_accuracies();
    const double shot_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / kShots;
    std::printf(
        "capture overhead: %.3f ms per snapshot = %.2f%% of training time at %g/s (target <= "
        "3%%)\n",
        shot_ms, shot_ms * capture_hz / 10, capture_hz);
    put_spread(json, "capture_epoch_seconds", ours.captured);
    json["capture_hz"] = capture_hz;
    json["capture_overhead"] = json_ratio(slower > 0 ? slower - 1 : -1);
    json["snapshot_ms"] = shot_ms;
  }
  if (nets > 1 && args.on("compare-single")) {
    TrainConfig single = cfg;
    single.group.seeds.resize(1);
    const Figures one = measure(*sel.backend, data, single, repeats, 0);
    const std::string one_name = "convscope " + info.kind + " x1";
    row(one_name, 1, one.epochs, one.evals_ms, one.val_acc);
    const double r = ratio("time of " + std::to_string(nets) + " networks over one", "epochs", "s",
                           ours_name, ours.epochs, one_name, one.epochs);
    put_spread(json, "single_epoch_seconds", one.epochs);
    json["group_cost"] = json_ratio(r);
  }
  if (!args.on("no-peer")) {
    const bool gpu = info.kind == "cuda";
    const std::string python = args.given("python") ? args.str("python")
                               : gpu                ? "python3"
                                                    : "/usr/bin/python3";
    const std::string script =
        std::string(CONVSCOPE_SOURCE_DIR) +
        (gpu ? "/bench/torch_gpu_reference.py" : "/bench/torch_reference.py");
    // As many threads as Convscope's CPU backend had (0: one per core, as it counts them).
    int threads = backend_request(args).threads;
    if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::string command = python + " " + shell_quote(script) + " --data " +
                          shell_quote(data_folder(args).dir) + " --nets " + std::to_string(nets) +
                          " --batch-size " + std::to_string(cfg.group.batch_size) + " --threads " +
                          std::to_string(threads) + " --repeats " + std::to_string(repeats);
    if (args.integer("limit-train", 0, 1 << 30) > 0)
      command += " --limit-train " + std::to_string(data.train.count);
    const PeerFigures peer = run_peer(command);
    if (peer.ran) {
      const std::string peer_row =
          peer.name + (gpu ? " cuda eager" : " cpu") + (nets > 1 ? " (one by one)" : "");
      row(peer_row, nets, peer.epochs, peer.evals_ms, peer.val_accuracy);
      std::printf("peer flushes denormals: %s\n", peer.flush_denormal ? "yes" : "NO");
      const double speedup = ratio("speed-up over PyTorch, epochs", "epochs", "s", "peer",
                                   peer.epochs, "convscope", ours.epochs);
      double eval_speedup = -1;
      if (speedup < 0)
        std::printf("speed-up over PyTorch, evaluation: not given (epochs too unsteady)\n");
      else if (!peer.evals_ms.empty())
        eval_speedup = ratio("speed-up over PyTorch, evaluation", "evaluations", "ms", "peer",
                             peer.evals_ms, "convscope", ours.evals_ms);
      json["peer"] = peer.name;
      json["peer_flush_denormal"] = peer.flush_denormal;
      put_spread(json, "peer_epoch_seconds", peer.epochs);
      if (!peer.evals_ms.empty()) put_spread(json, "peer_eval_ms", peer.evals_ms);
      json["speedup"] = json_ratio(speedup);
      json["eval_speedup"] = json_ratio(eval_speedup);
    } else {
      std::printf("PyTorch peer did not run (see its messages above)\n");
    }
  }
  const std::string command = command_line(argv);
  std::printf("command: %s\n", command.c_str());
  json["command"] = command;
  // Replace, not throw, on bytes that are not UTF-8 (a device name, a path in the command).
  if (args.on("json"))
    std::printf("%s\n", json.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
  return 0;
}

}  // namespace cs::cli
