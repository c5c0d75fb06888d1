// Convolution forward and backward with cuDNN, plus the copy kernels for an uneven "same" padding:
// pad_copy writes the input with one extra zero row / column at the end, crop_copy takes the
// gradient of the real input back out of the padded one; and the weight gradient of kernels up to
// 7 x 7 with a deterministic kernel of its own, faster than cuDNN's deterministic algorithm (an
// input-gradient kernel of the same kind was tried and was slower than cuDNN's: not kept). cuDNN
// blends its results into the output as alpha * result + beta * output: beta 1 adds the weight
// gradient (+=), beta 0 writes the output and the input gradient (=).
#include <algorithm>
#include <cstdlib>
#include <string>

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

constexpr int kMaxOwnKernel = 7;  // larger kernels' weight gradients stay with cuDNN
constexpr int kGradBlock = 256;
constexpr int kTargetBlocks = 512;  // enough to fill a large GPU; fixed, so results are too

// CONVSCOPE_CUDA_CONV=cudnn leaves the weight gradient to cuDNN (for comparison).
bool own_dweight_kernel(const ConvShape& s) {
  static const bool cudnn_only = [] {
    const char* v = std::getenv("CONVSCOPE_CUDA_CONV");
    return v && std::string(v) == "cudnn";
  }();
  return !cudnn_only && s.kernel >= 1 && s.kernel <= kMaxOwnKernel;
}

int weight_rows(const ConvShape& s) {  // (o, c) pairs: groups x out_c x in_c
  return s.groups * s.out_c * s.in_c;
}

// The (b, oy, ox) positions of the weight gradient's sums are cut into this many slices, each a
// block per (o, c): few (o, c) pairs (a first layer's 8) would otherwise leave the GPU idle.
int weight_slices(const ConvShape& s) {
  const int positions = s.batch * s.out_h * s.out_w;
  const int wanted = (kTargetBlocks + weight_rows(s) - 1) / weight_rows(s);
  return std::max(1, std::min(wanted, (positions + kGradBlock - 1) / kGradBlock));
}

// dweight[o, c, ky, kx] += sum over b, oy, ox of grad[b, o, oy, ox] * x[b, xc, oy * stride -
// pad_h + ky, ox * stride - pad_w + kx] (0 outside x), where o runs over groups x out_c, the
// input channel xc is c of o's group (or c itself for a shared input) and x, xh x xw, is the
// input or its padded copy. Block (o, c) of slice y sums all K x K taps over its slice of the
// positions: each thread over a fixed stride of them, then the warps' sums in a fixed order, so
// the result is the same run to run. With one slice it adds to dweight; otherwise it writes its
// partial sums to scratch (slice, o, c, K x K) for sum_slices_kernel.
template <int K>
__global__ void conv2d_dweight_kernel(float* dweight, float* scratch, const float* grad,
                                      const float* x, ConvShape s, int xh, int xw) {
  const int row = static_cast<int>(blockIdx.x), slice = static_cast<int>(blockIdx.y);
  const int o = row / s.in_c, c = row % s.in_c;
  const int xc = s.shared_input ? c : (o / s.out_c) * s.in_c + c;
  const int xchannels = s.shared_input ? s.in_c : s.groups * s.in_c;
  const int plane = s.out_h * s.out_w, n = s.batch * plane;
  const int per_slice = (n + static_cast<int>(gridDim.y) - 1) / static_cast<int>(gridDim.y);
  const int first = slice * per_slice, last = min(n, first + per_slice);
  const size_t channels = static_cast<size_t>(s.groups) * s.out_c;
  float acc[K * K];
#pragma unroll
  for (int k = 0; k < K * K; ++k) acc[k] = 0.f;
  for (int i = first + static_cast<int>(threadIdx.x); i < last; i += kGradBlock) {
    const int b = i / plane, p = i % plane;
    const float g = grad[(static_cast<size_t>(b) * channels + o) * plane + p];
    const float* xp = x + (static_cast<size_t>(b) * xchannels + xc) * xh * xw;
    const int y0 = (p / s.out_w) * s.stride - s.pad_h, x0 = (p % s.out_w) * s.stride - s.pad_w;
#pragma unroll
    for (int ky = 0; ky < K; ++ky) {
      const int y = y0 + ky;
#pragma unroll
      for (int kx = 0; kx < K; ++kx) {
        const int col = x0 + kx;
        if (y >= 0 && y < xh && col >= 0 && col < xw) acc[ky * K + kx] += g * xp[y * xw + col];
      }
    }
  }
  __shared__ float warp_sums[kGradBlock / 32][K * K];
  const int lane = static_cast<int>(threadIdx.x) % 32, warp = static_cast<int>(threadIdx.x) / 32;
#pragma unroll
  for (int k = 0; k < K * K; ++k) {
    float v = acc[k];
    for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
    if (lane == 0) warp_sums[warp][k] = v;
  }
  __syncthreads();
  for (int k = static_cast<int>(threadIdx.x); k < K * K; k += kGradBlock) {
    float sum = 0.f;
    for (int w = 0; w < kGradBlock / 32; ++w) sum += warp_sums[w][k];
    const size_t at = static_cast<size_t>(row) * K * K + k;
    if (gridDim.y == 1)
      dweight[at] += sum;
    else
      scratch[static_cast<size_t>(slice) * gridDim.x * K * K + at] = sum;
  }
}

// dweight[j] += the slices' partial sums of element j, in slice order.
__global__ void sum_slices_kernel(float* dweight, const float* scratch, size_t count, int slices) {
  for (size_t j = blockIdx.x * size_t{blockDim.x} + threadIdx.x; j < count;
       j += size_t{gridDim.x} * blockDim.x) {
    float sum = 0.f;
    for (int y = 0; y < slices; ++y) sum += scratch[static_cast<size_t>(y) * count + j];
    dweight[j] += sum;
  }
}

template <int K>
void launch_dweight(float* dweight, float* scratch, const float* grad, const float* x,
                    const ConvShape& s, cudaStream_t stream) {
  const int slices = weight_slices(s);
  const dim3 grid(static_cast<unsigned>(weight_rows(s)), static_cast<unsigned>(slices));
  conv2d_dweight_kernel<K><<<grid, kGradBlock, 0, stream>>>(dweight, scratch, grad, x, s,
                                                            s.in_h + s.extra_h, s.in_w + s.extra_w);
  CUDA_CHECK_LAUNCH();
  if (slices > 1) {
    const size_t count = static_cast<size_t>(weight_rows(s)) * K * K;
    sum_slices_kernel<<<grid_for(count), kBlock, 0, stream>>>(dweight, scratch, count, slices);
    CUDA_CHECK_LAUNCH();
  }
}

// dweight += the weight gradient with the kernels above; false, with nothing done, for the
// shapes they leave to cuDNN.
bool conv2d_dweight(float* dweight, float* scratch, const float* grad, const float* x,
                    const ConvShape& s, cudaStream_t stream) {
  using Launch =
      void (*)(float*, float*, const float*, const float*, const ConvShape&, cudaStream_t);
  static constexpr Launch kLaunch[kMaxOwnKernel + 1] = {
      nullptr,           launch_dweight<1>, launch_dweight<2>, launch_dweight<3>,
      launch_dweight<4>, launch_dweight<5>, launch_dweight<6>, launch_dweight<7>};
  if (!own_dweight_kernel(s)) return false;
  kLaunch[s.kernel](dweight, scratch, grad, x, s, stream);
  return true;
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

size_t conv2d_scratch_bytes(const ConvShape& s) {
  if (!own_dweight_kernel(s) || weight_slices(s) == 1) return 0;
  return sizeof(float) * static_cast<size_t>(weight_slices(s)) * weight_rows(s) * s.kernel *
         s.kernel;
}

void conv2d_backward(cudnnHandle_t handle, const ConvPlan& plan, Workspace ws, float* dinp,
                     float* dweight, float* dbias, float* dpre, float* dinp_pad, const float* dout,
                     const float* out, const float* inp, const float* inp_pad, const float* weight,
                     Activation act, cudaStream_t stream) {
  const ConvShape& s = plan.shape;
  if (!dinp && !dweight && !dbias) return;
  if (dweight && !plan.backward)
    throw BackendError("internal: convolution plan without backward pass");
  if (dinp && !plan.data_grad)
    throw BackendError("internal: convolution plan without input gradient");
  const float one = 1.f, zero = 0.f;
  const float* grad = bias_activation_backward(dpre, dbias, dout, out, s.batch, s.groups * s.out_c,
                                               s.out_h * s.out_w, act, stream);
  const float* x = s.padded_copy() ? inp_pad : inp;
  float* dx = dinp && s.padded_copy() ? dinp_pad : dinp;  // the gradient of x
  if (dweight && ws.bytes < conv2d_scratch_bytes(s))
    throw BackendError("internal: a workspace smaller than the convolution's plan asked for");
  if (dweight && !conv2d_dweight(dweight, static_cast<float*>(ws.ptr), grad, x, s, stream)) {
    CUDNN_CHECK(cudnnSetStream(handle, stream));
    CUDNN_CHECK(cudnnConvolutionBackwardFilter(
        handle, &one, plan.x_desc.get(), x, plan.y_desc.get(), grad, plan.conv_desc.get(),
        plan.filter_algo, ws.ptr, ws.bytes, &one, plan.w_desc.get(), dweight));
  }
  if (dx) {
    CUDNN_CHECK(cudnnSetStream(handle, stream));
    CUDNN_CHECK(cudnnConvolutionBackwardData(
        handle, &one, plan.w_desc.get(), weight, plan.y_desc.get(), grad, plan.conv_desc.get(),
        plan.data_algo, ws.ptr, ws.bytes, &zero, plan.x_desc.get(), dx));
  }
  if (dinp && s.padded_copy()) {
    crop_copy_kernel<<<grid_for(s.input_size()), kBlock, 0, stream>>>(
        dinp, dinp_pad, input_planes(s), s.in_h, s.in_w, s.extra_h, s.extra_w);
    CUDA_CHECK_LAUNCH();
  }
}

}  // namespace cs::cuda
