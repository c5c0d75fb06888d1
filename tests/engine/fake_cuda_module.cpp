// Stand-ins for libconvscope_cuda.so that exercise the registry's failure paths without a GPU:
//   FAKE_BUSY       reports a usable device, but creating a backend fails (GPU busy / OOM);
//   FAKE_OLD_ABI    carries another module ABI;
//   FAKE_NEEDS_DEP  needs a library the dynamic loader cannot find (fake_missing_dep()).
#include <cstdio>

#include "convscope/cuda_module.h"

#ifdef FAKE_NEEDS_DEP
int fake_missing_dep();
#endif

namespace {

int status(char* device, size_t device_size, char* reason, size_t reason_size) {
#ifdef FAKE_NEEDS_DEP
  if (fake_missing_dep() != 0) return 0;
#endif
  std::snprintf(device, device_size, "Fake GPU");
  std::snprintf(reason, reason_size, "%s", "");
  return 1;
}

cs::Backend* create(int, char* error, size_t error_size) {
  std::snprintf(error, error_size, "fake GPU out of memory");
  return nullptr;
}

#ifdef FAKE_OLD_ABI
constexpr int kAbi = CONVSCOPE_CUDA_MODULE_ABI + 1;
#else
constexpr int kAbi = CONVSCOPE_CUDA_MODULE_ABI;
#endif
constexpr ConvscopeCudaModule kModule{kAbi, status, create};

}  // namespace

extern "C" const ConvscopeCudaModule* convscope_cuda_module(void) {
  return &kModule;
}
