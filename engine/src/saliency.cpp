// Saliency maps from the backend's input gradient (see saliency.h).
#include "convscope/saliency.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "convscope/shuffle.h"

namespace cs {

namespace {

// A standard normal number from (seed, i) by Box-Muller on two splitmix64 uniforms: the same
// on every platform, unlike std::normal_distribution.
double normal(uint64_t seed, uint64_t i) {
  const uint64_t a = splitmix64(seed ^ splitmix64(2 * i)),
                 b = splitmix64(seed ^ splitmix64(2 * i + 1));
  const double u1 = (static_cast<double>(a >> 11) + 0.5) / 9007199254740992.0;  // (0, 1)
  const double u2 = static_cast<double>(b >> 11) / 9007199254740992.0;          // [0, 1)
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

int choose_class(Backend& backend, int net, const float* image, const SaliencyOptions& o,
                 int classes, std::vector<float>& logits) {
  backend.predict(net, image, 1, nullptr, logits.data());
  int c = -1;
  switch (o.target) {
    case SaliencyTarget::Predicted:
      return static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    case SaliencyTarget::True:
      c = o.label;
      break;
    case SaliencyTarget::Index:
      c = o.index;
      break;
  }
  if (c < 0 || c >= classes)
    throw std::invalid_argument("saliency: class " + std::to_string(c) + " is not one of the " +
                                std::to_string(classes) + " classes");
  return c;
}

}  // namespace

SaliencyMap compute_saliency(Backend& backend, int net, const float* image,
                             const SaliencyOptions& o) {
  const NetworkSpec& spec = backend.config().spec;
  const Shape3 shape = spec.input;
  const size_t size = static_cast<size_t>(shape.size()), plane = size / shape.c;
  if (o.method != SaliencyMethod::Vanilla && o.steps < 1)
    throw std::invalid_argument("saliency: steps must be at least 1");
  if (!(o.sigma_fraction >= 0.f)) throw std::invalid_argument("saliency: sigma must be >= 0");
  SaliencyMap m;
  m.height = shape.h;
  m.width = shape.w;
  std::vector<float> logits(static_cast<size_t>(spec.classes));
  m.target_class = choose_class(backend, net, image, o, spec.classes, logits);
  m.logit = logits[m.target_class];
  m.is_signed = o.method == SaliencyMethod::IntegratedGradients;

  const int n = o.method == SaliencyMethod::Vanilla ? 1 : o.steps;
  std::vector<float> batch(size * n);
  if (o.method == SaliencyMethod::SmoothGrad) {
    const auto [lo, hi] = std::minmax_element(image, image + size);
    const double sigma = o.sigma_fraction * (*hi > *lo ? *hi - *lo : 1.f);
    for (size_t i = 0; i < batch.size(); ++i)
      batch[i] = image[i % size] + static_cast<float>(sigma * normal(o.seed, i));
  } else if (o.method == SaliencyMethod::IntegratedGradients) {
    for (int k = 0; k < n; ++k) {
      const float a = (static_cast<float>(k) + 0.5f) / static_cast<float>(n);
      for (size_t p = 0; p < size; ++p) batch[k * size + p] = a * image[p];
    }
    const std::vector<float> black(size, 0.f);
    backend.predict(net, black.data(), 1, nullptr, logits.data());
    m.baseline_logit = logits[m.target_class];
  } else {
    std::copy(image, image + size, batch.begin());
  }
  const std::vector<int> classes(static_cast<size_t>(n), m.target_class);
  std::vector<float> grads(batch.size());
  const int last = static_cast<int>(spec.layers.size()) - 1;  // the class logits
  backend.input_gradient(net, batch.data(), n, last, classes.data(), grads.data());

  std::vector<double> mean(size, 0.0);
  for (int k = 0; k < n; ++k)
    for (size_t p = 0; p < size; ++p) mean[p] += grads[k * size + p];
  m.values.assign(plane, 0.f);
  for (size_t p = 0; p < size; ++p) {
    const double g = mean[p] / n;
    float& v = m.values[p % plane];
    if (m.is_signed)
      v += static_cast<float>(g * image[p]);  // (x - 0) * mean gradient, channels summed
    else
      v = std::max(v, static_cast<float>(std::abs(g)));
  }
  return m;
}

}  // namespace cs
