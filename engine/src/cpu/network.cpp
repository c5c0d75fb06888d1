// Forward and backward of one network over a batch, layer by layer with the cs::cpu ops.
#include "cpu/network.h"

#include <algorithm>
#include <utility>

#include "cpu/ops/conv2d.h"
#include "cpu/ops/dense.h"
#include "cpu/ops/pool.h"
#include "cpu/ops/softmax_xent.h"

namespace cs::cpu {

NetPlan::NetPlan(const NetworkSpec& s) : spec(s) {
  const std::vector<Shape3> shapes = spec.output_shapes();
  params = spec.params();
  for (const ParamInfo& p : params) {
    offsets.push_back(param_size);
    param_size += p.size();
  }
  size_t next_param = 0;
  Shape3 in = spec.input;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    LayerPlan l;
    l.spec = spec.layers[i];
    l.in = in;
    l.out = shapes[i];
    if (l.spec.kind == LayerKind::Conv2d)
      l.conv = ConvGeom::make(in, l.spec.units, l.spec.kernel, l.spec.stride, l.spec.padding);
    if (l.spec.has_params()) {
      l.weight = offsets[next_param++];
      l.bias = offsets[next_param++];
    }
    if (l.spec.kind == LayerKind::Conv2d) scratch = std::max(scratch, conv2d_scratch_size(l.conv));
    widest = std::max<long long>(widest, l.out.size());
    layers.push_back(l);
    in = l.out;
  }
}

Workspace::Workspace(const NetPlan& plan, int cap) : capacity(cap) {
  const size_t b = static_cast<size_t>(cap);
  input.resize(b * plan.spec.input.size());
  labels.resize(b);
  for (const LayerPlan& l : plan.layers) {
    act.emplace_back(b * l.out.size());
    argmax.emplace_back(l.spec.kind == LayerKind::MaxPool ? b * l.out.size() : 0);
  }
  grad_a.resize(b * plan.widest);
  grad_b.resize(b * plan.widest);
  scratch.resize(static_cast<size_t>(plan.scratch));
  probs.resize(b * plan.spec.classes);
  losses.resize(b);
}

void net_forward(const NetPlan& plan, Workspace& ws, const float* params, int B) {
  const float* x = ws.input.data();
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    const LayerPlan& l = plan.layers[i];
    float* y = ws.act[i].data();
    switch (l.spec.kind) {
      case LayerKind::Conv2d:
        conv2d_forward(y, ws.scratch.data(), x, params + l.weight, params + l.bias, B, l.conv,
                       l.spec.activation);
        break;
      case LayerKind::MaxPool:
        maxpool_forward(y, ws.argmax[i].data(), x, B, l.in.c, l.in.h, l.in.w, l.spec.kernel);
        break;
      case LayerKind::AvgPool:
        avgpool_forward(y, x, B, l.in.c, l.in.h, l.in.w, l.spec.kernel);
        break;
      case LayerKind::Dense:
        dense_forward(y, x, params + l.weight, params + l.bias, B, l.in.size(), l.out.size(),
                      l.spec.activation);
        break;
    }
    x = y;
  }
  softmax_xent_forward(ws.probs.data(), ws.losses.data(), x, ws.labels.data(), B,
                       plan.spec.classes);
}

void net_backward(const NetPlan& plan, Workspace& ws, const float* params, float* grads, int B,
                  float scale, const LayerGradHook* hook) {
  float* d = ws.grad_a.data();
  float* dnext = ws.grad_b.data();
  const int classes = plan.spec.classes;
  std::fill(d, d + static_cast<long long>(B) * classes, 0.f);
  softmax_xent_backward(d, ws.probs.data(), ws.labels.data(), B, classes, scale);
  for (int i = static_cast<int>(plan.layers.size()) - 1; i >= 0; --i) {
    const LayerPlan& l = plan.layers[i];
    if (hook) (*hook)(i, d);
    const float* x = i == 0 ? ws.input.data() : ws.act[i - 1].data();
    float* dx = i == 0 ? nullptr : dnext;
    if (dx) std::fill(dx, dx + static_cast<long long>(B) * l.in.size(), 0.f);
    switch (l.spec.kind) {
      case LayerKind::Conv2d:
        conv2d_backward(dx, grads + l.weight, grads + l.bias, d, ws.scratch.data(),
                        ws.act[i].data(), x, params + l.weight, B, l.conv, l.spec.activation);
        break;
      case LayerKind::MaxPool:
        if (dx)
          maxpool_backward(dx, d, ws.argmax[i].data(), B, l.in.c, l.in.h, l.in.w, l.spec.kernel);
        break;
      case LayerKind::AvgPool:
        if (dx) avgpool_backward(dx, d, B, l.in.c, l.in.h, l.in.w, l.spec.kernel);
        break;
      case LayerKind::Dense:
        dense_backward(dx, grads + l.weight, grads + l.bias, d, ws.act[i].data(), x,
                       params + l.weight, B, l.in.size(), l.out.size(), l.spec.activation);
        break;
    }
    std::swap(d, dnext);
  }
}

}  // namespace cs::cpu
