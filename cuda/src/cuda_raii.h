// RAII owners for CUDA resources: streams, events, graphs, cuDNN/cuBLAS handles, cuDNN
// descriptors (one Descriptor<T, create, destroy> template), device and pinned host buffers.
// All are move-only; destructors never throw (a failed release at teardown is ignored).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <cstddef>
#include <utility>

#include "cuda_check.h"

namespace cs::cuda {

// Owns a handle `H` released with `Release(handle)`.
template <typename H, auto Release>
class Unique {
 public:
  Unique() = default;
  explicit Unique(H handle) : m_handle(handle) {}
  Unique(Unique&& other) noexcept : m_handle(std::exchange(other.m_handle, H{})) {}
  Unique& operator=(Unique&& other) noexcept {
    if (this != &other) {
      reset();
      m_handle = std::exchange(other.m_handle, H{});
    }
    return *this;
  }
  Unique(const Unique&) = delete;
  Unique& operator=(const Unique&) = delete;
  ~Unique() { reset(); }

  H get() const { return m_handle; }
  explicit operator bool() const { return m_handle != H{}; }
  void reset() noexcept {
    if (m_handle != H{}) (void)Release(m_handle);
    m_handle = H{};
  }

 private:
  H m_handle{};
};

using Stream = Unique<cudaStream_t, cudaStreamDestroy>;
using Event = Unique<cudaEvent_t, cudaEventDestroy>;
using Graph = Unique<cudaGraph_t, cudaGraphDestroy>;
using GraphExec = Unique<cudaGraphExec_t, cudaGraphExecDestroy>;
using CudnnHandle = Unique<cudnnHandle_t, cudnnDestroy>;
using CublasHandle = Unique<cublasHandle_t, cublasDestroy_v2>;

Stream make_stream();  // non-blocking with respect to the legacy default stream
Event make_event();    // without timing, for ordering only
CudnnHandle make_cudnn(cudaStream_t stream);
CublasHandle make_cublas(cudaStream_t stream);

// A cuDNN descriptor created on construction and destroyed with its owner.
template <typename T, cudnnStatus_t (*Create)(T**), cudnnStatus_t (*Destroy)(T*)>
class Descriptor : public Unique<T*, Destroy> {
 public:
  Descriptor() : Unique<T*, Destroy>(create()) {}

 private:
  static T* create() {
    T* d = nullptr;
    CUDNN_CHECK(Create(&d));
    return d;
  }
};
using TensorDescriptor =
    Descriptor<cudnnTensorStruct, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor>;
using FilterDescriptor =
    Descriptor<cudnnFilterStruct, cudnnCreateFilterDescriptor, cudnnDestroyFilterDescriptor>;
using ConvolutionDescriptor = Descriptor<cudnnConvolutionStruct, cudnnCreateConvolutionDescriptor,
                                         cudnnDestroyConvolutionDescriptor>;

// Allocations that fail with "GPU out of memory while allocating <size> for <what>".
void* device_alloc(size_t bytes, const char* what);
void* pinned_alloc(size_t bytes, const char* what);

// `count` elements of T in device memory (or, with PinnedBuffer, page-locked host memory).
template <typename T, void* (*Alloc)(size_t, const char*), auto Free>
class Buffer {
 public:
  Buffer() = default;
  Buffer(size_t count, const char* what)
      : m_ptr(static_cast<T*>(Alloc(count * sizeof(T), what))), m_count(count) {}
  Buffer(Buffer&& other) noexcept
      : m_ptr(std::move(other.m_ptr)), m_count(std::exchange(other.m_count, 0)) {}
  Buffer& operator=(Buffer&& other) noexcept {
    m_ptr = std::move(other.m_ptr);
    m_count = std::exchange(other.m_count, 0);
    return *this;
  }

  T* get() const { return m_ptr.get(); }
  size_t size() const { return m_count; }
  size_t bytes() const { return m_count * sizeof(T); }

 private:
  Unique<T*, Free> m_ptr;
  size_t m_count = 0;
};

inline cudaError_t free_device(void* p) {
  return cudaFree(p);
}
inline cudaError_t free_pinned(void* p) {
  return cudaFreeHost(p);
}
template <typename T>
using DeviceBuffer = Buffer<T, device_alloc, free_device>;
template <typename T>
using PinnedBuffer = Buffer<T, pinned_alloc, free_pinned>;

}  // namespace cs::cuda
