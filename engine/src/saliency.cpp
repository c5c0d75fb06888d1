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
                 int classes, std::vector<float>& probs, std::vector<float>& logits) {
  backend.predict(net, image, 1, probs.data(), logits.data());
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

// Where an axis of `extent` pixels places the squares' first pixels: every position, or
// kOcclusionPositions of them evenly spaced, the first and the last included.
std::vector<int> occlusion_positions(int extent, int patch) {
  const int all = extent - patch + 1;
  const int n = std::min(all, kOcclusionPositions);
  std::vector<int> at(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    at[i] = n == 1 ? 0 : static_cast<int>((static_cast<long long>(i) * (all - 1)) / (n - 1));
  return at;
}

// Occlusion (see saliency.h): m.target_class already set.
void occlude(Backend& backend, int net, const float* image, const Shape3& shape, int patch,
             SaliencyMap& m) {
  const std::vector<int> ys = occlusion_positions(shape.h, patch),
                         xs = occlusion_positions(shape.w, patch);
  const int columns = static_cast<int>(xs.size()), windows = static_cast<int>(ys.size()) * columns;
  const int classes = backend.config().spec.classes;
  const size_t size = static_cast<size_t>(shape.size()), plane = size / shape.c;
  // Window i's square: rows y0..y0 + patch - 1 and columns x0..x0 + patch - 1 of every channel.
  const auto each_pixel = [&](int i, auto f) {
    const int y0 = ys[i / columns], x0 = xs[i % columns];
    for (int y = y0; y < y0 + patch; ++y)
      for (int x = x0; x < x0 + patch; ++x) f(static_cast<size_t>(y) * shape.w + x);
  };
  std::vector<double> fall(plane, 0.0), covered(plane, 0.0);
  std::vector<float> batch, probs;
  // Each batch starts with the image itself, the baseline of its squares: a square over pixels
  // that are already 0 then falls by exactly 0, whatever a backend's results do with the batch
  // size (an algorithm chosen per batch size).
  for (int first = 0; first < windows; first += kOcclusionBatch - 1) {
    const int n = std::min(kOcclusionBatch - 1, windows - first);
    batch.resize(size * (n + 1));
    probs.resize(static_cast<size_t>(n + 1) * classes);
    std::copy(image, image + size, batch.begin());
    for (int k = 0; k < n; ++k) {
      float* x = batch.data() + (k + 1) * size;
      std::copy(image, image + size, x);
      each_pixel(first + k, [&](size_t p) {
        for (int c = 0; c < shape.c; ++c) x[c * plane + p] = 0.f;
      });
    }
    backend.predict(net, batch.data(), n + 1, probs.data(), nullptr);
    const double base = probs[m.target_class];
    for (int k = 0; k < n; ++k) {
      const double d = base - probs[(k + 1) * classes + m.target_class];
      each_pixel(first + k, [&](size_t p) {
        fall[p] += d;
        covered[p] += 1;
      });
    }
  }
  m.values.assign(plane, 0.f);
  for (size_t p = 0; p < plane; ++p)
    if (covered[p] > 0) m.values[p] = static_cast<float>(fall[p] / covered[p]);
}

// GradCam (see saliency.h): m.target_class already set.
void grad_cam(Backend& backend, int net, const float* image, int layer, SaliencyMap& m) {
  const NetworkSpec& spec = backend.config().spec;
  const Shape3 at = spec.output_shapes()[static_cast<size_t>(layer)];
  const size_t places = static_cast<size_t>(at.h) * at.w;
  std::vector<float> a(places * at.c), da(a.size());
  backend.features(net, image, 1, layer, a.data());
  const int last = static_cast<int>(spec.layers.size()) - 1;  // the class logits
  backend.layer_gradient(net, image, 1, last, &m.target_class, layer, da.data());
  // a_k = mean of d logit / dA_k; the map ReLU(sum_k a_k A_k) at the layer's resolution.
  std::vector<float> map(places, 0.f);
  for (int k = 0; k < at.c; ++k) {
    const float* dk = da.data() + k * places;
    const float* ak = a.data() + k * places;
    double alpha = 0;
    for (size_t p = 0; p < places; ++p) alpha += dk[p];
    alpha /= static_cast<double>(places);
    for (size_t p = 0; p < places; ++p) map[p] += static_cast<float>(alpha * ak[p]);
  }
  for (float& v : map) v = std::max(v, 0.f);
  m.layer = layer;
  m.values = resize_bilinear(map.data(), at.h, at.w, m.height, m.width);
}

}  // namespace

std::vector<int> grad_cam_layers(const NetworkSpec& spec) {
  const std::vector<Shape3> shapes = spec.output_shapes();
  std::vector<int> layers;
  for (size_t i = 0; i + 1 < shapes.size(); ++i)
    if (static_cast<long long>(shapes[i].h) * shapes[i].w > 1)
      layers.push_back(static_cast<int>(i));
  return layers;
}

int default_grad_cam_layer(const NetworkSpec& spec) {
  int chosen = -1;
  for (int i : grad_cam_layers(spec))
    if (spec.layers[static_cast<size_t>(i)].kind == LayerKind::Conv2d) chosen = i;
  return chosen;
}

std::vector<float> resize_bilinear(const float* map, int h, int w, int H, int W) {
  // Where output index i of n samples the input axis of m: its centre, held inside the edges.
  const auto source = [](int i, int n, int m, int* i0, int* i1, float* f) {
    const double s = std::clamp((i + 0.5) * m / n - 0.5, 0.0, static_cast<double>(m - 1));
    *i0 = static_cast<int>(s);
    *i1 = std::min(*i0 + 1, m - 1);
    *f = static_cast<float>(s - *i0);
  };
  std::vector<float> out(static_cast<size_t>(H) * W);
  for (int y = 0; y < H; ++y) {
    int y0, y1, x0, x1;
    float fy, fx;
    source(y, H, h, &y0, &y1, &fy);
    for (int x = 0; x < W; ++x) {
      source(x, W, w, &x0, &x1, &fx);
      const auto at = [&](int yy, int xx) { return map[static_cast<size_t>(yy) * w + xx]; };
      const float top = at(y0, x0) + fx * (at(y0, x1) - at(y0, x0));
      const float bottom = at(y1, x0) + fx * (at(y1, x1) - at(y1, x0));
      out[static_cast<size_t>(y) * W + x] = top + fy * (bottom - top);
    }
  }
  return out;
}

int check_saliency_options(const NetworkSpec& spec, const SaliencyOptions& o) {
  const Shape3 shape = spec.input;
  if ((o.method == SaliencyMethod::SmoothGrad || o.method == SaliencyMethod::IntegratedGradients) &&
      o.steps < 1)
    throw std::invalid_argument("saliency: steps must be at least 1");
  if (!(o.sigma_fraction >= 0.f)) throw std::invalid_argument("saliency: sigma must be >= 0");
  if (o.method == SaliencyMethod::Occlusion &&
      (o.patch < 1 || o.patch > std::min(shape.h, shape.w)))
    throw std::invalid_argument("saliency: an occlusion patch of " + std::to_string(o.patch) +
                                " pixels does not fit the " + std::to_string(shape.h) + "x" +
                                std::to_string(shape.w) + " image");
  int cam_layer = -1;
  if (o.method == SaliencyMethod::GradCam) {
    const std::vector<int> layers = grad_cam_layers(spec);
    cam_layer = o.layer < 0 ? default_grad_cam_layer(spec) : o.layer;
    if (cam_layer < 0)
      throw std::invalid_argument("saliency: Grad-CAM needs a convolution; the network has none");
    if (std::find(layers.begin(), layers.end(), cam_layer) == layers.end())
      throw std::invalid_argument(
          "saliency: Grad-CAM needs a layer with a map of several places below the output; " +
          (cam_layer < static_cast<int>(spec.layers.size())
               ? "layer " + spec.layer_names()[static_cast<size_t>(cam_layer)] + " is not one"
               : "the network has no layer " + std::to_string(cam_layer)));
  }
  return cam_layer;
}

SaliencyMap compute_saliency(Backend& backend, int net, const float* image,
                             const SaliencyOptions& o) {
  const NetworkSpec& spec = backend.config().spec;
  const Shape3 shape = spec.input;
  const size_t size = static_cast<size_t>(shape.size()), plane = size / shape.c;
  const int cam_layer = check_saliency_options(spec, o);
  SaliencyMap m;
  m.height = shape.h;
  m.width = shape.w;
  std::vector<float> probs(static_cast<size_t>(spec.classes)), logits(probs.size());
  m.target_class = choose_class(backend, net, image, o, spec.classes, probs, logits);
  m.logit = logits[m.target_class];
  m.probability = probs[m.target_class];
  m.is_signed =
      o.method == SaliencyMethod::IntegratedGradients || o.method == SaliencyMethod::Occlusion;
  if (o.method == SaliencyMethod::Occlusion) {
    occlude(backend, net, image, shape, o.patch, m);
    return m;
  }
  if (o.method == SaliencyMethod::GradCam) {
    grad_cam(backend, net, image, cam_layer, m);
    return m;
  }

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
