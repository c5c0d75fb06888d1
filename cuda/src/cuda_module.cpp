// The entry point of libconvscope_cuda.so: the registry in the engine core loads this module with
// dlopen and reaches the CUDA backend only through this table. Nothing escapes it as an
// exception; every failure comes back as text.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "convscope/cuda_module.h"
#include "cuda_backend.h"
#include "cuda_status.h"

namespace {

void copy_text(const std::string& text, char* out, size_t size) {
  if (size > 0) std::snprintf(out, size, "%s", text.c_str());
}

int status(char* device, size_t device_size, char* reason, size_t reason_size) {
  try {
    const cs::CudaStatus s = cs::cuda::device_status();
    copy_text(s.device, device, device_size);
    copy_text(s.reason, reason, reason_size);
    return s.available ? 1 : 0;
  } catch (const std::exception& e) {
    copy_text(e.what(), reason, reason_size);
    return 0;
  }
}

cs::Backend* create(int device, char* error, size_t error_size) {
  try {
    const cs::CudaStatus s = cs::cuda::device_status();
    if (!s.available) throw cs::BackendError(s.reason);
    cs::cuda::CudaBackendOptions options;
    options.device = device;
    const char* graphs = std::getenv("CONVSCOPE_CUDA_GRAPHS");
    options.graphs = !(graphs && std::string(graphs) == "0");
    return new cs::cuda::CudaBackend(options);
  } catch (const std::exception& e) {
    copy_text(e.what(), error, error_size);
    return nullptr;
  }
}

constexpr ConvscopeCudaModule kModule{CONVSCOPE_CUDA_MODULE_ABI, status, create};

}  // namespace

extern "C" __attribute__((visibility("default"))) const ConvscopeCudaModule* convscope_cuda_module(
    void) {
  return &kModule;
}
