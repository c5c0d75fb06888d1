// The Embedding view's request and answer, which cross the worker/UI thread boundary in queued
// signals, and the computation the training worker runs for it: cs::embed() of network 0 on the
// validation images.
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <string>
#include <vector>

#include "convscope/embedding.h"

struct EmbeddingRequest {
  int id = 0;
  // Index into the network's layers; -1: the last before the output that is not a dropout.
  int layer = -1;
  int count = 2000;  // validation images, spread over the set (cs::embed(): fewer for a wide layer)
};

struct EmbeddingResult {
  int id = 0;               // the request's
  QStringList layerNames;   // every layer of the network ("conv1", …)
  long long step = 0;       // the weights' (optimizer steps taken)
  std::string datasetName;  // the validation set's (its class names)
  int datasetCount = 0;     // and its size
  cs::Embedding embedding;  // the layer, the images, their labels, predictions, outputs, places
  double milliseconds = 0;
  QString error;  // set instead of the rest
};

Q_DECLARE_METATYPE(EmbeddingRequest)
Q_DECLARE_METATYPE(EmbeddingResult)

// Registers the types above for queued connections (idempotent).
void registerEmbeddingTypes();

// The CSV of `result` as convscope-cli embed --features writes it (cs::embedding_csv()).
std::string embeddingCsv(const EmbeddingResult& result);

// Answers `request` with network 0 of `backend` on the first images of `images`; an error when
// either is null (no network yet) or the backend fails.
EmbeddingResult computeEmbedding(cs::Backend* backend, const cs::Dataset* images,
                                 const EmbeddingRequest& request);
