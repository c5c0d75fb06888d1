// The Class models view's request and answer, which cross the worker/UI thread boundary in queued
// signals, and the computation the training worker runs for it: cs::class_models() of network 0,
// for the classes or for each channel of a hidden layer.
#pragma once

#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <string>
#include <vector>

namespace cs {
class Backend;
}

struct ClassModelsRequest {
  int id = 0;
  int layer = -1;   // -1: the classes; else a hidden layer whose channels are taken (one that is
                    // not, in the network the worker has, gives the classes)
  int steps = 200;  // gradient ascent steps
};

struct ClassModelsResult {
  int id = 0;               // the request's
  long long step = 0;       // the weights' (optimizer steps taken)
  std::string datasetName;  // the validation set's (its class names)
  QStringList layerNames;   // every layer of the network ("conv1", …)
  QList<int> hiddenLayers;  // those whose channels can be shown: not the output, not a dropout
  int layer = 0;            // the layer taken
  bool ofClasses = false;   // whether it is the output layer: the classes
  bool ofUnits = false;     // whether it is a dense layer: units, not channels
  int channels = 0, height = 0, width = 0;  // one image's shape
  std::vector<uint8_t> pixels;              // (units, C, H, W): round(255 x [0, 1])
  std::vector<float> score;                 // (units) image u's objective: a logit, a mean output
  std::vector<int> predicted;               // (units) the class the network takes image u for
  std::vector<float> probability;  // (units) of class u (the classes), else of predicted[u]
  double milliseconds = 0;
  QString error;  // set instead of the rest

  // Images: one per class, or per channel of the layer.
  int units() const { return static_cast<int>(score.size()); }
  // Image u's pixels, as the probe takes an image.
  std::vector<uint8_t> bytes(int u) const;
  // Image u as the app shows validation images: its first channel in gray, or RGB when it has
  // three.
  QImage image(int u) const;
};

Q_DECLARE_METATYPE(ClassModelsRequest)
Q_DECLARE_METATYPE(ClassModelsResult)

// Registers the types above for queued connections (idempotent).
void registerClassModelTypes();

// Answers `request` with network 0 of `backend` (validation set `datasetName`); an error when the
// backend is null (no network yet) or fails.
ClassModelsResult computeClassModels(cs::Backend* backend, const std::string& datasetName,
                                     const ClassModelsRequest& request);
