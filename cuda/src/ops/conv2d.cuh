// 2-D convolution of a group of networks with cuDNN: one grouped convolution (group count =
// networks) over activations laid out (batch, nets, C, H, W), or, for the first layer, one
// convolution with nets x filters over the input all networks share.
//
// "same" padding is the CPU backend's: (k - 1) / 2 zeros before and as many after as the last
// window needs (out = ceil(in / stride)). cuDNN pads symmetrically, so when that is one more
// after than before (even kernels) the input is first copied into a buffer with one extra zero
// row / column at the end.
#pragma once

#include <cudnn.h>

#include <compare>
#include <cstddef>

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

struct Workspace {
  void* ptr = nullptr;
  size_t bytes = 0;
};

// y = act(conv(x, w) + b). With an uneven "same" padding, xpad receives the padded input (kept for
// backward); otherwise it is unused and may be null.
void conv2d_forward(cudnnHandle_t handle, const ConvPlan& plan, Workspace ws,
                    float* y,        // (batch, groups * out_c, out_h, out_w)
                    float* xpad,     // (batch, input_channels, in_h + extra_h, in_w + extra_w)
                    const float* x,  // (batch, input_channels, in_h, in_w)
                    const float* w,  // (groups * out_c, in_c, k, k)
                    const float* b,  // (groups * out_c)
                    Activation act, cudaStream_t stream);

// From dy = dL/dy of the activated output y: dz = dy * act'(y) into the scratch dz, then the
// bias and weight gradients (dw and db null: data gradient only) and dx (null: not needed).
// dxpad is scratch for an uneven "same" padding. Gradients are overwritten, not accumulated.
void conv2d_backward(cudnnHandle_t handle, const ConvPlan& plan, Workspace ws,
                     float* dx,          // (batch, input_channels, in_h, in_w) or null
                     float* dw,          // (groups * out_c, in_c, k, k) or null
                     float* db,          // (groups * out_c) or null
                     float* dz,          // (batch, groups * out_c, out_h, out_w) scratch
                     float* dxpad,       // like xpad, when padded_copy()
                     const float* dy,    // (batch, groups * out_c, out_h, out_w)
                     const float* y,     // (batch, groups * out_c, out_h, out_w)
                     const float* x,     // the forward input
                     const float* xpad,  // its padded copy from forward, when padded_copy()
                     const float* w, Activation act, cudaStream_t stream);

}  // namespace cs::cuda
