// make_backend(): CUDA when built and available, otherwise the CPU backend with a reason.
#include "convscope/backends.h"

#include <stdexcept>

namespace cs {

BackendChoice parse_backend_choice(const std::string& name) {
  if (name == "auto") return BackendChoice::Auto;
  if (name == "cpu") return BackendChoice::Cpu;
  if (name == "cuda") return BackendChoice::Cuda;
  throw std::invalid_argument("unknown backend '" + name + "' (expected auto, cpu or cuda)");
}

BackendSelection make_backend(BackendChoice choice, int cpu_threads) {
  BackendSelection sel;
  if (choice == BackendChoice::Cpu) {
    sel.backend = make_cpu_backend(cpu_threads);
    return sel;
  }
  const CudaStatus st = cuda_status();
  if (st.available) {
    sel.backend = make_cuda_backend(0);
    return sel;
  }
  if (choice == BackendChoice::Cuda) throw BackendError("CUDA backend unavailable: " + st.reason);
  sel.note = "no usable GPU (" + st.reason + "): using the CPU backend";
  sel.backend = make_cpu_backend(cpu_threads);
  return sel;
}

}  // namespace cs
