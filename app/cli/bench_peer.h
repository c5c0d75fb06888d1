// The PyTorch peer of `convscope-cli bench`: a script run in its own process (bench/*.py) that
// trains the same network after a warm-up epoch and prints one JSON line with every timed epoch
// and evaluation.
#pragma once

#include <string>

#include "timing_spread.h"

namespace cs::cli {

struct PeerFigures {
  bool ran = false;             // false: the script failed or printed no timings
  std::string name;             // "pytorch 1.13.1"
  TimingSpread epochs;          // seconds per timed epoch of all its networks
  TimingSpread evals_ms;        // milliseconds per timed evaluation of all its networks
  double val_accuracy = -1;     // mean over its networks
  bool flush_denormal = false;  // torch.set_flush_denormal(True) took effect
};

// Runs `command` (a shell command line) and reads the last JSON line it prints on stdout.
PeerFigures run_peer(const std::string& command);

}  // namespace cs::cli
