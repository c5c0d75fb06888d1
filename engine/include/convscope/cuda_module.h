// The entry point of the CUDA backend module (libconvscope_cuda.so), which the backend registry
// loads with dlopen. The module and the registry share the engine core (libconvscope_engine.so)
// and its C++ types; the entry itself is one extern "C" symbol returning a table of functions
// that never throw, so a foreign or outdated file fails the ABI check instead of crashing.
#pragma once

#include <cstddef>

#include "convscope/backend.h"

// Bump whenever this table or the Backend interface changes.
#define CONVSCOPE_CUDA_MODULE_ABI 1

extern "C" {

struct ConvscopeCudaModule {
  int abi;  // CONVSCOPE_CUDA_MODULE_ABI of the module's build
  // Probes the driver and device 0 (once). Returns 1 when usable and names the device;
  // otherwise 0 with the reason. Both strings are NUL-terminated and truncated to their size.
  int (*status)(char* device, size_t device_size, char* reason, size_t reason_size);
  // A new backend on `device` (delete it through Backend*), or nullptr with the reason.
  cs::Backend* (*create)(int device, char* error, size_t error_size);
};

// The module's one exported symbol.
const ConvscopeCudaModule* convscope_cuda_module(void);
typedef const ConvscopeCudaModule* (*ConvscopeCudaModuleEntry)(void);
#define CONVSCOPE_CUDA_MODULE_ENTRY "convscope_cuda_module"
}
