// convscope-cli: headless training, evaluation and benchmarks.
#include <cctype>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "commands.h"
#include "convscope/error.h"
#include "interrupt.h"

namespace {

constexpr const char* kUsage =
    "usage: convscope-cli <command> [flags]\n"
    "\n"
    "commands:\n"
    "  train         train a network on MNIST (or any IDX folder) and optionally save it\n"
    "  eval          evaluate a saved checkpoint on the whole validation set\n"
    "  bench         time an epoch against PyTorch on the same machine\n"
    "  ensemble      train N networks in lockstep, store them, rank the images they get wrong\n"
    "  runs          list the runs in the run store\n"
    "  predict       classify image files (a drawn digit) with a checkpoint or a stored run\n"
    "  sweep         one ensemble per configuration of a grid, compared side by side (MPI-aware)\n"
    "  lr-find       the learning-rate range test: the loss as the rate grows, and a rate to use\n"
    "  embed         a checkpoint's outputs of a layer on their principal components, as CSV\n"
    "  class-models  the image a checkpoint's network takes most for each class, as PNG\n"
    "  summary       a network layer by layer: shapes, parameters, multiply-adds\n"
    "\n"
    "Run 'convscope-cli <command> --help' for its flags. --verbose adds technical detail\n"
    "(such as the SQL statement) to error messages.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  std::vector<std::string> rest(argv + 2, argv + argc);
  // --verbose, accepted by every command, adds the technical detail to an error message.
  const bool verbose = std::erase(rest, std::string("--verbose")) > 0;
  cs::cli::remove_unfinished_writes_on_signals();
  try {
    if (command == "train") return cs::cli::train_command(rest);
    if (command == "eval") return cs::cli::eval_command(rest);
    if (command == "bench") return cs::cli::bench_command(rest);
    if (command == "ensemble") return cs::cli::ensemble_command(rest);
    if (command == "runs") return cs::cli::runs_command(rest);
    if (command == "predict") return cs::cli::predict_command(rest);
    if (command == "sweep") return cs::cli::sweep_command(rest);
    if (command == "lr-find") return cs::cli::lr_find_command(rest);
    if (command == "embed") return cs::cli::embed_command(rest);
    if (command == "class-models") return cs::cli::class_models_command(rest);
    if (command == "summary") return cs::cli::summary_command(rest);
    std::fprintf(stderr, "convscope-cli: unknown command '%s'\n\n%s", command.c_str(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    const cs::ErrorText error = cs::describe(e);
    // "convscope-cli train: dataset error: ..."; a usage error names its flag, that is enough.
    std::string prefix;
    if (error.kind != cs::ErrorKind::Usage) {
      prefix = error.title + ": ";
      prefix[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(prefix[0])));
    }
    std::fprintf(stderr, "convscope-cli %s: %s%s\n", command.c_str(), prefix.c_str(),
                 error.message.c_str());
    if (verbose && !error.detail.empty())
      std::fprintf(stderr, "  detail: %s\n", error.detail.c_str());
    // A command line or an architecture that cannot work is the user's to fix: exit code 2.
    const bool usage =
        error.kind == cs::ErrorKind::Usage || error.kind == cs::ErrorKind::Architecture;
    return usage ? 2 : 1;
  }
}
