// Forward and backward of one network over a batch, layer by layer with the cs::cpu ops (the
// mirror of cuda/src/group_net.cpp). A dropout layer drops values only in a training pass. Each
// layer's backward turns d, d(loss)/d(its output), into d(loss)/d(pre-activation) in place, and
// writes d(loss)/d(its input) into the other buffer; a max pool and the stride-1 convolution before
// it run together (conv2d_pool_forward and conv2d_pool_backward).
#include "cpu/network.h"

#include <algorithm>
#include <utility>

#include "cpu/ops/conv2d.h"
#include "cpu/ops/dense.h"
#include "cpu/ops/dropout.h"
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
    if (l.spec.kind == LayerKind::Dense)
      dense_scratch = std::max(dense_scratch, dense_scratch_size(1, l.in.size(), l.out.size()));
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
  scratch.resize(static_cast<size_t>(std::max(plan.scratch, plan.dense_scratch * cap)));
  probs.resize(b * plan.spec.classes);
  losses.resize(b);
}

namespace {

// Whether layer i is a max pool right after a stride-1 convolution: the two run as one, forward
// sample by sample and backward in one pass.
bool pool_after_conv(const NetPlan& plan, int i) {
  return i > 0 && plan.layers[i].spec.kind == LayerKind::MaxPool &&
         plan.layers[i - 1].spec.kind == LayerKind::Conv2d && plan.layers[i - 1].conv.implicit();
}

// Dropout layer i over B samples, forward (from the input to the output) or backward (from
// d(loss)/d(output) to d(loss)/d(input)): the training pass's mask, the first value at the pass's
// place in the step's batch; outside training a copy.
void dropout_pass(float* to, const float* from, const LayerPlan& l, int i, int B,
                  const TrainingPass* training, bool forward) {
  const long long n = static_cast<long long>(B) * l.out.size();
  if (!training) {
    std::copy(from, from + n, to);
    return;
  }
  const long long first = static_cast<long long>(training->sample) * l.out.size();
  const DropoutMask mask = dropout_mask(training->step, i, l.spec.rate);
  if (forward)
    dropout_forward(to, from, mask, first, n);
  else
    dropout_backward(to, from, mask, first, n);
}

}  // namespace

void layer_forward(const NetPlan& plan, Workspace& ws, const float* params, int i, int B,
                   const TrainingPass* training) {
  const LayerPlan& l = plan.layers[i];
  const float* inp = ws.input_of(i);
  float* out = ws.act[i].data();
  switch (l.spec.kind) {
    case LayerKind::Conv2d:
      conv2d_forward(out, ws.scratch.data(), inp, params + l.weight, params + l.bias, B, l.conv,
                     l.spec.activation);
      break;
    case LayerKind::MaxPool:
      maxpool_forward(out, ws.argmax[i].data(), inp, B, l.in.c, l.in.h, l.in.w, l.spec.kernel);
      break;
    case LayerKind::AvgPool:
      avgpool_forward(out, inp, B, l.in.c, l.in.h, l.in.w, l.spec.kernel);
      break;
    case LayerKind::Dense:
      dense_forward(out, ws.scratch.data(), inp, params + l.weight, params + l.bias, B, l.in.size(),
                    l.out.size(), l.spec.activation);
      break;
    case LayerKind::Dropout:
      dropout_pass(out, inp, l, i, B, training, true);
      break;
  }
}

void net_forward(const NetPlan& plan, Workspace& ws, const float* params, int B, Keep keep,
                 const TrainingPass* training) {
  const int layers = static_cast<int>(plan.layers.size());
  for (int i = 0; i < layers; ++i) {
    if (i + 1 < layers && pool_after_conv(plan, i + 1)) {
      const LayerPlan& l = plan.layers[i];
      float* out = keep == Keep::AllOutputs ? ws.act[i].data() : nullptr;
      conv2d_pool_forward(out, ws.act[i + 1].data(), ws.argmax[i + 1].data(),
                          plan.layers[i + 1].spec.kernel, ws.scratch.data(), ws.input_of(i),
                          params + l.weight, params + l.bias, B, l.conv, l.spec.activation);
      ++i;
      continue;
    }
    layer_forward(plan, ws, params, i, B, training);
  }
  softmax_xent_forward(ws.probs.data(), ws.losses.data(), ws.act.back().data(), ws.labels.data(), B,
                       plan.spec.classes, training ? training->label_smoothing : 0.f);
}

void layer_backward(const NetPlan& plan, Workspace& ws, const float* params, float* grads, int i,
                    int B, float* d, float* dinp, const TrainingPass* training) {
  const LayerPlan& l = plan.layers[i];
  const float* inp = ws.input_of(i);
  const float* out = ws.act[i].data();
  float* dweight = grads && l.weight >= 0 ? grads + l.weight : nullptr;
  float* dbias = grads && l.bias >= 0 ? grads + l.bias : nullptr;
  switch (l.spec.kind) {
    case LayerKind::Conv2d:
      conv2d_backward(dinp, dweight, dbias, d, ws.scratch.data(), d, out, inp, params + l.weight, B,
                      l.conv, l.spec.activation);
      break;
    case LayerKind::MaxPool:
      if (dinp)
        maxpool_backward(dinp, d, ws.argmax[i].data(), B, l.in.c, l.in.h, l.in.w, l.spec.kernel);
      break;
    case LayerKind::AvgPool:
      if (dinp) avgpool_backward(dinp, d, B, l.in.c, l.in.h, l.in.w, l.spec.kernel);
      break;
    case LayerKind::Dense:
      dense_backward(dinp, dweight, dbias, d, d, out, inp, params + l.weight, B, l.in.size(),
                     l.out.size(), l.spec.activation);
      break;
    case LayerKind::Dropout:
      if (dinp) dropout_pass(dinp, d, l, i, B, training, false);
      break;
  }
}

namespace {

// The backward of convolution i - 1 and max pool i from d, the pool's dout (overwritten).
void conv_pool_backward(const NetPlan& plan, Workspace& ws, const float* params, float* grads,
                        int i, int B, float* d, float* dinp) {
  const LayerPlan& conv = plan.layers[i - 1];
  const float* inp = ws.input_of(i - 1);
  conv2d_pool_backward(dinp, grads ? grads + conv.weight : nullptr,
                       grads ? grads + conv.bias : nullptr, d, ws.scratch.data(), ws.act[i].data(),
                       ws.argmax[i].data(), plan.layers[i].spec.kernel, inp, params + conv.weight,
                       B, conv.conv, conv.spec.activation);
}

// Backward through layers top, top - 1, ..., bottom + 1 from d = d(loss)/d(layer top's output)
// in ws.grad_a: parameter gradients into grads (null: none), d(loss)/d(input) into dinput (null:
// none; bottom -1 only). Returns d(loss)/d(layer bottom's output) (in ws.grad_a or grad_b; for
// bottom -1, dinput). Without a hook, which would see the gradient between them, a max pool and
// the convolution before it run as one, unless the gradient between them is the one asked for.
const float* backward_layers(const NetPlan& plan, Workspace& ws, const float* params, float* grads,
                             int B, float* dinput, const LayerGradHook* hook,
                             const TrainingPass* training, int top, int bottom = -1) {
  float* d = ws.grad_a.data();
  float* dnext = ws.grad_b.data();
  for (int i = top; i > bottom; --i) {
    if (hook) (*hook)(i, d);
    if (!hook && i - 1 > bottom && pool_after_conv(plan, i)) {
      conv_pool_backward(plan, ws, params, grads, i, B, d, i == 1 ? dinput : dnext);
      --i;
    } else {
      layer_backward(plan, ws, params, grads, i, B, d, i == 0 ? dinput : dnext, training);
    }
    std::swap(d, dnext);
  }
  return bottom < 0 ? dinput : d;
}

}  // namespace

void net_backward(const NetPlan& plan, Workspace& ws, const float* params, float* grads, int B,
                  float scale, const LayerGradHook* hook, const TrainingPass* training) {
  softmax_xent_backward(ws.grad_a.data(), ws.probs.data(), ws.labels.data(), B, plan.spec.classes,
                        scale, training ? training->label_smoothing : 0.f);
  backward_layers(plan, ws, params, grads, B, nullptr, hook, training,
                  static_cast<int>(plan.layers.size()) - 1);
}

void net_layer_gradient(const NetPlan& plan, Workspace& ws, const float* params, int layer,
                        const int32_t* units, int B, int at, float* dout) {
  const Shape3 out = plan.layers[static_cast<size_t>(layer)].out;
  const size_t places = static_cast<size_t>(out.h) * out.w, size = places * out.c;
  float* d = ws.grad_a.data();  // d s[b] / d(layer's output): 1 / places over channel units[b]
  std::fill(d, d + static_cast<size_t>(B) * size, 0.f);
  for (int b = 0; b < B; ++b) {
    float* channel = d + static_cast<size_t>(b) * size + static_cast<size_t>(units[b]) * places;
    std::fill(channel, channel + places, 1.f / static_cast<float>(places));
  }
  if (at < 0) {
    backward_layers(plan, ws, params, nullptr, B, dout, nullptr, nullptr, layer);
    return;
  }
  const float* dat =
      backward_layers(plan, ws, params, nullptr, B, nullptr, nullptr, nullptr, layer, at);
  std::copy(dat, dat + static_cast<size_t>(B) * plan.layers[static_cast<size_t>(at)].out.size(),
            dout);
}

}  // namespace cs::cpu
