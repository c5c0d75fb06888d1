// Error checking for CUDA, cuDNN and cuBLAS calls. Each macro evaluates its statement exactly
// once and, on failure, throws cs::CudaError naming the statement, the function and file:line.
// Running out of device memory gets its own message ("GPU out of memory while ...").
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <string>

#include "convscope/backend.h"

namespace cs {

// A failed CUDA / cuDNN / cuBLAS call; what() is meant for the user.
class CudaError : public BackendError {
 public:
  CudaError(const std::string& what, bool out_of_memory)
      : BackendError(what, out_of_memory ? ErrorKind::OutOfMemory : ErrorKind::Backend),
        m_out_of_memory(out_of_memory) {}
  bool out_of_memory() const { return m_out_of_memory; }

 private:
  bool m_out_of_memory;
};

namespace cuda {

struct CallSite {
  const char* statement;
  const char* function;
  const char* file;
  int line;
};

[[noreturn]] void throw_error(cudaError_t code, const CallSite& at);
[[noreturn]] void throw_error(cudnnStatus_t code, const CallSite& at);
[[noreturn]] void throw_error(cublasStatus_t code, const CallSite& at);

}  // namespace cuda
}  // namespace cs

#define CS_CHECK_CALL_(type, ok, stmt)                                            \
  do {                                                                            \
    const type cs_status_ = (stmt);                                               \
    if (cs_status_ != (ok))                                                       \
      ::cs::cuda::throw_error(cs_status_, {#stmt, __func__, __FILE__, __LINE__}); \
  } while (0)

#define CUDA_CHECK(stmt) CS_CHECK_CALL_(cudaError_t, cudaSuccess, stmt)
#define CUDNN_CHECK(stmt) CS_CHECK_CALL_(cudnnStatus_t, CUDNN_STATUS_SUCCESS, stmt)
#define CUBLAS_CHECK(stmt) CS_CHECK_CALL_(cublasStatus_t, CUBLAS_STATUS_SUCCESS, stmt)
// After a kernel launch: reports a bad launch configuration or an earlier asynchronous error.
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())
