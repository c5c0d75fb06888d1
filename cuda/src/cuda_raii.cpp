// Creation of the RAII-owned CUDA resources, with errors turned into cs::CudaError.
#include "cuda_raii.h"

#include <cstdio>

namespace cs::cuda {

namespace {

std::string size_text(size_t bytes) {
  char buf[32];
  if (bytes >= (size_t{1} << 30))
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1 << 30));
  else
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

[[noreturn]] void allocation_failed(cudaError_t code, size_t bytes, const char* what,
                                    const char* kind) {
  (void)cudaGetLastError();
  if (code == cudaErrorMemoryAllocation) {
    const bool device = std::string(kind) == "device";
    size_t free = 0, total = 0;
    std::string detail;
    if (device && cudaMemGetInfo(&free, &total) == cudaSuccess)
      detail = " (" + size_text(free) + " of " + size_text(total) + " free)";
    (void)cudaGetLastError();
    throw CudaError(std::string(device ? "GPU" : "page-locked host memory") +
                        " out of memory while allocating " + size_text(bytes) + " for " + what +
                        detail,
                    true);
  }
  throw CudaError(std::string("CUDA error ") + cudaGetErrorName(code) + " (" +
                      cudaGetErrorString(code) + ") while allocating " + size_text(bytes) + " of " +
                      kind + " memory for " + what,
                  false);
}

}  // namespace

Stream make_stream() {
  cudaStream_t s = nullptr;
  CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  return Stream(s);
}

Event make_event() {
  cudaEvent_t e = nullptr;
  CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
  return Event(e);
}

CudnnHandle make_cudnn(cudaStream_t stream) {
  cudnnHandle_t h = nullptr;
  CUDNN_CHECK(cudnnCreate(&h));
  CudnnHandle owner(h);
  CUDNN_CHECK(cudnnSetStream(h, stream));
  return owner;
}

CublasHandle make_cublas(cudaStream_t stream) {
  cublasHandle_t h = nullptr;
  CUBLAS_CHECK(cublasCreate(&h));
  CublasHandle owner(h);
  CUBLAS_CHECK(cublasSetStream(h, stream));
  return owner;
}

void* device_alloc(size_t bytes, const char* what) {
  void* p = nullptr;
  if (bytes == 0) return nullptr;
  const cudaError_t code = cudaMalloc(&p, bytes);
  if (code != cudaSuccess) allocation_failed(code, bytes, what, "device");
  return p;
}

void* pinned_alloc(size_t bytes, const char* what) {
  void* p = nullptr;
  if (bytes == 0) return nullptr;
  const cudaError_t code = cudaMallocHost(&p, bytes);
  if (code != cudaSuccess) allocation_failed(code, bytes, what, "pinned host");
  return p;
}

}  // namespace cs::cuda
