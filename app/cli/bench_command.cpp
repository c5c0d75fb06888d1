// convscope-cli bench: one epoch of the reference network on the real MNIST, timed, with the
// PyTorch peer measured in the same run on the same machine and the speed ratio printed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>

#include "commands.h"
#include "options.h"
#include "progress.h"

namespace cs::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct Figures {
  double epoch_s = 0, eval_ms = 0, val_acc = 0;
};

// One epoch of a fresh group; with capture_hz > 0 a snapshot is requested (and taken by a
// simulated reader) that many times per second of wall time.
Figures run_epoch(Backend& backend, const DatasetPair& data, TrainConfig cfg, double capture_hz) {
  cfg.epochs = 1;
  cfg.loss_every = 100;
  Trainer trainer(backend, data.train, data.test, cfg);
  const auto period = std::chrono::duration<double>(capture_hz > 0 ? 1.0 / capture_hz : 1e9);
  auto next_capture = Clock::now();
  while (trainer.step()) {
    if (capture_hz > 0 && Clock::now() >= next_capture) {
      trainer.request_snapshot(0, 0);
      (void)backend.snapshots().take();
      next_capture += std::chrono::duration_cast<Clock::duration>(period);
    }
  }
  Figures f;
  f.epoch_s = trainer.epochs().back().seconds;
  f.val_acc = trainer.epochs().back().val_accuracy;
  std::vector<double> ms;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
    trainer.evaluate();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  f.eval_ms = ms[ms.size() / 2];
  return f;
}

// Runs the peer script and returns its total_seconds: the time to train all its networks for
// one epoch, one after another (or a negative value when it did not run).
double run_peer(const std::string& command, double* peer_acc, double* peer_eval_ms,
                std::string* peer_name) {
  std::fprintf(stderr, "peer: %s\n", command.c_str());
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return -1;
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
  const auto number = [&](const std::string& key) {
    const size_t at = out.rfind("\"" + key + "\":");
    return at == std::string::npos ? -1.0 : std::strtod(out.c_str() + at + key.size() + 3, nullptr);
  };
  const size_t t = out.rfind("\"torch\":");
  if (t != std::string::npos) {
    const size_t q1 = out.find('"', t + 8), q2 = out.find('"', q1 + 1);
    *peer_name = "pytorch " + out.substr(q1 + 1, q2 - q1 - 1);
  }
  *peer_acc = number("val_accuracy");
  *peer_eval_ms = number("eval_ms");
  return number("total_seconds");
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

int bench_command(const std::vector<std::string>& argv) {
  Args args("bench");
  args.set_summary(
      "Time one epoch (reference network, Adam, batch 64, all 60,000 MNIST images preloaded) and\n"
      "the full validation evaluation, then run the PyTorch peer on the same machine and print\n"
      "the speed ratio.");
  add_data_options(args);
  add_model_options(args);
  add_backend_options(args, "2");
  args.section("Benchmark");
  args.option("nets", "N", "1",
              "networks trained in lockstep (the peer trains them one after another)");
  args.flag("compare-single", "with --nets > 1: also time one network and print the ratio");
  args.option("capture-hz", "F", "0", "also time epochs with live snapshots at F per second");
  args.option("repeat", "N", "3", "with --capture-hz: epochs of each kind, best compared");
  args.option("python", "EXE", "",
              "Python for the peer (default: /usr/bin/python3 for cpu, python3 for cuda)");
  args.flag("no-peer", "skip the PyTorch peer");
  args.flag("json", "print the figures as one JSON line on stdout");
  if (!args.parse(argv)) return 0;

  const int nets = args.integer("nets", 1, 1024);
  const double capture_hz = args.real("capture-hz");
  const DatasetPair data = load_data(args);
  const TrainConfig cfg = train_config(args, data.train, nets);
  BackendSelection sel = select_backend(args);
  const BackendInfo info = sel.backend->info();

  const Figures ours = run_epoch(*sel.backend, data, cfg, 0);
  std::ostringstream json;
  json << "{\"backend\":\"" << info.kind << "\",\"device\":\"" << info.device
       << "\",\"nets\":" << nets << ",\"epoch_seconds\":" << ours.epoch_s
       << ",\"eval_ms\":" << ours.eval_ms << ",\"val_accuracy\":" << ours.val_acc;
  std::printf("%-34s %10s %14s %10s %9s\n", "run", "epoch", "samples/s", "eval", "val acc");
  // One table row; `group` networks each saw the training set once; eval_ms < 0: not measured.
  const auto row = [&](const std::string& name, int group, double s, double eval_ms, double acc) {
    char eval[32] = "       -   ";
    if (eval_ms >= 0) std::snprintf(eval, sizeof eval, "%7.1f ms", eval_ms);
    std::printf("%-34s %8.3f s %14.0f %s %8.2f%%\n", name.c_str(), s,
                static_cast<double>(data.train.count) * group / s, eval, 100 * acc);
  };
  row("convscope " + info.kind + " x" + std::to_string(nets), nets, ours.epoch_s, ours.eval_ms,
      ours.val_acc);

  if (capture_hz > 0) {
    // One epoch is too short to resolve a few percent against run-to-run noise: alternate
    // epochs without and with capture and compare the best of each.
    const int repeats = args.integer("repeat", 1, 100);
    double plain_s = ours.epoch_s, capture_s = 1e30;
    Figures cap;
    for (int r = 0; r < repeats; ++r) {
      if (r > 0) plain_s = std::min(plain_s, run_epoch(*sel.backend, data, cfg, 0).epoch_s);
      cap = run_epoch(*sel.backend, data, cfg, capture_hz);
      capture_s = std::min(capture_s, cap.epoch_s);
    }
    const double overhead = capture_s / plain_s - 1;
    row("  best of " + std::to_string(repeats) + " without capture", nets, plain_s, -1,
        ours.val_acc);
    row("  best of " + std::to_string(repeats) + " with capture at " +
            std::to_string(static_cast<int>(capture_hz)) + "/s",
        nets, capture_s, -1, cap.val_acc);
    // The direct cost: snapshots taken back to back (probe forward/backward, gather, publish;
    // on a GPU also the copy to pinned memory, overlapped with nothing here).
    constexpr int kShots = 200;
    const auto t0 = Clock::now();
    for (int i = 0; i < kShots; ++i) sel.backend->capture_snapshot(0, i % data.test.count);
    (void)sel.backend->take_losses();  // a GPU backend syncs here
    const double shot_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / kShots;
    std::printf(
        "capture overhead: %+.1f%% measured (best epochs), %.3f ms per snapshot = %.2f%% of "
        "training time at %g/s (target <= 3%%)\n",
        100 * overhead, shot_ms, shot_ms * capture_hz / 10, capture_hz);
    json << ",\"capture_hz\":" << capture_hz << ",\"capture_overhead\":" << overhead
         << ",\"snapshot_ms\":" << shot_ms;
  }
  if (nets > 1 && args.on("compare-single")) {
    TrainConfig single = cfg;
    single.group.seeds.resize(1);
    const Figures one = run_epoch(*sel.backend, data, single, 0);
    row("convscope " + info.kind + " x1", 1, one.epoch_s, one.eval_ms, one.val_acc);
    std::printf("%d networks take %.1fx the time of one\n", nets, ours.epoch_s / one.epoch_s);
    json << ",\"single_epoch_seconds\":" << one.epoch_s;
  }
  if (!args.on("no-peer")) {
    const bool gpu = info.kind == "cuda";
    const std::string python = args.given("python") ? args.str("python")
                               : gpu                ? "python3"
                                                    : "/usr/bin/python3";
    const std::string script =
        std::string(CONVSCOPE_SOURCE_DIR) +
        (gpu ? "/bench/torch_gpu_reference.py" : "/bench/torch_reference.py");
    std::string data_dir = args.given("data") ? args.str("data") : default_mnist_dir();
    std::string command = python + " " + shell_quote(script) + " --data " + shell_quote(data_dir) +
                          " --nets " + std::to_string(nets) + " --batch-size " +
                          std::to_string(cfg.group.batch_size) + " --threads " +
                          std::to_string(args.integer("threads", 0, 1024));
    if (args.integer("limit-train", 0, 1 << 30) > 0)
      command += " --limit-train " + std::to_string(data.train.count);
    double peer_acc = -1, peer_eval_ms = -1;
    std::string peer_name = "pytorch";
    const double peer_s = run_peer(command, &peer_acc, &peer_eval_ms, &peer_name);
    if (peer_s > 0) {
      row(peer_name + (gpu ? " cuda eager" : " cpu") + (nets > 1 ? " (one by one)" : ""), nets,
          peer_s, peer_eval_ms, peer_acc);
      std::printf("speedup over PyTorch: %.2fx\n", peer_s / ours.epoch_s);
      json << ",\"peer\":\"" << peer_name << "\",\"peer_epoch_seconds\":" << peer_s
           << ",\"speedup\":" << peer_s / ours.epoch_s;
    } else {
      std::printf("PyTorch peer did not run (see its messages above)\n");
    }
  }
  json << "}";
  if (args.on("json")) std::printf("%s\n", json.str().c_str());
  return 0;
}

}  // namespace cs::cli
