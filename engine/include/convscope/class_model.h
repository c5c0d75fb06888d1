// Class models (Simonyan, Vedaldi and Zisserman, 2014, section 2): for each class, the input
// image a network scores highest as that class, found by gradient ascent on the image's pixels
// with the regularisers of Yosinski et al. (2015) that keep it readable. For a hidden layer the
// same ascent on each channel's mean output gives, for each filter or unit, the input it responds
// to most (activation maximisation, Erhan et al., 2009). With s_u the objective of image u (class
// u's logit, or the mean of channel u of the layer over its places: Backend::input_gradient), it
// starts from faint noise (uniform in [0, noise) from the seed; a black image can give a network
// of ReLUs no gradient at all), then
//
//   every step  (dy, dx) = class_model_jitter(seed, step, jitter)
//               g = d s_u(shift(x, dy, dx)) / d x   (the shift undone on the gradient),
//               shift(x, dy, dx)[y][x] = x[y - dy][x - dx], 0 outside the image
//               x <- clamp(x + rate * g / RMS(g) - decay * x, 0, 1)
//   every `blur_every` steps, after the update, a 3x3 binomial blur of each channel plane.
//
// The gradient is taken per image and divided by its RMS, so a step moves the pixels by about
// `rate` however large the network's logits have grown; [0, 1] is the range training images
// have (pixels / 255). The images go to the backend `batch` at a time (each image's ascent is its
// own), so 200 steps cost 200 forward and backward passes of `units` images in all, and memory
// beyond the images grows with `batch`, not with the layer's width. Deterministic given the seed.
#pragma once

#include <cstdint>
#include <vector>

#include "convscope/augment.h"
#include "convscope/backend.h"

namespace cs {

struct ClassModelOptions {
  int layer = -1;  // -1 or the last layer: the classes; another: each channel of that layer
  int steps = 200;
  float noise = 0.3f;   // the start's; 0: black
  float rate = 0.05f;   // of the pixel range, per step
  float decay = 0.01f;  // L2 decay toward black, per step
  int blur_every = 4;   // 0: no blur
  int jitter = 1;       // pixels; 0: none
  int batch = 64;       // images per backend pass; the CPU backend's results do not depend on it
  uint64_t seed = 1;
};

struct ClassModels {
  int layer = 0;                   // the layer taken (the last: the classes)
  bool of_classes = false;         // whether that is the output layer
  int units = 0;                   // images: the layer's channels (the classes)
  int classes = 0;                 // the network's
  Shape3 shape;                    // one image's
  std::vector<float> images;       // (units, C, H, W) in [0, 1]
  std::vector<float> score;        // (units) image u's objective s_u
  std::vector<float> probs;        // (units, classes) the network's softmax on image u
  std::vector<uint8_t> predicted;  // (units) the class it takes image u for
};

// The jitter of step `step`: dy and dx each in [-jitter, jitter], from (seed, step).
PixelShift class_model_jitter(uint64_t seed, int step, int jitter);

// Network `net` of `backend`. Throws std::invalid_argument for bad options (a layer outside the
// network, steps < 1, noise outside [0, 1], a rate that is not positive, a decay outside [0, 1),
// negative blur_every, a jitter outside [0, min(H, W) / 2), batch < 1), Error (kind Divergence)
// when a gradient is not finite, and what the backend throws.
ClassModels class_models(Backend& backend, int net, const ClassModelOptions& options);

}  // namespace cs
