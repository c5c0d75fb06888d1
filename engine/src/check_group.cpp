// check_group(): the one validation of a group and its data (see backend.h).
#include <algorithm>
#include <stdexcept>
#include <string>

#include "convscope/augment.h"
#include "convscope/backend.h"
#include "convscope/label_smoothing.h"

namespace cs {

namespace {

void check_dataset(const Dataset& d, const NetworkSpec& spec) {
  const auto fail = [&d](const std::string& what) {
    throw InputError("dataset '" + d.name + "' " + what);
  };
  if (d.count < 1) fail("is empty");
  if (d.shape != spec.input)
    fail("has " + to_string(d.shape) + " images but the network expects " + to_string(spec.input));
  if (d.images.size() != static_cast<size_t>(d.count) * static_cast<size_t>(d.shape.size()) ||
      d.labels.size() != static_cast<size_t>(d.count))
    fail("has inconsistent sizes");
  const int top = *std::max_element(d.labels.begin(), d.labels.end());
  if (top >= spec.classes)
    fail("has label " + std::to_string(top) + " but the network has " +
         std::to_string(spec.classes) + " classes");
}

void check_layer(const GroupConfig& cfg, int layer) {
  const int layers = static_cast<int>(cfg.spec.layers.size());
  if (layer < 0 || layer >= layers)
    throw std::out_of_range("no layer " + std::to_string(layer) + " in a network of " +
                            std::to_string(layers));
}

}  // namespace

void check_group(const GroupConfig& cfg, const Dataset& train, const Dataset& val) {
  cfg.spec.validate();
  if (cfg.spec.classes > kMaxClasses)  // label kMaxClasses is kNoLabel
    throw InputError("a network of " + std::to_string(cfg.spec.classes) + " classes: at most " +
                     std::to_string(kMaxClasses));
  if (cfg.nets() < 1) throw InputError("the group needs at least one network");
  if (cfg.batch_size < 1) throw InputError("the batch size must be at least 1");
  if (const std::string problem = augment_shift_problem(cfg.augment_shift, cfg.spec.input);
      !problem.empty())
    throw InputError(problem);
  if (const std::string problem = label_smoothing_problem(cfg.label_smoothing); !problem.empty())
    throw InputError(problem);
  check_dataset(train, cfg.spec);
  check_dataset(val, cfg.spec);
}

void check_predict_args(const GroupConfig& cfg, int net, int count, const float* images) {
  if (net < 0 || net >= cfg.nets())
    throw std::out_of_range("no network " + std::to_string(net) + " in a group of " +
                            std::to_string(cfg.nets()));
  if (count < 0) throw std::out_of_range("negative image count " + std::to_string(count));
  if (count > 0 && !images) throw std::out_of_range("no images given");
}

void check_features_args(const GroupConfig& cfg, int net, int count, const float* images,
                         std::span<const int> layers, std::span<float* const> outs) {
  check_predict_args(cfg, net, count, images);
  if (layers.size() != outs.size())
    throw std::out_of_range("features: " + std::to_string(outs.size()) + " output buffers for " +
                            std::to_string(layers.size()) + " layers");
  for (int layer : layers) check_layer(cfg, layer);
  if (count > 0 && std::find(outs.begin(), outs.end(), nullptr) != outs.end())
    throw std::out_of_range("features: no output buffer");
}

void check_gradient_args(const GroupConfig& cfg, int net, int count, const float* images, int layer,
                         const int* units, int at, const float* dout) {
  if (count > 0 && !dout) throw std::out_of_range("layer_gradient: no output buffer");
  check_predict_args(cfg, net, count, images);
  check_layer(cfg, layer);
  if (count > 0 && !units) throw std::out_of_range("layer_gradient: no units given");
  if (at < -1 || at >= layer)
    throw std::out_of_range("layer_gradient: layer " + std::to_string(at) +
                            " is not the input (-1) or a layer below layer " +
                            std::to_string(layer));
  const bool last = layer + 1 == static_cast<int>(cfg.spec.layers.size());
  const int channels = cfg.spec.output_shapes()[static_cast<size_t>(layer)].c;
  for (int b = 0; b < count; ++b)
    if (units[b] < 0 || units[b] >= channels)
      throw std::out_of_range((last ? "class " : "channel ") + std::to_string(units[b]) +
                              " of image " + std::to_string(b) + " is outside " +
                              (last ? "the network's " : "its layer's ") +
                              std::to_string(channels) + (last ? " classes" : " channels"));
}

}  // namespace cs
