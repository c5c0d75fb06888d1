// A group of N identically-built networks on the GPU, run as one batched pass per layer: the
// mirror of engine/src/cpu/network.h, with the ops of cuda/src/ops.
//
// Activations are laid out (batch, nets, C, H, W): a convolution is one cuDNN grouped
// convolution (group count N), a dense layer one strided-batched GEMM over the networks, pooling
// and activations treat the networks as more channels. The first convolution reads the input all
// networks share, as one convolution with N x filters (unless each network has its own batch).
//
// Parameters of all networks live in one flat buffer (and so do gradients and optimizer slots):
// for each tensor of spec.params(), N copies side by side in PyTorch layout, so the N copies of a
// convolution's weights are exactly the grouped filter (N * out, in, k, k).
#pragma once

#include <cublas_v2.h>
#include <cudnn.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "convscope/spec.h"
#include "cuda_raii.h"
#include "op_timer.h"
#include "ops/conv2d.cuh"

namespace cs::cuda {

class ParamLayout {
 public:
  ParamLayout(const NetworkSpec& spec, int nets);
  const std::vector<ParamInfo>& params() const { return m_params; }
  // Offset (in floats) of network `net`'s copy of tensor `param`.
  size_t offset(int param, int net) const {
    return m_offsets[static_cast<size_t>(param)] +
           static_cast<size_t>(net) * static_cast<size_t>(m_params[param].size());
  }
  size_t total() const { return m_total; }  // floats, including alignment gaps
  int weight_of_layer(int layer) const { return m_weight_of_layer[layer]; }  // -1: none

 private:
  std::vector<ParamInfo> m_params;
  std::vector<size_t> m_offsets;
  std::vector<int> m_weight_of_layer;
  size_t m_total = 0;
};

class GroupNet;

// Buffers of one pass over up to `capacity` images. Gradient buffers exist only with
// `gradients`; dy[l] is d(loss)/d(output of layer l, after its activation).
struct Activations {
  Activations(const GroupNet& net, int capacity, int in_nets, bool gradients);

  int capacity, in_nets;
  DeviceBuffer<float> x;                               // (capacity, in_nets, input)
  DeviceBuffer<int> labels;                            // (capacity, nets)
  std::vector<DeviceBuffer<float>> y, dy;              // per layer (capacity, nets, out)
  std::vector<DeviceBuffer<int>> argmax;               // max pooling layers (with gradients)
  std::vector<DeviceBuffer<float>> inp_pad, dinp_pad;  // convolutions, uneven "same" padding
  DeviceBuffer<float> dpre;   // d(loss)/d(pre-activation), scratch of the largest layer output
  DeviceBuffer<float> probs;  // (capacity, nets, classes) (with gradients)
  bool profiled = false;  // passes over these are timed by GroupNet's timer (the training batch)
};

// The cuDNN side of a pass at one batch size: a ConvPlan per convolution layer (null elsewhere).
struct Plan {
  int batch = 0, in_nets = 1;
  bool backward = false;
  bool input_grad = false;  // the first convolution computes the gradient of the input too
  std::vector<std::unique_ptr<ConvPlan>> conv;
  size_t workspace = 0;  // bytes of the shared cuDNN workspace its convolutions need
};

// What a training pass's dropout layers read on the device (convscope/dropout.h). Every other
// pass has none, and its dropout layers copy their input.
struct DropoutSource {
  const uint64_t* seeds;  // (nets) each network's initialization seed
  const long long* step;  // the optimizer step being taken, from 1
};

class GroupNet {
 public:
  GroupNet(const NetworkSpec& spec, int nets, cudnnHandle_t cudnn, cublasHandle_t cublas);

  const NetworkSpec& spec() const { return m_spec; }
  int nets() const { return m_nets; }
  const std::vector<Shape3>& shapes() const { return m_shapes; }  // output of every layer
  const ParamLayout& layout() const { return m_layout; }
  // Networks whose input differs: N with one order per network or when the first layer is not a
  // convolution (pooling and dense read a per-network input); otherwise 1, the shared input.
  int input_nets(bool per_net_orders) const;
  // Floats of activations per image and network (for sizing evaluation chunks).
  size_t activation_floats() const;

  // The plan for a pass (created on first use, which benchmarks cuDNN algorithms). The shared
  // workspace grows to what it needs: `stream` is synchronized before the old one is freed, and
  // the workspace generation moves first, so that no captured graph keeps the old address even
  // when the new allocation fails (the next call tries again).
  // input_grad (with backward) lets backward() write d(loss)/d(input) too (saliency).
  const Plan& plan(int batch, int in_nets, bool backward, cudaStream_t stream,
                   bool input_grad = false);
  // Changes whenever the workspace moves: captured graphs hold its address.
  unsigned workspace_generation() const { return m_generation; }

  // Passes over profiled activations (the training batch's) time each layer's op with `timer` from
  // now on (null: none; see op_timer.h).
  void set_timer(OpTimer* timer) { m_timer = timer; }

  void forward(const Plan& plan, Activations& a, const float* params, cudaStream_t stream,
               const DropoutSource* dropout = nullptr);
  // Backward from a.dy of the last layer: adds the parameter gradients to grads (the gradient
  // rule of convscope/op_conventions.h: the caller zeroes grads once per step) and writes every
  // a.dy but the input's. With grads null only data gradients are computed (the snapshot's
  // probe, which must not touch the training batch's weight gradients). With dx (a plan made
  // with input_grad) d(loss)/d(a.x) is written there too, (batch, in_nets, input). `dropout` is
  // the forward's. With `top` >= 0 it starts from a.dy[top], d(loss)/d(layer top's output), and
  // goes through layers top, ..., 0 only (the input gradient of a hidden layer's channel).
  void backward(const Plan& plan, Activations& a, const float* params, float* grads,
                cudaStream_t stream, float* dx = nullptr, const DropoutSource* dropout = nullptr,
                int top = -1);

 private:
  // The shared workspace at least `bytes` long (see plan()).
  void grow_workspace(size_t bytes, cudaStream_t stream);

  NetworkSpec m_spec;
  int m_nets;
  std::vector<Shape3> m_shapes;
  ParamLayout m_layout;
  cudnnHandle_t m_cudnn;
  cublasHandle_t m_cublas;
  std::map<std::tuple<int, int, bool, bool>, Plan> m_plans;
  DeviceBuffer<unsigned char> m_workspace;
  unsigned m_generation = 0;
  OpTimer* m_timer = nullptr;
  std::vector<std::string> m_forward_ops, m_backward_ops;  // "L1 conv2d_forward", by layer
};

}  // namespace cs::cuda
