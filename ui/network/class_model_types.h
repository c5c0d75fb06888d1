// The Class models view's request and answer, which cross the worker/UI thread boundary in queued
// signals, and the computation the training worker runs for it: cs::class_models() of network 0.
#pragma once

#include <QImage>
#include <QMetaType>
#include <QString>
#include <cstdint>
#include <string>
#include <vector>

namespace cs {
class Backend;
}

struct ClassModelsRequest {
  int id = 0;
  int steps = 200;  // gradient ascent steps
};

struct ClassModelsResult {
  int id = 0;                               // the request's
  long long step = 0;                       // the weights' (optimizer steps taken)
  std::string datasetName;                  // the validation set's (its class names)
  int channels = 0, height = 0, width = 0;  // one image's shape
  std::vector<uint8_t> pixels;              // (classes, C, H, W): round(255 x [0, 1])
  std::vector<float> probability;  // (classes) the network's probability of class c on image c
  std::vector<int> predicted;      // (classes) the class it takes image c for
  double milliseconds = 0;
  QString error;  // set instead of the rest

  int classes() const { return static_cast<int>(probability.size()); }
  // Class c's pixels, as the probe takes an image.
  std::vector<uint8_t> bytes(int c) const;
  // Class c's image as the app shows validation images: its first channel in gray, or RGB when it
  // has three.
  QImage image(int c) const;
};

Q_DECLARE_METATYPE(ClassModelsRequest)
Q_DECLARE_METATYPE(ClassModelsResult)

// Registers the types above for queued connections (idempotent).
void registerClassModelTypes();

// Answers `request` with network 0 of `backend` (validation set `datasetName`); an error when the
// backend is null (no network yet) or fails.
ClassModelsResult computeClassModels(cs::Backend* backend, const std::string& datasetName,
                                     const ClassModelsRequest& request);
