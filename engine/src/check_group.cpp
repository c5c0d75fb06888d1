// check_group(): the one validation of a group and its data (see backend.h).
#include <algorithm>
#include <stdexcept>
#include <string>

#include "convscope/augment.h"
#include "convscope/backend.h"
#include "convscope/label_smoothing.h"

namespace cs {

namespace {

std::string shape_text(Shape3 s) {
  return std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w);
}

void check_dataset(const Dataset& d, const NetworkSpec& spec) {
  const auto fail = [&d](const std::string& what) {
    throw InputError("dataset '" + d.name + "' " + what);
  };
  if (d.count < 1) fail("is empty");
  if (d.shape != spec.input)
    fail("has " + shape_text(d.shape) + " images but the network expects " +
         shape_text(spec.input));
  if (d.images.size() != static_cast<size_t>(d.count) * static_cast<size_t>(d.shape.size()) ||
      d.labels.size() != static_cast<size_t>(d.count))
    fail("has inconsistent sizes");
  const int top = *std::max_element(d.labels.begin(), d.labels.end());
  if (top >= spec.classes)
    fail("has label " + std::to_string(top) + " but the network has " +
         std::to_string(spec.classes) + " classes");
}

}  // namespace

void check_group(const GroupConfig& cfg, const Dataset& train, const Dataset& val) {
  cfg.spec.validate();
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

void check_predict_args(const GroupConfig& cfg, int net, int count, const float* images,
                        const int* classes) {
  if (net < 0 || net >= cfg.nets())
    throw std::out_of_range("no network " + std::to_string(net) + " in a group of " +
                            std::to_string(cfg.nets()));
  if (count < 0) throw std::out_of_range("negative image count " + std::to_string(count));
  if (count > 0 && !images) throw std::out_of_range("no images given");
  if (!classes) return;
  for (int b = 0; b < count; ++b)
    if (classes[b] < 0 || classes[b] >= cfg.spec.classes)
      throw std::out_of_range("class " + std::to_string(classes[b]) + " of image " +
                              std::to_string(b) + " is outside the network's " +
                              std::to_string(cfg.spec.classes) + " classes");
}

void check_features_args(const GroupConfig& cfg, int net, int count, const float* images, int layer,
                         const float* out) {
  check_predict_args(cfg, net, count, images, nullptr);
  const int layers = static_cast<int>(cfg.spec.layers.size());
  if (layer < 0 || layer >= layers)
    throw std::out_of_range("no layer " + std::to_string(layer) + " in a network of " +
                            std::to_string(layers));
  if (count > 0 && !out) throw std::out_of_range("features: no output buffer");
}

}  // namespace cs
