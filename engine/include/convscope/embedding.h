// A layer's embedding of validation images, for the app's Embedding view and convscope-cli embed:
// one network's outputs of one layer for images spread evenly over a set (so that a set sorted
// by class still shows every class), with their labels, the network's predictions and the
// outputs' projection on their two principal components (projection.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convscope/backend.h"
#include "convscope/projection.h"

namespace cs {

struct EmbeddingOptions {
  int layer = -1;  // a layer index; -1: the last before the output that is not a dropout
  int count = 2000;
  // At most this many values (images times the layer's outputs): a wide layer (a convolution's
  // thousands of outputs) takes fewer images, but at least min_images.
  long long max_values = 1LL << 21;
  int min_images = 50;
};

struct Embedding {
  int layer = 0;                           // the layer taken
  int dimensions = 0;                      // its outputs per image
  std::vector<int> images;                 // their indices in the set, ascending
  std::vector<uint8_t> labels, predicted;  // (images) each
  std::vector<float> features;             // (images, dimensions)
  Projection projection;
};

// The layer embed() takes for `asked` (see EmbeddingOptions::layer; past the last: the last).
int embedding_layer(const NetworkSpec& spec, int asked);

// Network `net` of `backend` on `images`. Throws Error (kind Divergence) when the layer's outputs
// are not all finite, invalid_argument for fewer than 2 images, and what the backend throws.
Embedding embed(Backend& backend, int net, const Dataset& images, const EmbeddingOptions& options);

// The CSV of an embedding, as convscope-cli embed and the app's Embedding view write it: a header
// and one row per image, image,label,predicted,pc1,pc2 and, with `features`, the layer's outputs
// f0, f1, ... (e.features must then hold them).
std::string embedding_csv(const Embedding& e, bool features);

}  // namespace cs
