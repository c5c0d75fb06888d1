// Built without the CUDA toolkit or cuDNN: the CUDA backend reports why and is never used.
#include "convscope/backends.h"

namespace cs {

CudaStatus cuda_status() {
  return {false, "", "this build has no CUDA backend (no CUDA toolkit or cuDNN at configure time)"};
}

std::unique_ptr<Backend> make_cuda_backend(int) {
  throw BackendError(cuda_status().reason);
}

}  // namespace cs
