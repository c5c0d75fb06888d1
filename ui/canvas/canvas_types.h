// Value types of the drawing canvas and the saliency view that cross the worker/UI thread
// boundary in queued signals: a request carries its own copy of the image, a result its own
// copy of the numbers.
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <vector>

#include "convscope/saliency.h"

// The live network's answer for one image (predictDigit).
struct DigitPrediction {
  int id = 0;                // the request's
  std::vector<float> probs;  // (classes) softmax; empty with `error` set
  double milliseconds = 0;   // time spent in Backend::predict
  QString error;
};

// One saliency map to compute (computeSaliency): the image is (C, H, W) in [0, 1].
struct SaliencyRequest {
  int id = 0;
  std::vector<float> image;
  cs::SaliencyOptions options;
};

struct SaliencyResult {
  int id = 0;
  std::vector<float> image;                                 // the request's
  cs::SaliencyMethod method = cs::SaliencyMethod::Vanilla;  // the request's
  // The network's layers Grad-CAM can weigh (cs::grad_cam_layers), by index and name, and the
  // one it weighs by default: for the view's layer list. None without a network (`network`).
  bool network = false;
  std::vector<int> camLayers;
  QStringList camLayerNames;
  int defaultCamLayer = -1;
  cs::SaliencyMap map;       // empty values with `error` set
  std::vector<float> probs;  // the network's softmax on the image
  double milliseconds = 0;
  QString error;
};

Q_DECLARE_METATYPE(DigitPrediction)
Q_DECLARE_METATYPE(SaliencyRequest)
Q_DECLARE_METATYPE(SaliencyResult)

// Registers the types above for queued connections (idempotent).
void registerCanvasTypes();
