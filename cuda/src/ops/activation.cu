// Bias + activation forward (fused, in place), activation backward and the bias gradient.
// The derivative is taken from the activation's output, so forward keeps no pre-activation copy.
#include "activation.cuh"
#include "cuda_check.h"
#include "launch.h"

namespace cs::cuda {

namespace {

template <Activation A>
__device__ __forceinline__ float activate(float z) {
  if constexpr (A == Activation::Relu) return z > 0.f ? z : 0.f;
  if constexpr (A == Activation::Tanh) return tanhf(z);
  if constexpr (A == Activation::Sigmoid) return 1.f / (1.f + expf(-z));
  return z;
}

// act'(z) as a function of y = act(z).
template <Activation A>
__device__ __forceinline__ float derivative(float y) {
  if constexpr (A == Activation::Relu) return y > 0.f ? 1.f : 0.f;
  if constexpr (A == Activation::Tanh) return 1.f - y * y;
  if constexpr (A == Activation::Sigmoid) return y * (1.f - y);
  return 1.f;
}

template <Activation A>
__global__ void bias_activation_forward_kernel(float* y, const float* bias, size_t n, int channels,
                                               int inner) {
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    const int c = static_cast<int>((i / inner) % channels);
    y[i] = activate<A>(y[i] + bias[c]);
  }
}

template <Activation A>
__global__ void activation_backward_kernel(float* dz, const float* dy, const float* y, size_t n) {
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x)
    dz[i] = dy[i] * derivative<A>(y[i]);
}

// One block per channel.
__global__ void bias_backward_kernel(float* dbias, const float* dz, int outer, int channels,
                                     int inner) {
  const int c = blockIdx.x;
  const size_t per_channel = static_cast<size_t>(outer) * inner;
  float sum = 0.f;
  for (size_t j = threadIdx.x; j < per_channel; j += blockDim.x) {
    const size_t o = j / inner, i = j % inner;
    sum += dz[(o * channels + c) * inner + i];
  }
  sum = block_sum(sum);
  if (threadIdx.x == 0) dbias[c] = sum;
}

template <template <Activation> class Launch, typename... Args>
void dispatch(Activation act, Args... args) {
  switch (act) {
    case Activation::None:
      Launch<Activation::None>{}(args...);
      break;
    case Activation::Relu:
      Launch<Activation::Relu>{}(args...);
      break;
    case Activation::Tanh:
      Launch<Activation::Tanh>{}(args...);
      break;
    case Activation::Sigmoid:
      Launch<Activation::Sigmoid>{}(args...);
      break;
  }
}

template <Activation A>
struct LaunchForward {
  void operator()(float* y, const float* bias, size_t n, int channels, int inner,
                  cudaStream_t stream) const {
    bias_activation_forward_kernel<A>
        <<<grid_for(n), kBlock, 0, stream>>>(y, bias, n, channels, inner);
  }
};

template <Activation A>
struct LaunchBackward {
  void operator()(float* dz, const float* dy, const float* y, size_t n, cudaStream_t stream) const {
    activation_backward_kernel<A><<<grid_for(n), kBlock, 0, stream>>>(dz, dy, y, n);
  }
};

}  // namespace

void bias_activation_forward(float* y, const float* bias, int outer, int channels, int inner,
                             Activation act, cudaStream_t stream) {
  const size_t n = static_cast<size_t>(outer) * channels * inner;
  if (n == 0) return;
  dispatch<LaunchForward>(act, y, bias, n, channels, inner, stream);
  CUDA_CHECK_LAUNCH();
}

void activation_backward(float* dz, const float* dy, const float* y, size_t n, Activation act,
                         cudaStream_t stream) {
  if (n == 0) return;
  dispatch<LaunchBackward>(act, dz, dy, y, n, stream);
  CUDA_CHECK_LAUNCH();
}

void bias_backward(float* dbias, const float* dz, int outer, int channels, int inner,
                   cudaStream_t stream) {
  if (channels == 0) return;
  bias_backward_kernel<<<channels, kBlock, 0, stream>>>(dbias, dz, outer, channels, inner);
  CUDA_CHECK_LAUNCH();
}

}  // namespace cs::cuda
