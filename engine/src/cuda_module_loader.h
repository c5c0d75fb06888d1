// Loads the CUDA backend module (libconvscope_cuda.so) once per process, for the registry.
#pragma once

#include <string>

#include "convscope/cuda_module.h"

namespace cs {

struct LoadedCudaModule {
  const ConvscopeCudaModule* api = nullptr;  // null when the module could not be used
  std::string path;                          // what was loaded, or tried last
  std::string error;                         // why api is null, naming the missing file
};

// The first call finds and loads the module (thread-safe); never throws. Looks at
// CONVSCOPE_CUDA_MODULE when set (and only there), else beside libconvscope_engine.so, else asks
// the dynamic loader for the name (the executable's RUNPATH, LD_LIBRARY_PATH, the system).
const LoadedCudaModule& cuda_module();

}  // namespace cs
