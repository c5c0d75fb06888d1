// device_status(): is there a driver, a device, can it run this build's kernels, does cuDNN
// start? Probed once; never throws and never aborts.
#include "cuda_status.h"

#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <string>

namespace cs::cuda {

namespace {

__global__ void probe_kernel(int* out) {
  *out = 1;
}

std::string version_text(int v) {  // 12040 -> "12.4"
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

CudaStatus probe() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e == cudaErrorInsufficientDriver) {
    int driver = 0, runtime = 0;
    (void)cudaDriverGetVersion(&driver);
    (void)cudaRuntimeGetVersion(&runtime);
    (void)cudaGetLastError();
    if (driver == 0) return {false, "", "no CUDA driver"};
    return {false, "",
            "the CUDA driver supports CUDA " + version_text(driver) + ", this build needs " +
                version_text(runtime)};
  }
  if (e == cudaErrorNoDevice || (e == cudaSuccess && count == 0)) {
    (void)cudaGetLastError();
    return {false, "", "no CUDA device"};
  }
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    return {false, "", std::string("CUDA unavailable: ") + cudaGetErrorString(e)};
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess || cudaSetDevice(0) != cudaSuccess) {
    const cudaError_t err = cudaGetLastError();
    return {false, "", std::string("CUDA device 0 unusable: ") + cudaGetErrorString(err)};
  }
  const std::string name = prop.name;
  const std::string arch = "sm_" + std::to_string(prop.major) + std::to_string(prop.minor);
  int* flag = nullptr;
  cudaError_t k = cudaMalloc(&flag, sizeof(int));
  if (k == cudaSuccess) {
    probe_kernel<<<1, 1>>>(flag);
    k = cudaGetLastError();
    if (k == cudaSuccess) k = cudaDeviceSynchronize();
    (void)cudaFree(flag);
  }
  if (k != cudaSuccess) {
    (void)cudaGetLastError();
    return {false, name,
            name + " (" + arch + ") cannot run this build's kernels (built for sm_" +
                CONVSCOPE_CUDA_ARCHS + "): " + cudaGetErrorString(k)};
  }
  if (cudnnGetVersion() / 10000 != CUDNN_MAJOR)
    return {false, name,
            "cuDNN " + std::to_string(cudnnGetVersion()) + " was loaded but this build needs " +
                std::to_string(CUDNN_MAJOR) + ".x"};
  if (cudnnGetCudartVersion() / 1000 != CUDART_VERSION / 1000)
    return {false, name,
            "the loaded cuDNN is built for CUDA " +
                version_text(static_cast<int>(cudnnGetCudartVersion())) +
                ", this build uses CUDA " + version_text(CUDART_VERSION)};
  cudnnHandle_t handle = nullptr;
  const cudnnStatus_t c = cudnnCreate(&handle);
  if (c != CUDNN_STATUS_SUCCESS)
    return {false, name, std::string("cuDNN cannot start: ") + cudnnGetErrorString(c)};
  (void)cudnnDestroy(handle);
  return {true, name, ""};
}

}  // namespace

CudaStatus device_status() {
  static const CudaStatus status = probe();
  return status;
}

}  // namespace cs::cuda
