#include "charts/embedding_types.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <exception>

#include "convscope/embedding.h"

void registerEmbeddingTypes() {
  qRegisterMetaType<EmbeddingRequest>();
  qRegisterMetaType<EmbeddingResult>();
}

std::string embeddingCsv(const EmbeddingResult& r) {
  return cs::embedding_csv(r.embedding, true);
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
    for (const std::string& name : backend->config().spec.layer_names())
      out.layerNames << QString::fromStdString(name);
    cs::EmbeddingOptions options;
    options.layer = request.layer;
    options.count = request.count;
    out.embedding = cs::embed(*backend, 0, *images, options);
    out.step = backend->step_count();
    out.datasetName = images->name;
    out.datasetCount = images->count;
  } catch (const std::exception& e) {
    out.error = QString::fromUtf8(e.what());
  }
  out.milliseconds = static_cast<double>(timer.nsecsElapsed()) / 1e6;
  return out;
}
