#include "network/class_model_types.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <exception>

#include "convscope/class_model.h"
#include "convscope/pixels.h"
#include "widgets/planar_image.h"

std::vector<uint8_t> ClassModelsResult::bytes(int c) const {
  const size_t size = static_cast<size_t>(channels) * height * width;
  const auto first = pixels.begin() + static_cast<std::ptrdiff_t>(c * size);
  return {first, first + static_cast<std::ptrdiff_t>(size)};
}

QImage ClassModelsResult::image(int c) const {
  const cs::Shape3 shape{channels, height, width};
  return planarImage(pixels.data() + static_cast<size_t>(c) * shape.size(), shape);
}

void registerClassModelTypes() {
  qRegisterMetaType<ClassModelsRequest>();
  qRegisterMetaType<ClassModelsResult>();
}

ClassModelsResult computeClassModels(cs::Backend* backend, const std::string& datasetName,
                                     const ClassModelsRequest& request) {
  ClassModelsResult out;
  out.id = request.id;
  if (!backend) {
    out.error = QCoreApplication::translate("ClassModelsView", "Train or load a network first.");
    return out;
  }
  QElapsedTimer timer;
  timer.start();
  try {
    const cs::NetworkSpec& spec = backend->config().spec;
    for (const std::string& name : spec.layer_names())
      out.layerNames << QString::fromStdString(name);
    for (size_t i = 0; i + 1 < spec.layers.size(); ++i)
      if (spec.layers[i].kind != cs::LayerKind::Dropout) out.hiddenLayers << static_cast<int>(i);
    cs::ClassModelOptions options;  // a layer this network has not (another run's): the classes
    options.layer = out.hiddenLayers.contains(request.layer) ? request.layer : -1;
    options.steps = request.steps;
    const cs::ClassModels m = cs::class_models(*backend, 0, options);
    out.layer = m.layer;
    out.ofClasses = m.of_classes;
    out.ofUnits = spec.layers[static_cast<size_t>(m.layer)].kind == cs::LayerKind::Dense;
    out.channels = m.shape.c;
    out.height = m.shape.h;
    out.width = m.shape.w;
    out.pixels = cs::pixel_bytes(m.images.data(), m.images.size());
    for (int u = 0; u < m.units; ++u) {
      const int predicted = m.predicted[static_cast<size_t>(u)];
      out.score.push_back(m.score[static_cast<size_t>(u)]);
      out.predicted.push_back(predicted);
      out.probability.push_back(
          m.probs[static_cast<size_t>(u) * m.classes + (m.of_classes ? u : predicted)]);
    }
    out.step = backend->step_count();
    out.datasetName = datasetName;
  } catch (const std::exception& e) {
    out.error = QString::fromUtf8(e.what());
  }
  out.milliseconds = static_cast<double>(timer.nsecsElapsed()) / 1e6;
  return out;
}
