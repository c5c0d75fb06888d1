// Choosing a backend at run time. This header is plain C++ (no CUDA headers): the app and the
// CLI call make_backend(), which uses the CUDA backend when one was built and a GPU answers, and
// otherwise the CPU backend, saying why.
#pragma once

#include <memory>
#include <string>

#include "convscope/backend.h"

namespace cs {

struct CudaStatus {
  bool available = false;
  std::string device;  // "NVIDIA H100 80GB HBM3" when available
  std::string reason;  // why not, when unavailable ("built without CUDA", "no CUDA driver", ...)
};

// Probes the driver and device 0 once; never throws.
CudaStatus cuda_status();

// Throws BackendError (with cuda_status().reason) when no GPU can be used.
std::unique_ptr<Backend> make_cuda_backend(int device = 0);

enum class BackendChoice { Auto, Cpu, Cuda };
BackendChoice parse_backend_choice(const std::string& name);  // "auto" | "cpu" | "cuda"

struct BackendSelection {
  std::unique_ptr<Backend> backend;
  std::string note;  // e.g. "no usable GPU (no CUDA driver): using the CPU backend"
};
// Auto picks CUDA when available, else the CPU with a note. Cuda throws BackendError if absent.
BackendSelection make_backend(BackendChoice choice, int cpu_threads = 0);

}  // namespace cs
