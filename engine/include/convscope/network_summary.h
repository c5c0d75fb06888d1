// A network's summary, layer by layer, as Keras's model.summary() (shapes, parameters) and
// torchinfo (multiply-adds too) give it, and what one image costs to train.
//
// Multiply-adds count a convolution's (its outputs x its input channels x k x k) and a dense
// layer's (inputs x outputs); pools, activations, dropout and the loss are left out. Training an
// image costs its forward pass, each weight gradient (as many as the layer's forward) and each
// input gradient (as many again) that a layer with parameters below it needs: none for the first
// such layer.
#pragma once

#include <string>
#include <vector>

#include "convscope/spec.h"

namespace cs {

struct LayerSummary {
  std::string name;         // "conv1" (NetworkSpec::layer_names)
  std::string description;  // "conv 5x5x8 relu" (describe)
  Shape3 out;               // its output
  long long params = 0;
  long long macs = 0;        // multiply-adds of its forward pass, one image
  long long train_macs = 0;  // and of its forward and backward passes, one image
};

struct NetworkSummary {
  Shape3 input;
  std::vector<LayerSummary> layers;
  long long params = 0;
  long long macs = 0;               // forward, one image
  long long train_macs = 0;         // forward and backward, one image
  long long activation_values = 0;  // every layer's outputs, one image
};

// Throws SpecError for an impossible architecture, as NetworkSpec::output_shapes() does.
NetworkSummary summarize(const NetworkSpec& spec);

}  // namespace cs
