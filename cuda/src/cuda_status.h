// Is there a CUDA driver and a device that runs this build's kernels and cuDNN? The module's
// answer to the registry's cuda_status().
#pragma once

#include "convscope/backends.h"

namespace cs::cuda {

// Probes the driver and device 0 once; never throws and never aborts.
CudaStatus device_status();

}  // namespace cs::cuda
