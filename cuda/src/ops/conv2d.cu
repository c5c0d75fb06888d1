// Convolution forward and backward with cuDNN, plus the copy kernels for an uneven "same" padding:
// pad_copy writes the input with one extra zero row / column at the end, crop_copy takes the
// gradient of the real input back out of the padded one.
#include "activation.cuh"
#include "conv2d.cuh"
#include "launch.h"

namespace cs::cuda {

namespace {

__global__ void pad_copy_kernel(float* xpad, const float* x, size_t planes, int h, int w,
                                int extra_h, int extra_w) {
  const int ph = h + extra_h, pw = w + extra_w;
  const size_t n = planes * ph * pw;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    const int col = static_cast<int>(i % pw);
    const int row = static_cast<int>((i / pw) % ph);
    const size_t plane = i / (static_cast<size_t>(pw) * ph);
    xpad[i] = row < h && col < w ? x[(plane * h + row) * w + col] : 0.f;
  }
}

__global__ void crop_copy_kernel(float* dx, const float* dxpad, size_t planes, int h, int w,
                                 int extra_h, int extra_w) {
  const int ph = h + extra_h, pw = w + extra_w;
  const size_t n = planes * h * w;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    const int col = static_cast<int>(i % w);
    const int row = static_cast<int>((i / w) % h);
    const size_t plane = i / (static_cast<size_t>(w) * h);
    dx[i] = dxpad[(plane * ph + row) * pw + col];
  }
}

size_t input_planes(const ConvShape& s) {
  return static_cast<size_t>(s.batch) * s.input_channels();
}

}  // namespace

void conv2d_forward(cudnnHandle_t handle, const ConvPlan& plan, Workspace ws, float* y, float* xpad,
                    const float* x, const float* w, const float* b, Activation act,
                    cudaStream_t stream) {
  const ConvShape& s = plan.shape;
  const float one = 1.f, zero = 0.f;
  const float* src = x;
  if (s.padded_copy()) {
    pad_copy_kernel<<<grid_for(s.padded_size()), kBlock, 0, stream>>>(
        xpad, x, input_planes(s), s.in_h, s.in_w, s.extra_h, s.extra_w);
    CUDA_CHECK_LAUNCH();
    src = xpad;
  }
  CUDNN_CHECK(cudnnSetStream(handle, stream));
  CUDNN_CHECK(cudnnConvolutionForward(handle, &one, plan.x_desc.get(), src, plan.w_desc.get(), w,
                                      plan.conv_desc.get(), plan.forward_algo, ws.ptr, ws.bytes,
                                      &zero, plan.y_desc.get(), y));
  bias_activation_forward(y, b, s.batch, s.groups * s.out_c, s.out_h * s.out_w, act, stream);
}

void conv2d_backward(cudnnHandle_t handle, const ConvPlan& plan, Workspace ws, float* dx, float* dw,
                     float* db, float* dz, float* dxpad, const float* dy, const float* y,
                     const float* x, const float* xpad, const float* w, Activation act,
                     cudaStream_t stream) {
  const ConvShape& s = plan.shape;
  if (!dx && !dw && !db) return;
  const float one = 1.f, zero = 0.f;
  const float* grad = dy;
  if (act != Activation::None) {
    activation_backward(dz, dy, y, s.output_size(), act, stream);
    grad = dz;
  }
  CUDNN_CHECK(cudnnSetStream(handle, stream));
  if (db) bias_backward(db, grad, s.batch, s.groups * s.out_c, s.out_h * s.out_w, stream);
  if (dw) {
    if (!plan.backward) throw BackendError("internal: convolution plan without backward pass");
    CUDNN_CHECK(cudnnConvolutionBackwardFilter(
        handle, &one, plan.x_desc.get(), s.padded_copy() ? xpad : x, plan.y_desc.get(), grad,
        plan.conv_desc.get(), plan.filter_algo, ws.ptr, ws.bytes, &zero, plan.w_desc.get(), dw));
  }
  if (dx) {
    if (!plan.data_grad) throw BackendError("internal: convolution plan without input gradient");
    CUDNN_CHECK(cudnnConvolutionBackwardData(
        handle, &one, plan.w_desc.get(), w, plan.y_desc.get(), grad, plan.conv_desc.get(),
        plan.data_algo, ws.ptr, ws.bytes, &zero, plan.x_desc.get(), s.padded_copy() ? dxpad : dx));
    if (s.padded_copy()) {
      crop_copy_kernel<<<grid_for(s.input_size()), kBlock, 0, stream>>>(
          dx, dxpad, input_planes(s), s.in_h, s.in_w, s.extra_h, s.extra_w);
      CUDA_CHECK_LAUNCH();
    }
  }
}

}  // namespace cs::cuda
