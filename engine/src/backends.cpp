// The backend registry: the CPU backend, or the CUDA backend from its module when it loads and a
// GPU answers; Auto falls back to the CPU with a note saying why.
#include "convscope/backends.h"

#include <stdexcept>

#include "cuda_module_loader.h"

namespace cs {

namespace {

CudaStatus probe() {
  const LoadedCudaModule& module = cuda_module();
  if (!module.api) return {false, "", module.error};
  char device[256] = "", reason[1024] = "";
  const bool ok = module.api->status(device, sizeof device, reason, sizeof reason) != 0;
  return {ok, device, reason};
}

}  // namespace

CudaStatus cuda_status() {
  static const CudaStatus status = probe();
  return status;
}

std::unique_ptr<Backend> make_cuda_backend(int device) {
  const CudaStatus status = cuda_status();
  if (!status.available) throw BackendError(status.reason);
  char error[1024] = "";
  Backend* backend = cuda_module().api->create(device, error, sizeof error);
  if (!backend) throw BackendError(error);
  return std::unique_ptr<Backend>(backend);
}

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
  if (!st.available && choice == BackendChoice::Cuda)
    throw BackendError("CUDA backend unavailable: " + st.reason);
  if (!st.available) {
    sel.note = "no usable GPU (" + st.reason + "): using the CPU backend";
  } else {
    try {
      sel.backend = make_cuda_backend(0);
      return sel;
    } catch (const BackendError& e) {
      if (choice == BackendChoice::Cuda) throw;
      sel.note =
          std::string("the CUDA backend failed to start (") + e.what() + "): using the CPU backend";
    }
  }
  sel.backend = make_cpu_backend(cpu_threads);
  return sel;
}

}  // namespace cs
