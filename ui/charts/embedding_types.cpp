#include "charts/embedding_types.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <algorithm>
#include <cmath>
#include <exception>
#include <initializer_list>
#include <stdexcept>

#include "convscope/backend.h"
#include "convscope/projection.h"

void registerEmbeddingTypes() {
  qRegisterMetaType<EmbeddingRequest>();
  qRegisterMetaType<EmbeddingResult>();
}

EmbeddingResult computeEmbedding(cs::Backend* backend, const cs::Dataset* images,
                                 const EmbeddingRequest& request) {
  EmbeddingResult out;
  out.id = request.id;
  if (!backend || !images) {
    out.error = QCoreApplication::translate("EmbeddingView", "Train or load a network first.");
    return out;
  }
  QElapsedTimer timer;
  timer.start();
  try {
    const cs::NetworkSpec& spec = backend->config().spec;
    const std::vector<cs::Shape3> shapes = spec.output_shapes();
    const int layers = static_cast<int>(shapes.size());
    for (const std::string& name : spec.layer_names())
      out.layerNames << QString::fromStdString(name);
    out.layer = std::min(request.layer, layers - 1);
    if (request.layer < 0) {  // the last before the output that is not a dropout (a copy)
      out.layer = std::max(0, layers - 2);
      while (out.layer > 0 &&
             spec.layers[static_cast<size_t>(out.layer)].kind == cs::LayerKind::Dropout)
        --out.layer;
    }
    out.dimensions = shapes[static_cast<size_t>(out.layer)].size();
    // A wide layer (a convolution's thousands of outputs) takes fewer images: the projection's
    // time grows with their values, and the worker trains on only after it.
    const int count =
        std::min({request.count, images->count,
                  std::max(kMinEmbeddingImages, kMaxEmbeddingValues / out.dimensions)});
    const int size = images->shape.size();
    if (count < 2) throw std::invalid_argument("fewer than 2 validation images");
    // Spread over the set: a set sorted by class still shows every class.
    const int stride = images->count / count;
    std::vector<float> x(static_cast<size_t>(count) * size);
    for (int k = 0; k < count; ++k) {
      out.images.push_back(k * stride);
      const uint8_t* image = images->image(k * stride);
      for (int p = 0; p < size; ++p)
        x[static_cast<size_t>(k) * size + p] = static_cast<float>(image[p]) / 255.f;
    }
    std::vector<float> features(static_cast<size_t>(count) * out.dimensions);
    backend->features(0, x.data(), count, out.layer, features.data());
    if (!std::all_of(features.begin(), features.end(), [](float v) { return std::isfinite(v); }))
      throw std::domain_error(out.layerNames.value(out.layer).toStdString() +
                              "'s outputs are not all finite: the network has diverged");
    std::vector<float> probs(static_cast<size_t>(count) * spec.classes);
    backend->predict(0, x.data(), count, probs.data(), nullptr);
    for (int i = 0; i < count; ++i) {
      const float* p = probs.data() + static_cast<size_t>(i) * spec.classes;
      out.predicted.push_back(static_cast<uint8_t>(std::max_element(p, p + spec.classes) - p));
      out.labels.push_back(images->labels[static_cast<size_t>(out.images[i])]);
    }
    const cs::Projection projection = cs::project_pca(features, count, out.dimensions);
    out.xy = projection.xy;
    out.explained = projection.explained;
    out.step = backend->step_count();
    out.datasetName = images->name;
    out.datasetCount = images->count;
  } catch (const std::exception& e) {
    out.error = QString::fromUtf8(e.what());
  }
  out.milliseconds = static_cast<double>(timer.nsecsElapsed()) / 1e6;
  return out;
}
