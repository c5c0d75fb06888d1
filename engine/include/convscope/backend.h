// The backend interface: trains a group of N identically-built networks in lockstep.
//
// All N networks see the same batches (or each its own order with per_net_shuffle) and differ
// only in their initialization seed. N = 1 is the live view; N = 50 is the ensemble. A GPU
// backend runs the whole group as one batched pass per step; the CPU backend batches it too.
//
// Calls are made from one thread (the trainer's). Only snapshots() is shared with a reader.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "convscope/dataset.h"
#include "convscope/error.h"
#include "convscope/optimizer.h"
#include "convscope/snapshot.h"
#include "convscope/spec.h"

namespace cs {

constexpr int kMaxBatchSize = 65536;

struct GroupConfig {
  NetworkSpec spec = NetworkSpec::reference();
  OptimizerConfig optimizer;
  std::vector<uint64_t> seeds{1};  // one initialization seed per network; N = seeds.size()
  int batch_size = 64;
  uint64_t shuffle_seed = 1;
  bool per_net_shuffle = false;  // each network its own order (stream 1 + net) instead of one
  int augment_shift = 0;      // training images moved up to this many pixels each way (augment.h)
  float label_smoothing = 0;  // the training loss's target smoothing, [0, 1) (label_smoothing.h)
  int nets() const { return static_cast<int>(seeds.size()); }
  bool operator==(const GroupConfig&) const = default;
};

struct BackendInfo {
  std::string kind;    // "cpu" or "cuda"
  std::string device;  // "2 CPU threads", "NVIDIA H100 80GB HBM3", ...
};

// Full-validation results for every network of the group.
struct EvalResult {
  int nets = 0, count = 0;
  std::vector<float> loss;          // (N) mean cross-entropy over the validation set
  std::vector<float> accuracy;      // (N) fraction of top-1 hits
  std::vector<uint8_t> top_labels;  // (N, count, 3) best three classes, best first
  std::vector<float> top_probs;     // (N, count, 3) their softmax probabilities
  std::vector<float> true_probs;    // (N, count) probability given to the true label
};

// The one rule of what a network answered. Network `net` answers image `image` when its best
// probability is a number: a network whose outputs overflowed has NaN probabilities throughout
// and gives no answer. The backends count no answer as a miss (their accuracy), the ensemble
// statistics and the views as wrong and as no vote; the learning history keeps it as kNoLabel.
inline bool answered(const EvalResult& e, int net, int image) {
  return !std::isnan(e.top_probs[(static_cast<size_t>(net) * e.count + image) * 3]);
}
// Network `net`'s top-1 label of image `image`, kNoLabel when it gave no answer.
inline uint8_t top1_answer(const EvalResult& e, int net, int image) {
  return answered(e, net, image) ? e.top_labels[(static_cast<size_t>(net) * e.count + image) * 3]
                                 : kNoLabel;
}

// A training setup that cannot run: no network, a batch size below 1, an empty or inconsistent
// dataset, images of another shape than the network's input, a label outside its classes.
class InputError : public Error {
 public:
  explicit InputError(const std::string& what) : Error(ErrorKind::InvalidInput, what) {}
};

// The one check of a group and its data, made by the trainer and by every backend's configure():
// throws SpecError for an impossible architecture and InputError for the rest.
void check_group(const GroupConfig& cfg, const Dataset& train, const Dataset& val);

// The argument check of predict(): out_of_range for a network outside the group, a negative
// count or no images with count > 0.
void check_predict_args(const GroupConfig& cfg, int net, int count, const float* images);
// The same for features(): also out_of_range for a layer outside the spec, a missing output
// buffer, or a number of buffers other than of layers.
void check_features_args(const GroupConfig& cfg, int net, int count, const float* images,
                         std::span<const int> layers, std::span<float* const> outs);
// The same for layer_gradient(): also out_of_range for no units, a unit outside [0, the layer's
// channels) or `at` outside [-1, layer).
void check_gradient_args(const GroupConfig& cfg, int net, int count, const float* images, int layer,
                         const int* units, int at, const float* dout);

// Which per-parameter buffer read_tensor/write_tensor address.
enum class TensorRole { Param, Grad, Slot0, Slot1 };

// A failure of the backend itself (device error, out of memory): the message is for the user.
class BackendError : public Error {
 public:
  explicit BackendError(const std::string& what, ErrorKind kind = ErrorKind::Backend)
      : Error(kind, what) {}
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual BackendInfo info() const = 0;

  // (Re)build the group: allocate, initialize each network's weights from its seed with
  // init_parameters(), reset the optimizer state and step count, take the datasets in (a GPU
  // backend uploads them once). Throws SpecError / BackendError.
  virtual void configure(const GroupConfig& cfg, const Dataset& train, const Dataset& val) = 0;

  // The configuration given to the last configure() (BackendError before the first one).
  virtual const GroupConfig& config() const = 0;

  // Compute the sample order of `epoch` (epoch_order(shuffle_seed, epoch, stream, count)).
  virtual void begin_epoch(int epoch) = 0;

  // One optimizer step of every network on the samples at positions [first, first + count)
  // of the current epoch order (count <= batch_size; the last batch may be smaller).
  // If a snapshot was requested it is taken between backward and the update.
  virtual void train_step(int first, int count) = 0;

  // Mean batch losses of the steps since the last call, (steps, N) row-major.
  virtual std::vector<float> take_losses() = 0;
  // Top-1 hit rates on the training batches of the same steps, (steps, N); drained together
  // with take_losses(). A backend that does not measure them returns an empty vector.
  virtual std::vector<float> take_accuracies() { return {}; }

  // Loss, accuracy and top-3 of every network on the whole validation set.
  virtual void evaluate(EvalResult& out) = 0;

  // Snapshot of network `net` on validation image `probe`, taken during the next train_step.
  virtual void request_snapshot(int net, int probe) = 0;
  // Snapshot now, from the current weights and the last step's weight gradients (when paused).
  virtual void capture_snapshot(int net, int probe) = 0;
  virtual SnapshotExchange& snapshots() = 0;
  // Publishes `s`, a snapshot made outside the backend (the app's drawn probe), through
  // snapshots() as the backend's own: after every one of its own still on its way (the exchange
  // has one writer), and instead of a requested one not taken yet.
  virtual void publish_snapshot(const Snapshot& s) = 0;

  // Copy one tensor of one network (ParamInfo order and PyTorch layout) out of / into the backend.
  virtual void read_tensor(int net, int param, TensorRole role, float* out) = 0;
  virtual void write_tensor(int net, int param, TensorRole role, const float* in) = 0;

  // Network `net` with its current weights on `count` images of any count (chunked as the
  // backend needs), (count, C, H, W) floats as training reads its bytes: pixels / 255, so [0, 1]
  // (saliency passes noisy copies and interpolations, which may leave that range). Writes the
  // softmax (count, classes) to probs and the class scores before the softmax (count, classes)
  // to logits; either may be null. Touches no training state: no gradient, optimizer slot,
  // snapshot or loss record changes. out_of_range for a bad net or a negative count.
  virtual void predict(int net, const float* images, int count, float* probs, float* logits) = 0;

  // dinp[b] = d s[b] / d images[b], (count, C, H, W): the gradient with respect to each input
  // pixel of s[b], the mean over its H x W places of channel units[b] of layer `layer`'s output
  // (after its activation, as features() gives it; a dense layer's channels are its units, one
  // place each). For the last layer s[b] is the logit of class units[b], its score before the
  // softmax (vanilla saliency); for a hidden one, how strongly a filter or unit responds to the
  // image (activation maximisation). Same inputs and guarantees as features(); out_of_range for
  // a unit outside [0, the layer's channels).
  void input_gradient(int net, const float* images, int count, int layer, const int* units,
                      float* dinp) {
    layer_gradient(net, images, count, layer, units, -1, dinp);
  }
  // The same s[b], differentiated with respect to the outputs of layer `at` below `layer`
  // (after its activation, as features() gives them) instead of the input: dout[b] =
  // d s[b] / d(layer at's output for images[b]), (count, that layer's C * H * W); at = -1 is the
  // input (input_gradient). Grad-CAM weighs a layer's maps with it. out_of_range for `at` outside
  // [-1, layer) too.
  virtual void layer_gradient(int net, const float* images, int count, int layer, const int* units,
                              int at, float* dout) = 0;
  // The outputs of the layers `layers` (each after its activation, as a snapshot shows them) of
  // network `net` on `count` images, all from one forward pass: outs[k] gets layer layers[k]'s
  // (count, C * H * W). Same inputs and guarantees as predict(); out_of_range for a layer outside
  // the network, a missing output buffer, or as many buffers as layers not given, too.
  virtual void features(int net, const float* images, int count, std::span<const int> layers,
                        std::span<float* const> outs) = 0;
  // One layer's outputs, (count, C * H * W) into out.
  void features(int net, const float* images, int count, int layer, float* out) {
    features(net, images, count, std::span<const int>(&layer, 1), std::span<float* const>(&out, 1));
  }

  // Optimizer steps taken so far (Adam's t); restored from checkpoints.
  virtual long long step_count() const = 0;
  virtual void set_step_count(long long t) = 0;
};

// Glorot-uniform weights and zero biases for every tensor of spec.params(), from one seed.
std::vector<std::vector<float>> init_parameters(const NetworkSpec& spec, uint64_t seed);

}  // namespace cs
