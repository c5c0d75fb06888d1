#include "convscope/dead_units.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cs {

namespace {

constexpr int kChunk = 256;

}  // namespace

DeadUnits dead_units(Backend& backend, int net, const Dataset& images, int count) {
  const NetworkSpec& spec = backend.config().spec;
  const std::vector<Shape3> shapes = spec.output_shapes();
  DeadUnits d;
  std::vector<std::vector<char>> alive;  // per ReLU layer, per unit
  for (size_t l = 0; l < spec.layers.size(); ++l)
    if (spec.layers[l].has_params() && spec.layers[l].activation == Activation::Relu) {
      d.layers.push_back(static_cast<int>(l));
      d.units.push_back(shapes[l].c);
      alive.emplace_back(static_cast<size_t>(shapes[l].c), 0);
    }
  const std::vector<int> sample = images.spread(count);
  if (sample.empty())
    throw std::invalid_argument("dead units need at least one image, got " +
                                std::to_string(sample.size()));
  d.images = static_cast<int>(sample.size());
  // One forward pass per chunk gives every ReLU layer's outputs.
  std::vector<std::vector<float>> out(d.layers.size());
  std::vector<float*> outs(d.layers.size());
  for (size_t first = 0; first < sample.size(); first += kChunk) {
    const std::vector<int> chunk(
        sample.begin() + static_cast<std::ptrdiff_t>(first),
        sample.begin() + static_cast<std::ptrdiff_t>(std::min(sample.size(), first + kChunk)));
    const std::vector<float> x = images.inputs(chunk);
    const int n = static_cast<int>(chunk.size());
    for (size_t k = 0; k < d.layers.size(); ++k) {
      out[k].resize(static_cast<size_t>(n) * shapes[static_cast<size_t>(d.layers[k])].size());
      outs[k] = out[k].data();
    }
    backend.features(net, x.data(), n, d.layers, outs);
    for (size_t k = 0; k < d.layers.size(); ++k) {
      const Shape3 shape = shapes[static_cast<size_t>(d.layers[k])];
      const size_t places = static_cast<size_t>(shape.h) * shape.w;
      for (int b = 0; b < n; ++b)
        for (int c = 0; c < shape.c; ++c) {
          if (alive[k][static_cast<size_t>(c)]) continue;
          const float* v = out[k].data() + (static_cast<size_t>(b) * shape.c + c) * places;
          alive[k][static_cast<size_t>(c)] =
              std::any_of(v, v + places, [](float y) { return y > 0; });
        }
    }
  }
  for (const std::vector<char>& a : alive)
    d.dead.push_back(static_cast<int>(std::count(a.begin(), a.end(), 0)));
  return d;
}

}  // namespace cs
