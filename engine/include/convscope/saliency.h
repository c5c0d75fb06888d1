// Saliency maps: which input pixels drove a network's class score, from the backend's input
// gradient (Backend::input_gradient, the gradient of the class's logit), or for Occlusion from
// its predictions alone (Backend::predict).
//
//   Vanilla             |d logit / d x| (Simonyan et al., 2014).
//   SmoothGrad          |mean of d logit / d x over `steps` noisy copies x + N(0, sigma^2)|,
//                       sigma = sigma_fraction * (max(x) - min(x)) (Smilkov et al., 2017).
//   IntegratedGradients (x - x0) * mean of d logit / d x at x0 + a (x - x0) for the `steps`
//                       midpoints a = (k + 1/2) / steps, from the black baseline x0 = 0
//                       (Sundararajan et al., 2017). Signed: its sum approximates
//                       logit(x) - logit(x0) (completeness).
//   Occlusion           p(x) - p(x with a `patch` x `patch` square set to 0), the class's
//                       probability, averaged over the squares covering each pixel (Zeiler &
//                       Fergus, 2014). Signed: > 0 where hiding the pixels lowers the class's
//                       probability. The squares sit at every position, or where the image has
//                       more than kOcclusionPositions of them along an axis, at that many evenly
//                       spaced ones (a pixel no square covers is 0).
// The noisy copies, interpolation steps or occluded images go to the backend as one batch
// (Occlusion: batches of at most kOcclusionBatch). Several input channels fold into one map:
// the largest magnitude for Vanilla and SmoothGrad, the sum for IntegratedGradients (which keeps
// completeness); Occlusion hides every channel of a square. Deterministic given the seed.
#pragma once

#include <cstdint>
#include <vector>

#include "convscope/backend.h"

namespace cs {

enum class SaliencyMethod { Vanilla, SmoothGrad, IntegratedGradients, Occlusion };

constexpr int kOcclusionPositions = 32;
constexpr int kOcclusionBatch = 256;

// The class explained: the network's own prediction, the image's true label, or any index.
enum class SaliencyTarget { Predicted, True, Index };

struct SaliencyOptions {
  SaliencyMethod method = SaliencyMethod::Vanilla;
  SaliencyTarget target = SaliencyTarget::Predicted;
  int label = -1;                // the true label (target True)
  int index = -1;                // the class (target Index)
  int steps = 50;                // SmoothGrad copies, IntegratedGradients steps
  float sigma_fraction = 0.15f;  // SmoothGrad noise
  int patch = 5;                 // Occlusion: the side of the square hidden, in pixels
  uint64_t seed = 1;             // SmoothGrad noise
};

struct SaliencyMap {
  int height = 0, width = 0;
  std::vector<float> values;   // (height, width)
  int target_class = -1;       // the class explained
  bool is_signed = false;      // IntegratedGradients and Occlusion; the others are >= 0
  float logit = 0.f;           // the class's logit on the image
  float probability = 0.f;     // and its probability
  float baseline_logit = 0.f;  // IntegratedGradients: the class's logit on the baseline
};

// The map of network `net` on one image (C, H, W), as Backend::predict takes it. Throws
// std::invalid_argument for bad options (steps < 1, negative sigma, a patch that is not
// 1..min(H, W), a missing or bad class).
SaliencyMap compute_saliency(Backend& backend, int net, const float* image,
                             const SaliencyOptions& options);

}  // namespace cs
