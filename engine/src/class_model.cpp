// Class models by regularised gradient ascent on the input (see class_model.h).
#include "convscope/class_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "convscope/error.h"
#include "convscope/shuffle.h"

namespace cs {

namespace {

void check_options(const ClassModelOptions& o, const Shape3& shape) {
  if (o.steps < 1) throw std::invalid_argument("class models: steps must be at least 1");
  if (!(o.noise >= 0.f && o.noise <= 1.f))
    throw std::invalid_argument("class models: the noise must lie in [0, 1]");
  if (!(o.rate > 0.f) || !std::isfinite(o.rate))
    throw std::invalid_argument("class models: the rate must be a positive number");
  if (!(o.decay >= 0.f && o.decay < 1.f))
    throw std::invalid_argument("class models: the decay must lie in [0, 1)");
  if (o.blur_every < 0) throw std::invalid_argument("class models: blur_every must be >= 0");
  if (o.batch < 1) throw std::invalid_argument("class models: batch must be at least 1");
  if (o.jitter < 0 || o.jitter >= (std::min(shape.h, shape.w) + 1) / 2)
    throw std::invalid_argument("class models: a jitter of " + std::to_string(o.jitter) +
                                " pixels does not fit " + std::to_string(shape.h) + "x" +
                                std::to_string(shape.w) + " images");
}

// to[c][y][x] = from[c][y - dy][x - dx] for every plane of `images` images; 0 where that falls
// outside. With (-dy, -dx) it moves a shifted image's gradient back.
void shift(const float* from, float* to, int images, const Shape3& s, int dy, int dx) {
  const int planes = images * s.c;
  for (int p = 0; p < planes; ++p) {
    const float* src = from + static_cast<size_t>(p) * s.h * s.w;
    float* dst = to + static_cast<size_t>(p) * s.h * s.w;
    for (int y = 0; y < s.h; ++y)
      for (int x = 0; x < s.w; ++x) {
        const int sy = y - dy, sx = x - dx;
        dst[y * s.w + x] = sy >= 0 && sy < s.h && sx >= 0 && sx < s.w ? src[sy * s.w + sx] : 0.f;
      }
  }
}

// A 3x3 binomial blur (1 2 1 / 2 4 2 / 1 2 1) / 16 of every plane, the weights of the
// neighbours inside the plane renormalised at its edges.
void blur(float* images, int planes, int h, int w) {
  static constexpr float kWeight[3] = {1.f, 2.f, 1.f};
  std::vector<float> plane(static_cast<size_t>(h) * w);
  for (int p = 0; p < planes; ++p) {
    float* v = images + static_cast<size_t>(p) * h * w;
    std::copy(v, v + plane.size(), plane.begin());
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        float sum = 0.f, weights = 0.f;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) {
            const int yy = y + dy, xx = x + dx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            const float k = kWeight[dy + 1] * kWeight[dx + 1];
            sum += k * plane[static_cast<size_t>(yy) * w + xx];
            weights += k;
          }
        v[y * w + x] = sum / weights;
      }
  }
}

}  // namespace

PixelShift class_model_jitter(uint64_t seed, int step, int jitter) {
  const uint64_t r = splitmix64(seed ^ splitmix64(static_cast<uint64_t>(step))),
                 span = 2 * static_cast<uint64_t>(jitter) + 1;
  return {static_cast<int>(r % span) - jitter, static_cast<int>((r >> 32) % span) - jitter};
}

ClassModels class_models(Backend& backend, int net, const ClassModelOptions& o) {
  const NetworkSpec& spec = backend.config().spec;
  const Shape3 s = spec.input;
  const int layers = static_cast<int>(spec.layers.size());
  if (o.layer < -1 || o.layer >= layers)
    throw std::invalid_argument("class models: no layer " + std::to_string(o.layer) +
                                " in a network of " + std::to_string(layers));
  check_options(o, s);
  ClassModels m;
  m.layer = o.layer < 0 ? layers - 1 : o.layer;
  m.of_classes = m.layer == layers - 1;
  const Shape3 out = spec.output_shapes()[static_cast<size_t>(m.layer)];
  m.units = out.c;
  m.classes = spec.classes;
  m.shape = s;
  const size_t size = static_cast<size_t>(s.size());
  m.images.resize(static_cast<size_t>(m.units) * size);
  const uint64_t stream = splitmix64(~o.seed);  // apart from the jitter's splitmix64(seed ^ .)
  for (size_t i = 0; i < m.images.size(); ++i)  // 53 random bits: [0, 1) times the noise
    m.images[i] = static_cast<float>(static_cast<double>(splitmix64(stream ^ i) >> 11) /
                                     9007199254740992.0 * o.noise);
  m.probs.resize(static_cast<size_t>(m.units) * m.classes);
  // The images go to the backend a batch at a time, each batch through every step: at most
  // `o.batch` images, and fewer where the network's widest layer would make a batch's maps hold
  // more than kBatchValues values. A wide layer needs no more memory than such a batch's passes
  // (and the batch's outputs of the layer).
  constexpr long long kBatchValues = 1LL << 22;
  long long widest = 1;
  for (const Shape3& shape : spec.output_shapes())
    widest = std::max<long long>(widest, shape.size());
  const int batch = static_cast<int>(
      std::min<long long>({o.batch, m.units, std::max(1LL, kBatchValues / widest)}));
  std::vector<float> moved(batch * size), dmoved(batch * size), dx(batch * size);
  std::vector<float> outputs(static_cast<size_t>(batch) * out.size());
  std::vector<int> units(static_cast<size_t>(batch));
  for (int first = 0; first < m.units; first += batch) {
    const int k = std::min(batch, m.units - first);
    float* images = m.images.data() + static_cast<size_t>(first) * size;
    for (int u = 0; u < k; ++u) units[static_cast<size_t>(u)] = first + u;
    for (int step = 0; step < o.steps; ++step) {
      const PixelShift j = class_model_jitter(o.seed, step, o.jitter);
      shift(images, moved.data(), k, s, j.dy, j.dx);
      backend.input_gradient(net, moved.data(), k, m.layer, units.data(), dmoved.data());
      shift(dmoved.data(), dx.data(), k, s, -j.dy, -j.dx);
      for (int u = 0; u < k; ++u) {
        float* x = images + static_cast<size_t>(u) * size;
        const float* g = dx.data() + static_cast<size_t>(u) * size;
        double squares = 0;
        for (size_t i = 0; i < size; ++i) squares += static_cast<double>(g[i]) * g[i];
        if (!std::isfinite(squares))
          throw Error(
              ErrorKind::Divergence,
              std::string(m.of_classes ? "the gradient of class " : "the gradient of channel ") +
                  std::to_string(first + u) + "'s score is not finite: the network has diverged");
        const double rms = std::sqrt(squares / static_cast<double>(size));
        const float scale = rms > 0 ? static_cast<float>(o.rate / rms) : 0.f;
        for (size_t i = 0; i < size; ++i)
          x[i] = std::clamp(x[i] + scale * g[i] - o.decay * x[i], 0.f, 1.f);
      }
      if (o.blur_every > 0 && (step + 1) % o.blur_every == 0) blur(images, k * s.c, s.h, s.w);
    }
    // The objectives reached (each channel's mean over its places: the logit for the classes)
    // and what the network makes of the images.
    const size_t places = static_cast<size_t>(out.h) * out.w;
    backend.features(net, images, k, m.layer, outputs.data());
    float* probs = m.probs.data() + static_cast<size_t>(first) * m.classes;
    backend.predict(net, images, k, probs, nullptr);
    for (int u = 0; u < k; ++u) {
      const float* channel = outputs.data() + static_cast<size_t>(u) * out.size() +
                             static_cast<size_t>(first + u) * places;
      double sum = 0;
      for (size_t p = 0; p < places; ++p) sum += channel[p];
      m.score.push_back(static_cast<float>(sum / static_cast<double>(places)));
      const float* p = probs + static_cast<size_t>(u) * m.classes;
      m.predicted.push_back(static_cast<uint8_t>(std::max_element(p, p + m.classes) - p));
    }
  }
  return m;
}

}  // namespace cs
