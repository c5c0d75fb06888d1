#include "convscope/embedding.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include "convscope/error.h"

namespace cs {

int embedding_layer(const NetworkSpec& spec, int asked) {
  const int layers = static_cast<int>(spec.layers.size());
  if (asked >= 0) return std::min(asked, layers - 1);
  int layer = std::max(0, layers - 2);
  while (layer > 0 && spec.layers[static_cast<size_t>(layer)].kind == LayerKind::Dropout) --layer;
  return layer;
}

Embedding embed(Backend& backend, int net, const Dataset& images, const EmbeddingOptions& options) {
  const NetworkSpec& spec = backend.config().spec;
  Embedding e;
  e.layer = embedding_layer(spec, options.layer);
  e.dimensions = spec.output_shapes()[static_cast<size_t>(e.layer)].size();
  const long long fit = std::max<long long>(options.min_images, options.max_values / e.dimensions);
  const int count = static_cast<int>(std::min<long long>({options.count, images.count, fit}));
  if (count < 2)
    throw std::invalid_argument("an embedding needs at least 2 images, got " +
                                std::to_string(count));
  e.images = images.spread(count);
  const std::vector<float> x = images.inputs(e.images);
  e.features.resize(static_cast<size_t>(count) * e.dimensions);
  backend.features(net, x.data(), count, e.layer, e.features.data());
  if (!std::all_of(e.features.begin(), e.features.end(), [](float v) { return std::isfinite(v); }))
    throw Error(ErrorKind::Divergence, spec.layer_names()[static_cast<size_t>(e.layer)] +
                                           "'s outputs are not all finite: the network has "
                                           "diverged");
  std::vector<float> probs(static_cast<size_t>(count) * spec.classes);
  backend.predict(net, x.data(), count, probs.data(), nullptr);
  if (!std::all_of(probs.begin(), probs.end(), [](float v) { return std::isfinite(v); }))
    throw Error(ErrorKind::Divergence,
                "the network's outputs are not all finite: the network has diverged");
  for (int k = 0; k < count; ++k) {
    const float* p = probs.data() + static_cast<size_t>(k) * spec.classes;
    e.predicted.push_back(static_cast<uint8_t>(std::max_element(p, p + spec.classes) - p));
    e.labels.push_back(images.labels[static_cast<size_t>(e.images[static_cast<size_t>(k)])]);
  }
  e.projection = project_pca(e.features, count, e.dimensions);
  return e;
}

std::string embedding_csv(const Embedding& e, bool features) {
  std::ostringstream out;
  out << "image,label,predicted,pc1,pc2";
  if (features)
    for (int j = 0; j < e.dimensions; ++j) out << ",f" << j;
  out << '\n';
  for (size_t i = 0; i < e.images.size(); ++i) {
    out << e.images[i] << ',' << int(e.labels[i]) << ',' << int(e.predicted[i]) << ','
        << e.projection.xy[i * 2] << ',' << e.projection.xy[i * 2 + 1];
    if (features)
      for (int j = 0; j < e.dimensions; ++j)
        out << ',' << e.features[i * static_cast<size_t>(e.dimensions) + static_cast<size_t>(j)];
    out << '\n';
  }
  return out.str();
}

}  // namespace cs
