// Formatting of CUDA / cuDNN / cuBLAS failures into cs::CudaError.
#include "cuda_check.h"

#include <cstring>

namespace cs::cuda {

namespace {

std::string where(const CallSite& at) {
  const char* slash = std::strrchr(at.file, '/');
  return std::string(" in ") + at.function + " (" + (slash ? slash + 1 : at.file) + ":" +
         std::to_string(at.line) + ")";
}

[[noreturn]] void raise(const std::string& library, const std::string& name, bool oom,
                        const CallSite& at) {
  if (oom)
    throw CudaError("GPU out of memory while running `" + std::string(at.statement) + "`" +
                        where(at) + " [" + library + ": " + name + "]",
                    true);
  throw CudaError(library + " error " + name + " from `" + at.statement + "`" + where(at), false);
}

}  // namespace

void throw_error(cudaError_t code, const CallSite& at) {
  (void)cudaGetLastError();  // clear a non-sticky error so that later calls are not blamed
  raise("CUDA", std::string(cudaGetErrorName(code)) + " (" + cudaGetErrorString(code) + ")",
        code == cudaErrorMemoryAllocation, at);
}

void throw_error(cudnnStatus_t code, const CallSite& at) {
  (void)cudaGetLastError();  // a kernel cuDNN launched may have left one: not the next call's
  raise("cuDNN", cudnnGetErrorString(code),
        code == CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED ||
            code == CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED,
        at);
}

void throw_error(cublasStatus_t code, const CallSite& at) {
  (void)cudaGetLastError();  // likewise for cuBLAS's kernels
  raise("cuBLAS", std::string(cublasGetStatusName(code)) + " (" + cublasGetStatusString(code) + ")",
        code == CUBLAS_STATUS_ALLOC_FAILED, at);
}

}  // namespace cs::cuda
