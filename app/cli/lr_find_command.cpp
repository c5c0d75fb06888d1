// convscope-cli lr-find: the learning-rate range test (convscope/lr_finder.h) for a network and
// optimizer: a table of rates and losses, the rate it suggests, and every step as CSV on request.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "commands.h"
#include "convscope/atomic_file.h"
#include "convscope/lr_finder.h"
#include "options.h"
#include "progress.h"

namespace cs::cli {

namespace {

constexpr int kTableRows = 20;  // rows of the printed table, evenly over the steps

void write_csv(const std::string& path, const LrFinderResult& r) {
  std::ostringstream out;
  out.precision(9);
  out << "step,lr,loss,smoothed_loss\n";
  for (size_t i = 0; i < r.points.size(); ++i)
    out << i + 1 << ',' << r.points[i].lr << ',' << r.points[i].loss << ',' << r.points[i].smoothed
        << '\n';
  write_file_atomically(path, out.str());
}

}  // namespace

int lr_find_command(const std::vector<std::string>& argv) {
  Args args("lr-find");
  args.set_summary(
      "Find a learning rate (the range test of Smith, 2017; fastai's lr_find): train a fresh "
      "network for --steps steps while the rate grows exponentially from --min-lr to --max-lr, "
      "and suggest a tenth of the rate at which the smoothed loss was lowest.");
  add_data_options(args);
  add_model_options(args);
  args.section("Range test");
  args.option("min-lr", "RATE", "1e-6", "the rate of the first step");
  args.option("max-lr", "RATE", "1", "the rate of the last step (at most 10)");
  args.option("steps", "N", "100", "steps to take, 10 to 10000 (a new epoch after each pass)");
  args.option("csv", "FILE", "", "write every step's rate, loss and smoothed loss as CSV");
  add_backend_options(args);
  for (const char* flag : {"lr", "lr-schedule", "epochs"})
    args.refuse(flag, "lr-find tries every rate from --min-lr to --max-lr over --steps steps");
  if (!args.parse(argv)) return 0;
  check_output_folders(args, {"csv"});
  LrFinderSettings settings;
  settings.min_lr = args.real("min-lr");
  settings.max_lr = args.real("max-lr");
  settings.steps = args.integer("steps", 10, 10000);
  const DatasetPair data = load_data(args);
  const TrainConfig cfg = train_config(args, data.train, 1);
  if (const std::string problem = lr_finder_problem(settings, cfg.group.optimizer.weight_decay);
      !problem.empty())  // the range's: --steps was checked above
    throw UsageError("--min-lr " + args.str("min-lr") + ", --max-lr " + args.str("max-lr") + ": " +
                     problem);
  BackendSelection sel = select_backend(args);
  std::fprintf(stderr, "network: %s, %s, batch %d%s\n", cfg.group.spec.to_string().c_str(),
               to_string(cfg.group.optimizer.kind).c_str(), cfg.group.batch_size,
               regularization_text(cfg.group).c_str());
  const LrFinderResult r =
      find_learning_rate(*sel.backend, cfg.group, data.train, data.test, settings);

  std::printf("%6s  %-10s  %-9s  %s\n", "step", "lr", "loss", "smoothed");
  const size_t n = r.points.size();
  for (int row = 0; row < kTableRows && n > 0; ++row) {
    const size_t i = std::min(n - 1, n * static_cast<size_t>(row) / kTableRows);
    if (row > 0 && i == n * static_cast<size_t>(row - 1) / kTableRows) continue;
    const LrFinderPoint& p = r.points[i];
    std::printf("%6zu  %-10.3g  %-9s  %s\n", i + 1, p.lr, format_loss(p.loss).c_str(),
                format_loss(p.smoothed).c_str());
  }
  if (r.diverged)
    std::printf("stopped at step %d: the loss diverged at lr %.3g\n", r.diverged_step,
                r.diverged_lr);
  if (r.suggested_lr > 0) {
    std::printf(
        "suggested learning rate: %.3g (a tenth of %.3g, where the smoothed loss was "
        "lowest)\n",
        r.suggested_lr, r.lowest_lr);
    if (r.still_falling())
      std::printf(
          "the loss was still falling at the last rate: a higher --max-lr may find a "
          "higher one\n");
  } else
    std::printf("no suggestion: the loss diverged within %zu steps; try a lower --min-lr\n", n);
  if (args.given("csv")) {
    write_csv(args.str("csv"), r);
    std::printf("wrote %s\n", args.str("csv").c_str());
  }
  return 0;
}

}  // namespace cs::cli
