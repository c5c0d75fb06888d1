// Network specification: the architecture a user enters, validated up front.
//
// A network is a stack of layers applied to a (C, H, W) image. Dense layers flatten their input
// in (C, H, W) order, as torch.flatten does. The last layer must be a dense layer with one unit
// per class and no activation; softmax + cross-entropy are applied to its output by the loss.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "convscope/error.h"

namespace cs {

enum class LayerKind { Conv2d, MaxPool, AvgPool, Dense, Dropout };
enum class Activation { None, Relu, Tanh, Sigmoid };
enum class Padding { Valid, Same };

struct LayerSpec {
  LayerKind kind = LayerKind::Dense;
  int kernel = 0;  // conv: kernel size k (k x k); pool: window size (window == stride)
  int units = 0;   // conv: filter count; dense: output units
  int stride = 1;  // conv only
  Padding padding = Padding::Valid;          // conv only
  Activation activation = Activation::None;  // conv and dense
  float rate = 0;                            // dropout only: the share of values zeroed, (0, 1)

  static LayerSpec conv(int kernel, int filters, Activation act = Activation::Relu, int stride = 1,
                        Padding pad = Padding::Valid);
  static LayerSpec max_pool(int window);
  static LayerSpec avg_pool(int window);
  static LayerSpec dense(int units, Activation act = Activation::None);
  static LayerSpec dropout(float rate);  // convscope/dropout.h
  bool has_params() const { return kind == LayerKind::Conv2d || kind == LayerKind::Dense; }
  bool operator==(const LayerSpec&) const = default;
};

// Limits on what a spec may ask for, so that every size fits int arithmetic and no file or
// typo allocates more than a workstation has. A spec beyond them throws SpecError naming the
// numbers ("network too large: N parameters, the limit is M").
constexpr long long kMaxParams = 100'000'000;   // 400 MB of float32 weights per network
constexpr long long kMaxMapValues = 1LL << 24;  // values per image in the input or any layer
// A convolution's input as its GEMM reads it, per image: C x K x K taps for each of OH x OW
// output pixels (what an im2col copies; the CPU backend's K shifted planes are no larger).
constexpr long long kMaxUnfoldedValues = 1LL << 30;

struct Shape3 {
  int c = 0, h = 0, w = 0;
  // c * h * w; throws std::overflow_error when that does not fit an int (validated specs and
  // datasets stay far below).
  int size() const {
    int n = 0;
    if (__builtin_mul_overflow(c, h, &n) || __builtin_mul_overflow(n, w, &n))
      throw std::overflow_error("a " + std::to_string(c) + "x" + std::to_string(h) + "x" +
                                std::to_string(w) + " shape has too many values");
    return n;
  }
  bool operator==(const Shape3&) const = default;
};

// An architecture error: names the layer (1-based, as the user counts) and what is wrong.
class SpecError : public Error {
 public:
  SpecError(int layer, const std::string& what);
  int layer() const { return m_layer; }

 private:
  int m_layer;
};

// One trainable tensor of the network, with its PyTorch-compatible name and layout:
// conv weight [out, in, kh, kw], dense weight [out, in], biases [out].
struct ParamInfo {
  std::string name;        // "conv1.weight", "fc2.bias", ...
  std::vector<int> shape;  // PyTorch layout
  int layer = 0;           // index into NetworkSpec::layers
  bool is_bias = false;
  int fan_in = 0, fan_out = 0;  // for Glorot initialization
  long long size() const;
};

struct NetworkSpec {
  Shape3 input{1, 28, 28};
  int classes = 10;
  std::vector<LayerSpec> layers;

  // conv 5x5x8 relu -> maxpool 2 -> conv 5x5x16 relu -> maxpool 2 -> dense 128 relu -> dense 10
  static NetworkSpec reference(Shape3 input = {1, 28, 28}, int classes = 10);

  // Output shape of every layer; throws SpecError for an impossible architecture (a kernel
  // larger than its input map, a pool window that leaves nothing, a last layer that does not
  // produce `classes` logits, ...). The message names the layer and the resulting map size.
  std::vector<Shape3> output_shapes() const;
  void validate() const { (void)output_shapes(); }

  // One name per layer, numbered per kind from 1: "conv1", "pool1", "conv2", "pool2", "fc1",
  // "dropout1", ... (the prefixes of the parameter names; max and average pooling share "pool").
  std::vector<std::string> layer_names() const;
  // Trainable tensors in order: for each conv/dense layer its weight then its bias.
  std::vector<ParamInfo> params() const;
  long long param_count() const;

  // Text form, one token per layer: "c5x8r-m2-c5x16r-m2-d128r-d10" (see spec.cpp for grammar).
  std::string to_string() const;
  static NetworkSpec parse(const std::string& text, Shape3 input = {1, 28, 28}, int classes = 10);

  bool operator==(const NetworkSpec&) const = default;
};

std::string to_string(Activation a);
std::string to_string(LayerKind k);
std::string to_string(const Shape3& s);  // "1x28x28"
// "conv 5x5x8 relu", "maxpool 2", "dense 128 relu", "dropout 0.5"
std::string describe(const LayerSpec& l);

}  // namespace cs
