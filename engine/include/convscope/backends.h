// The backend registry: picks a backend at run time. The CPU backend is linked in; the CUDA
// backend is a module (libconvscope_cuda.so) loaded with dlopen on first use, so a machine
// without the CUDA libraries, driver or GPU still starts and trains on the CPU, and
// cuda_status() says why CUDA is unavailable. Plain C++: no CUDA headers.
#pragma once

#include <memory>
#include <string>

#include "convscope/backend.h"
#include "convscope/cpu_backend.h"

namespace cs {

struct CudaStatus {
  bool available = false;
  std::string device;  // "NVIDIA H100 80GB HBM3" when available
  std::string reason;  // why not: module not built, a library missing, no driver, no device...
};

// Loads the CUDA module and probes the driver and device 0, once; never throws. The module is
// CONVSCOPE_CUDA_MODULE when set, else libconvscope_cuda.so beside libconvscope_engine.so, else
// whatever the dynamic loader finds by that name.
CudaStatus cuda_status();

// A CUDA backend on `device`; throws BackendError with the reason when none can be made.
std::unique_ptr<Backend> make_cuda_backend(int device = 0);

enum class BackendChoice { Auto, Cpu, Cuda };
BackendChoice parse_backend_choice(const std::string& name);  // "auto" | "cpu" | "cuda"

struct BackendSelection {
  std::unique_ptr<Backend> backend;
  std::string note;  // e.g. "no usable GPU (no CUDA driver): using the CPU backend"
};
// Auto picks CUDA when available and falls back to the CPU with a note, also when creating the
// CUDA backend fails (GPU busy, out of memory). Cuda throws BackendError instead.
BackendSelection make_backend(BackendChoice choice, int cpu_threads = 0);

}  // namespace cs
