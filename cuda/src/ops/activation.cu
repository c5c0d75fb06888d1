// Bias + activation forward (fused, in place), and backward: the activation's derivative, then
// the bias gradient (one block per channel). The derivative is taken from the activation's
// output, so forward keeps no pre-activation copy.
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
__global__ void bias_activation_forward_kernel(float* out, const float* bias, size_t n,
                                               int channels, int inner) {
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    const int c = static_cast<int>((i / inner) % channels);
    out[i] = activate<A>(out[i] + bias[c]);
  }
}

template <Activation A>
__global__ void activation_backward_kernel(float* dpre, const float* dout, const float* out,
                                           size_t n) {
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x)
    dpre[i] = dout[i] * derivative<A>(out[i]);
}

// One block per channel.
__global__ void bias_backward_kernel(float* dbias, const float* dpre, int outer, int channels,
                                     int inner) {
  const int c = blockIdx.x;
  const size_t per_channel = static_cast<size_t>(outer) * inner;
  float sum = 0.f;
  for (size_t j = threadIdx.x; j < per_channel; j += blockDim.x) {
    const size_t o = j / inner, i = j % inner;
    sum += dpre[(o * channels + c) * inner + i];
  }
  sum = block_sum(sum);
  if (threadIdx.x == 0) dbias[c] += sum;
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
  void operator()(float* out, const float* bias, size_t n, int channels, int inner,
                  cudaStream_t stream) const {
    bias_activation_forward_kernel<A>
        <<<grid_for(n), kBlock, 0, stream>>>(out, bias, n, channels, inner);
  }
};

template <Activation A>
struct LaunchBackward {
  void operator()(float* dpre, const float* dout, const float* out, size_t n,
                  cudaStream_t stream) const {
    activation_backward_kernel<A><<<grid_for(n), kBlock, 0, stream>>>(dpre, dout, out, n);
  }
};

}  // namespace

void bias_activation_forward(float* out, const float* bias, int outer, int channels, int inner,
                             Activation act, cudaStream_t stream) {
  const size_t n = static_cast<size_t>(outer) * channels * inner;
  if (n == 0) return;
  dispatch<LaunchForward>(act, out, bias, n, channels, inner, stream);
  CUDA_CHECK_LAUNCH();
}

const float* bias_activation_backward(float* dpre, float* dbias, const float* dout,
                                      const float* out, int outer, int channels, int inner,
                                      Activation act, cudaStream_t stream) {
  const size_t n = static_cast<size_t>(outer) * channels * inner;
  if (n == 0) return act == Activation::None ? dout : dpre;
  const float* grad = dout;
  if (act != Activation::None) {
    dispatch<LaunchBackward>(act, dpre, dout, out, n, stream);
    CUDA_CHECK_LAUNCH();
    grad = dpre;
  }
  if (dbias) {
    bias_backward_kernel<<<channels, kBlock, 0, stream>>>(dbias, grad, outer, channels, inner);
    CUDA_CHECK_LAUNCH();
  }
  return grad;
}

}  // namespace cs::cuda
