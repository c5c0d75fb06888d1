// One network of the CPU backend: its layers laid out over a flat parameter block (ParamInfo
// order, PyTorch layouts), and forward/backward passes over a batch of samples with per-thread
// buffers. The backend runs many of these at once, one (network, sample chunk) per task.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "convscope/dropout.h"
#include "convscope/spec.h"
#include "cpu/ops/conv2d.h"

namespace cs::cpu {

struct LayerPlan {
  LayerSpec spec;
  Shape3 in, out;
  ConvGeom conv;          // conv layers only
  long long weight = -1;  // offsets into a network's parameter block (-1: no parameters)
  long long bias = -1;
};

struct NetPlan {
  explicit NetPlan(const NetworkSpec& spec);  // throws SpecError

  NetworkSpec spec;
  std::vector<LayerPlan> layers;
  std::vector<ParamInfo> params;
  std::vector<long long> offsets;  // of each ParamInfo in the parameter block
  long long param_size = 0;        // floats per network
  long long widest = 0;            // largest per-sample map (input or layer output)
  long long scratch = 0;           // conv scratch elements
  long long dense_scratch = 0;     // dense scratch elements per sample
};

// Buffers for forward + backward of up to `capacity` samples; one per thread.
struct Workspace {
  Workspace(const NetPlan& plan, int capacity);

  int capacity;
  std::vector<float> input;                  // (B, C, H, W) in [0, 1]
  std::vector<int32_t> labels;               // (B)
  std::vector<std::vector<float>> act;       // per layer (B, out) after the activation
  std::vector<std::vector<int32_t>> argmax;  // per max-pool layer (B, out)
  std::vector<float> grad_a, grad_b;         // (B, widest) gradients flowing back, ping-pong
  std::vector<float> scratch;                // conv and dense scratch
  std::vector<float> probs, losses;          // (B, classes), (B)

  // Layer i's input: the images for the first layer, else the layer before's output.
  const float* input_of(int i) const { return i == 0 ? input.data() : act[i - 1].data(); }
};

// Called during backward with d(loss)/d(activation of layer i), (B, out) — for snapshots.
using LayerGradHook = std::function<void(int layer, const float* dact)>;

// A pass in a training step, whose dropout layers drop values (convscope/dropout.h) and whose loss
// smooths the labels (convscope/label_smoothing.h); every other pass is given none (null): its
// dropout layers copy their input and its loss is the plain cross-entropy.
struct TrainingPass {
  DropoutStep step;
  int sample = 0;  // the place in the step's batch of the pass's first sample
  float label_smoothing = 0;
};

// Layer i's forward over the first B samples: ws.act[i] from ws.input (i = 0) or ws.act[i - 1].
void layer_forward(const NetPlan& plan, Workspace& ws, const float* params, int i, int B,
                   const TrainingPass* training = nullptr);

// Layer i's backward after net_forward with the same `training`: d (B, out) = d(loss)/d(its
// output) becomes d(loss)/d(pre-activation) in place, the parameter gradients are added to grads
// (null: none) and d(loss)/d(its input) is written to dinp (B, in) (null: none).
void layer_backward(const NetPlan& plan, Workspace& ws, const float* params, float* grads, int i,
                    int B, float* d, float* dinp, const TrainingPass* training = nullptr);

// What a forward pass keeps: every layer's output (for snapshots, and for net_backward with a
// hook), or only what the loss and the backward without a hook read: a convolution followed by a
// max pool then runs fused and keeps only the pool's output (its own ws.act is left stale).
enum class Keep { AllOutputs, ForBackward };

// Forward of the first B samples of ws.input: fills ws.act (as `keep` says), ws.probs and
// ws.losses.
void net_forward(const NetPlan& plan, Workspace& ws, const float* params, int B,
                 Keep keep = Keep::AllOutputs, const TrainingPass* training = nullptr);

// Backward after net_forward (with the same `training`): adds d(scale * sum of the B
// losses)/d(params) to grads (the gradient rule of convscope/op_conventions.h: the caller zeroes
// grads once per step).
void net_backward(const NetPlan& plan, Workspace& ws, const float* params, float* grads, int B,
                  float scale, const LayerGradHook* hook = nullptr,
                  const TrainingPass* training = nullptr);

// The class logits of the last net_forward: the last layer's output, (B, classes).
inline const float* net_logits(const Workspace& ws) {
  return ws.act.back().data();
}

// After net_forward (Keep::AllOutputs unless `layer` is the last and `at` the input): dout[b] =
// d s[b] / d(layer at's output for image b), or for at = -1 / d input[b], (B, that shape); s[b]
// the mean over its places of channel units[b] of layer `layer`'s output (the class logit for
// the last layer; Backend::layer_gradient). Touches no parameter gradient.
void net_layer_gradient(const NetPlan& plan, Workspace& ws, const float* params, int layer,
                        const int32_t* units, int B, int at, float* dout);

}  // namespace cs::cpu
