// 2-D convolution of a group of networks with cuDNN, the mirror of engine/src/cpu/ops/conv2d.h:
// one grouped convolution (group count = networks) over activations laid out (batch, nets, C, H,
// W), or, for the first layer, one convolution with nets x filters over the input all networks
// share. Conventions: convscope/op_conventions.h.
//
// "same" padding is the CPU backend's: (k - 1) / 2 zeros before and as many after as the last
// window needs (out = ceil(in / stride)). cuDNN pads symmetrically, so when that is one more
// after than before (even kernels) the input is first copied into a buffer with one extra zero
// row / column at the end.
#pragma once

#include <cudnn.h>

#include <compare>
#include <cstddef>

#include "convscope/op_conventions.h"
#include "convscope/spec.h"
#include "cuda_raii.h"

namespace cs::cuda {

struct ConvShape {
  int batch = 0;
  int groups = 1;                       // networks side by side
  bool shared_input = false;            // one input for all groups (the first layer of a group)
  int in_c = 0, in_h = 0, in_w = 0;     // per group
  int out_c = 0, out_h = 0, out_w = 0;  // per group
  int kernel = 1, stride = 1;
  int pad_h = 0, pad_w = 0;      // zeros before (top, left), and after as well
  int extra_h = 0, extra_w = 0;  // one more zero row / column after (uneven "same")

  auto operator<=>(const ConvShape&) const = default;
  bool padded_copy() const { return extra_h != 0 || extra_w != 0; }
  int input_channels() const { return shared_input ? in_c : groups * in_c; }
  size_t input_size() const;   // (batch, input_channels, in_h, in_w)
  size_t padded_size() const;  // (batch, input_channels, in_h + extra_h, in_w + extra_w)
  size_t output_size() const;  // (batch, groups * out_c, out_h, out_w)
};

ConvShape conv_shape(const LayerSpec& layer, Shape3 in, Shape3 out, int batch, int groups,
                     bool shared_input);

// The largest batch whose convolutions cuDNN can describe for `groups` networks of `spec` side by
// side (the first one reading a `shared_input`): a tensor descriptor holds at most INT_MAX
// (2^31 - 1) values, the input, its padded copy and the output alike. INT_MAX without any
// convolution. `layer` is set to the convolution that sets the limit (-1 without one).
int conv_batch_limit(const NetworkSpec& spec, int groups, bool shared_input, int* layer = nullptr);

// The cuDNN description of one convolution and the algorithms chosen for it (fastest measured by
// cudnnFind*, deterministic ones preferred for backward, cudnnGet*_v7 heuristics as fallback).
// The choice is made once per shape and device in a process and then reused, so that configuring
// the same network again does not benchmark again. Every algorithm runs with CUDNN_FMA_MATH.
struct ConvPlan {
  ConvPlan(cudnnHandle_t handle, const ConvShape& shape, bool backward, bool data_grad);

  ConvShape shape;
  TensorDescriptor x_desc, y_desc;
  FilterDescriptor w_desc;
  ConvolutionDescriptor conv_desc;
  cudnnConvolutionFwdAlgo_t forward_algo{};
  cudnnConvolutionBwdDataAlgo_t data_algo{};
  cudnnConvolutionBwdFilterAlgo_t filter_algo{};
  bool backward = false, data_grad = false;
  size_t workspace_bytes = 0;  // the most any of its algorithms needs
};

// Convolutions (shape, passes, device) whose algorithms this process has chosen so far.
size_t conv_algorithm_choices();

// The workspace conv2d_backward's own weight-gradient kernel needs for `shape` (its slices'
// partial sums; 0 for shapes whose gradients cuDNN computes), part of a ConvPlan's.
size_t conv2d_scratch_bytes(const ConvShape& shape);

struct Workspace {
  void* ptr = nullptr;
  size_t bytes = 0;
};

// out = act(conv(inp, weight) + bias). With an uneven "same" padding, inp_pad receives the
// padded input (kept for backward); otherwise it is unused and may be null.
void conv2d_forward(cudnnHandle_t handle, const ConvPlan& plan, Workspace ws,
                    float* out,           // (batch, groups * out_c, out_h, out_w)
                    float* inp_pad,       // (batch, input_channels, in_h + extra_h, in_w + extra_w)
                    const float* inp,     // (batch, input_channels, in_h, in_w)
                    const float* weight,  // (groups * out_c, in_c, k, k)
                    const float* bias,    // (groups * out_c)
                    Activation act, cudaStream_t stream);

// dpre = dout * act'(out), then dbias += the sum of dpre over the batch and pixels, dweight +=
// the correlation of dpre with inp, and dinp = the transposed convolution of dpre. dinp_pad is
// scratch for an uneven "same" padding. For kernels up to 7 x 7 the weight gradient comes from
// Convscope's own deterministic kernel (faster than cuDNN's deterministic algorithm on an H200;
// CONVSCOPE_CUDA_CONV=cudnn leaves it to cuDNN), with ws for its partial sums.
void conv2d_backward(cudnnHandle_t handle, const ConvPlan& plan, Workspace ws,
                     float* dinp,           // (batch, input_channels, in_h, in_w) or null
                     float* dweight,        // (groups * out_c, in_c, k, k) or null
                     float* dbias,          // (groups * out_c) or null
                     float* dpre,           // (batch, groups * out_c, out_h, out_w)
                     float* dinp_pad,       // like inp_pad, when padded_copy()
                     const float* dout,     // (batch, groups * out_c, out_h, out_w)
                     const float* out,      // (batch, groups * out_c, out_h, out_w)
                     const float* inp,      // (batch, input_channels, in_h, in_w)
                     const float* inp_pad,  // its padded copy from forward, when padded_copy()
                     const float* weight,   // (groups * out_c, in_c, k, k)
                     Activation act, cudaStream_t stream);

}  // namespace cs::cuda
