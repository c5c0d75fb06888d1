// The group network's layout, buffers, plans and passes (see group_net.h).
#include "group_net.h"

#include <algorithm>

#include "cuda_check.h"
#include "ops/dense.cuh"
#include "ops/dropout.cuh"
#include "ops/pool.cuh"

namespace cs::cuda {

namespace {

constexpr size_t kAlignFloats = 64;  // 256-byte aligned tensors

size_t align_up(size_t n) {
  return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats;
}

size_t count(int batch, int nets, int size) {
  return static_cast<size_t>(batch) * static_cast<size_t>(nets) * static_cast<size_t>(size);
}

// The op names of op_conventions.h, for the profile (op_timer.h): the layer kind's, conv2d for a
// convolution.
std::string op_name(LayerKind kind) {
  return kind == LayerKind::Conv2d ? "conv2d" : to_string(kind);
}

// Dropout layer l over out (batch, nets, size) from inp: the training mask, or a copy outside
// training.
void dropout_pass(float* out, const float* inp, int batch, int nets, int size, int l, float rate,
                  const DropoutSource* dropout, bool forward, cudaStream_t stream) {
  if (!dropout) {
    CUDA_CHECK(cudaMemcpyAsync(out, inp, count(batch, nets, size) * sizeof(float),
                               cudaMemcpyDeviceToDevice, stream));
    return;
  }
  const DropoutShape s{batch, nets, size, l, rate, dropout->seeds, dropout->step};
  if (forward)
    dropout_forward(out, inp, s, stream);
  else
    dropout_backward(out, inp, s, stream);
}

}  // namespace

ParamLayout::ParamLayout(const NetworkSpec& spec, int nets)
    : m_params(spec.params()), m_weight_of_layer(spec.layers.size(), -1) {
  for (size_t p = 0; p < m_params.size(); ++p) {
    m_offsets.push_back(m_total);
    m_total += align_up(static_cast<size_t>(nets) * static_cast<size_t>(m_params[p].size()));
    if (!m_params[p].is_bias) m_weight_of_layer[m_params[p].layer] = static_cast<int>(p);
  }
}

Activations::Activations(const GroupNet& net, int cap, int inputs, bool gradients)
    : capacity(cap), in_nets(inputs) {
  const NetworkSpec& spec = net.spec();
  const int nets = net.nets();
  x = DeviceBuffer<float>(count(cap, in_nets, spec.input.size()), "input batch");
  labels = DeviceBuffer<int>(count(cap, nets, 1), "batch labels");
  size_t largest = 0;
  Shape3 in = spec.input;
  for (size_t l = 0; l < spec.layers.size(); ++l) {
    const LayerSpec& layer = spec.layers[l];
    const Shape3 out = net.shapes()[l];
    const size_t n = count(cap, nets, out.size());
    largest = std::max(largest, n);
    y.emplace_back(n, "activations");
    dy.emplace_back(gradients ? n : 0, "activation gradients");
    argmax.emplace_back(gradients && layer.kind == LayerKind::MaxPool ? n : 0, "pooling argmax");
    size_t padded = 0;
    if (layer.kind == LayerKind::Conv2d) {
      const ConvShape s = conv_shape(layer, in, out, cap, nets, l == 0 && in_nets == 1);
      if (s.padded_copy()) padded = s.padded_size();
    }
    inp_pad.emplace_back(padded, "padded convolution input");
    dinp_pad.emplace_back(gradients ? padded : 0, "padded input gradient");
    in = out;
  }
  dpre = DeviceBuffer<float>(gradients ? largest : 0, "pre-activation gradients");
  probs = DeviceBuffer<float>(gradients ? count(cap, nets, spec.classes) : 0, "softmax");
}

GroupNet::GroupNet(const NetworkSpec& spec, int nets, cudnnHandle_t cudnn, cublasHandle_t cublas)
    : m_spec(spec),
      m_nets(nets),
      m_shapes(spec.output_shapes()),
      m_layout(spec, nets),
      m_cudnn(cudnn),
      m_cublas(cublas) {
  for (size_t l = 0; l < spec.layers.size(); ++l) {
    const std::string layer = "L" + std::to_string(l + 1) + " " + op_name(spec.layers[l].kind);
    m_forward_ops.push_back(layer + "_forward");
    m_backward_ops.push_back(layer + "_backward");
  }
}

int GroupNet::input_nets(bool per_net_orders) const {
  return per_net_orders || m_spec.layers.front().kind != LayerKind::Conv2d ? m_nets : 1;
}

size_t GroupNet::activation_floats() const {
  size_t n = static_cast<size_t>(m_spec.input.size()) + static_cast<size_t>(m_spec.classes);
  for (const Shape3& s : m_shapes) n += static_cast<size_t>(s.size());
  return n;
}

const Plan& GroupNet::plan(int batch, int in_nets, bool backward, cudaStream_t stream,
                           bool input_grad) {
  input_grad = input_grad && backward;
  const auto key = std::make_tuple(batch, in_nets, backward, input_grad);
  if (auto it = m_plans.find(key); it != m_plans.end()) {
    grow_workspace(it->second.workspace, stream);
    return it->second;
  }
  Plan p;
  p.batch = batch;
  p.in_nets = in_nets;
  p.backward = backward;
  p.input_grad = input_grad;
  Shape3 in = m_spec.input;
  for (size_t l = 0; l < m_spec.layers.size(); ++l) {
    const LayerSpec& layer = m_spec.layers[l];
    if (layer.kind == LayerKind::Conv2d) {
      const ConvShape s = conv_shape(layer, in, m_shapes[l], batch, m_nets, l == 0 && in_nets == 1);
      p.conv.push_back(std::make_unique<ConvPlan>(m_cudnn, s, backward, l > 0 || input_grad));
      p.workspace = std::max(p.workspace, p.conv.back()->workspace_bytes);
    } else {
      p.conv.push_back(nullptr);
    }
    in = m_shapes[l];
  }
  grow_workspace(p.workspace, stream);
  return m_plans.emplace(key, std::move(p)).first->second;
}

void GroupNet::grow_workspace(size_t bytes, cudaStream_t stream) {
  if (bytes <= m_workspace.bytes()) return;
  CUDA_CHECK(cudaStreamSynchronize(stream));
  ++m_generation;  // first: graphs that read the old buffer are stale even if the new one fails
  m_workspace = DeviceBuffer<unsigned char>();  // freed before the larger one is asked for
  m_workspace = DeviceBuffer<unsigned char>(bytes, "the cuDNN workspace");
}

void GroupNet::forward(const Plan& plan, Activations& a, const float* params, cudaStream_t stream,
                       const DropoutSource* dropout) {
  const Workspace ws{m_workspace.get(), m_workspace.bytes()};
  Shape3 in = m_spec.input;
  for (size_t l = 0; l < m_spec.layers.size(); ++l) {
    const LayerSpec& layer = m_spec.layers[l];
    const Shape3 out_shape = m_shapes[l];
    const float* inp = l == 0 ? a.x.get() : a.y[l - 1].get();
    float* out = a.y[l].get();
    const int in_nets = l == 0 ? a.in_nets : m_nets;
    const PoolShape pool{
        plan.batch * in_nets * in.c, in.h, in.w, layer.kernel, out_shape.h, out_shape.w};
    const int wi = m_layout.weight_of_layer(static_cast<int>(l));
    const float* weight = wi < 0 ? nullptr : params + m_layout.offset(wi, 0);
    const float* bias = wi < 0 ? nullptr : params + m_layout.offset(wi + 1, 0);
    const OpScope timed(a.profiled ? m_timer : nullptr, m_forward_ops[l], stream);
    switch (layer.kind) {
      case LayerKind::Conv2d:
        conv2d_forward(m_cudnn, *plan.conv[l], ws, out, a.inp_pad[l].get(), inp, weight, bias,
                       layer.activation, stream);
        break;
      case LayerKind::MaxPool:
        maxpool_forward(out, plan.backward ? a.argmax[l].get() : nullptr, inp, pool, stream);
        break;
      case LayerKind::AvgPool:
        avgpool_forward(out, inp, pool, stream);
        break;
      case LayerKind::Dense:
        dense_forward(m_cublas, {plan.batch, m_nets, in.size(), out_shape.size()}, out, inp, weight,
                      bias, layer.activation, stream);
        break;
      case LayerKind::Dropout:
        dropout_pass(out, inp, plan.batch, m_nets, in.size(), static_cast<int>(l), layer.rate,
                     dropout, true, stream);
        break;
    }
    in = out_shape;
  }
}

void GroupNet::backward(const Plan& plan, Activations& a, const float* params, float* grads,
                        cudaStream_t stream, float* dx, const DropoutSource* dropout, int top) {
  if (dx && !plan.input_grad) throw BackendError("internal: a plan without the input gradient");
  const Workspace ws{m_workspace.get(), m_workspace.bytes()};
  const size_t layers = top >= 0 ? static_cast<size_t>(top) + 1 : m_spec.layers.size();
  for (size_t l = layers; l-- > 0;) {
    const LayerSpec& layer = m_spec.layers[l];
    const Shape3 in = l == 0 ? m_spec.input : m_shapes[l - 1];
    const Shape3 out_shape = m_shapes[l];
    const float* inp = l == 0 ? a.x.get() : a.y[l - 1].get();
    const float* out = a.y[l].get();
    const float* dout = a.dy[l].get();
    float* dinp = l == 0 ? dx : a.dy[l - 1].get();
    const int in_nets = l == 0 ? a.in_nets : m_nets;
    const PoolShape pool{
        plan.batch * in_nets * in.c, in.h, in.w, layer.kernel, out_shape.h, out_shape.w};
    const int wi = m_layout.weight_of_layer(static_cast<int>(l));
    const float* weight = wi < 0 ? nullptr : params + m_layout.offset(wi, 0);
    float* dweight = wi < 0 || !grads ? nullptr : grads + m_layout.offset(wi, 0);
    float* dbias = wi < 0 || !grads ? nullptr : grads + m_layout.offset(wi + 1, 0);
    const OpScope timed(a.profiled ? m_timer : nullptr, m_backward_ops[l], stream);
    switch (layer.kind) {
      case LayerKind::Conv2d:
        conv2d_backward(m_cudnn, *plan.conv[l], ws, dinp, dweight, dbias, a.dpre.get(),
                        a.dinp_pad[l].get(), dout, out, inp, a.inp_pad[l].get(), weight,
                        layer.activation, stream);
        break;
      case LayerKind::MaxPool:
        if (dinp) maxpool_backward(dinp, dout, a.argmax[l].get(), pool, stream);
        break;
      case LayerKind::AvgPool:
        if (dinp) avgpool_backward(dinp, dout, pool, stream);
        break;
      case LayerKind::Dense:
        dense_backward(m_cublas, {plan.batch, m_nets, in.size(), out_shape.size()}, dinp, dweight,
                       dbias, a.dpre.get(), dout, out, inp, weight, layer.activation, stream);
        break;
      case LayerKind::Dropout:
        if (dinp)
          dropout_pass(dinp, dout, plan.batch, m_nets, in.size(), static_cast<int>(l), layer.rate,
                       dropout, false, stream);
        break;
    }
  }
}

}  // namespace cs::cuda
