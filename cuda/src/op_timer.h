// Where a training step's GPU time goes, without a profiler: with CONVSCOPE_CUDA_PROFILE=1 and
// CUDA graphs off (CONVSCOPE_CUDA_GRAPHS=0), every op of every eager training step is bracketed
// by timing events on the compute stream, and each step as a whole. The backend prints the table
// to stderr when it is destroyed: each op's calls, total and mean time and share of the steps'
// GPU time, and how much of a step's span no op covered (the gaps between launches). Off, every
// call is a test of a null pointer.
#pragma once

#include <cuda_runtime.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cuda_raii.h"

namespace cs::cuda {

class OpTimer {
 public:
  // CONVSCOPE_CUDA_PROFILE=1 in the environment.
  static bool requested();

  OpTimer() = default;
  OpTimer(const OpTimer&) = delete;
  OpTimer& operator=(const OpTimer&) = delete;

  // Records the start and end of op `name` (or, with name "step", of a whole step) on `stream`.
  void begin(std::string_view name, cudaStream_t stream);
  void end(cudaStream_t stream);
  // Adds the elapsed times of the ops recorded so far; the stream must have finished them
  // (called after a synchronization).
  void collect();
  // The table described above ("" when nothing was timed).
  std::string report();

 private:
  struct Pending {
    int op;
    Event start, stop;
  };
  struct Totals {
    long long calls = 0;
    double ms = 0;
  };
  Event event();

  std::map<std::string, int, std::less<>> m_index;
  std::vector<std::string> m_names;
  std::vector<Totals> m_totals;
  std::vector<Pending> m_pending;  // recorded, not collected; the step and an op may be open
  std::vector<Event> m_free;       // timing events to reuse
};

// Times one op from construction to destruction (nothing when `timer` is null).
class OpScope {
 public:
  OpScope(OpTimer* timer, std::string_view name, cudaStream_t stream);
  ~OpScope();
  OpScope(const OpScope&) = delete;
  OpScope& operator=(const OpScope&) = delete;

 private:
  OpTimer* m_timer;
  cudaStream_t m_stream;
};

}  // namespace cs::cuda
