// Convolution forward and backward with cuDNN, plus the copy kernels for an uneven "same" padding:
// pad_copy writes the input with one extra zero row / column at the end, crop_copy takes the
// gradient of the real input back out of the padded one. cuDNN blends its results into the
// output as alpha * result + beta * output: beta 1 adds the weight gradient (+=), beta 0 writes
// the output and the input gradient (=).
#include "activation.cuh"
#include "conv2d.cuh"
#include "launch.h"

namespace cs::cuda {

namespace {

__global__ void pad_copy_kernel(float* inp_pad, const float* inp, size_t planes, int h, int w,
                                int extra_h, int extra_w) {
  const int ph = h + extra_h, pw = w + extra_w;
  const size_t n = planes * ph * pw;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    const int col = static_cast<int>(i % pw);
    const int row = static_cast<int>((i / pw) % ph);
    const size_t plane = i / (static_cast<size_t>(pw) * ph);
    inp_pad[i] = row < h && col < w ? inp[(plane * h + row) * w + col] : 0.f;
  }
}

__global__ void crop_copy_kernel(float* dinp, const float* dinp_pad, size_t planes, int h, int w,
                                 int extra_h, int extra_w) {
  const int ph = h + extra_h, pw = w + extra_w;
  const size_t n = planes * h * w;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    const int col = static_cast<int>(i % w);
    const int row = static_cast<int>((i / w) % h);
    const size_t plane = i / (static_cast<size_t>(w) * h);
    dinp[i] = dinp_pad[(plane * ph + row) * pw + col];
  }
}

size_t input_planes(const ConvShape& s) {
  return static_cast<size_t>(s.batch) * s.input_channels();
}

}  // namespace

void conv2d_forward(cudnnHandle_t handle, const ConvPlan& plan, Workspace ws, float* out,
                    float* inp_pad, const float* inp, const float* weight, const float* bias,
                    Activation act, cudaStream_t stream) {
  const ConvShape& s = plan.shape;
  const float one = 1.f, zero = 0.f;
  const float* src = inp;
  if (s.padded_copy()) {
    pad_copy_kernel<<<grid_for(s.padded_size()), kBlock, 0, stream>>>(
        inp_pad, inp, input_planes(s), s.in_h, s.in_w, s.extra_h, s.extra_w);
    CUDA_CHECK_LAUNCH();
    src = inp_pad;
  }
  CUDNN_CHECK(cudnnSetStream(handle, stream));
  CUDNN_CHECK(cudnnConvolutionForward(handle, &one, plan.x_desc.get(), src, plan.w_desc.get(),
                                      weight, plan.conv_desc.get(), plan.forward_algo, ws.ptr,
                                      ws.bytes, &zero, plan.y_desc.get(), out));
  bias_activation_forward(out, bias, s.batch, s.groups * s.out_c, s.out_h * s.out_w, act, stream);
}

void conv2d_backward(cudnnHandle_t handle, const ConvPlan& plan, Workspace ws, float* dinp,
                     float* dweight, float* dbias, float* dpre, float* dinp_pad, const float* dout,
                     const float* out, const float* inp, const float* inp_pad, const float* weight,
                     Activation act, cudaStream_t stream) {
  const ConvShape& s = plan.shape;
  if (!dinp && !dweight && !dbias) return;
  const float one = 1.f, zero = 0.f;
  const float* grad = bias_activation_backward(dpre, dbias, dout, out, s.batch, s.groups * s.out_c,
                                               s.out_h * s.out_w, act, stream);
  CUDNN_CHECK(cudnnSetStream(handle, stream));
  if (dweight) {
    if (!plan.backward) throw BackendError("internal: convolution plan without backward pass");
    CUDNN_CHECK(cudnnConvolutionBackwardFilter(handle, &one, plan.x_desc.get(),
                                               s.padded_copy() ? inp_pad : inp, plan.y_desc.get(),
                                               grad, plan.conv_desc.get(), plan.filter_algo, ws.ptr,
                                               ws.bytes, &one, plan.w_desc.get(), dweight));
  }
  if (dinp) {
    if (!plan.data_grad) throw BackendError("internal: convolution plan without input gradient");
    CUDNN_CHECK(cudnnConvolutionBackwardData(handle, &one, plan.w_desc.get(), weight,
                                             plan.y_desc.get(), grad, plan.conv_desc.get(),
                                             plan.data_algo, ws.ptr, ws.bytes, &zero,
                                             plan.x_desc.get(), s.padded_copy() ? dinp_pad : dinp));
    if (s.padded_copy()) {
      crop_copy_kernel<<<grid_for(s.input_size()), kBlock, 0, stream>>>(
          dinp, dinp_pad, input_planes(s), s.in_h, s.in_w, s.extra_h, s.extra_w);
      CUDA_CHECK_LAUNCH();
    }
  }
}

}  // namespace cs::cuda
