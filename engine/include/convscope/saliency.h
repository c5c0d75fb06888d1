// Saliency maps: which input pixels drove a network's class score, from the backend's input
// gradient (Backend::input_gradient, the gradient of the class's logit), or for Occlusion from
// its predictions alone (Backend::predict).
//
//   Vanilla             |d logit / d x| (Simonyan et al., 2014).
//   SmoothGrad          |mean of d logit / d x over `steps` noisy copies x + N(0, sigma^2)|,
//                       sigma = sigma_fraction * (max(x) - min(x)), or sigma_fraction for
//                       an image of one value (Smilkov et al., 2017).
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
//   GradCam             ReLU(sum over channels k of a_k A_k), A = the outputs of a layer with a
//                       spatial map (by default the last convolution), a_k = the mean over its
//                       places of d logit / d A_k; resized to the input by resize_bilinear()
//                       (Selvaraju et al., 2017). A from Backend::features(), d logit / dA from
//                       Backend::layer_gradient().
// The noisy copies, interpolation steps or occluded images go to the backend as one batch
// (Occlusion: batches of at most kOcclusionBatch, each with the image itself first, whose
// probability is what that batch's squares fall from). Several input channels fold into one map:
// the largest magnitude for Vanilla and SmoothGrad, the sum for IntegratedGradients (which keeps
// completeness); Occlusion hides every channel of a square. Deterministic given the seed.
#pragma once

#include <cstdint>
#include <vector>

#include "convscope/backend.h"

namespace cs {

enum class SaliencyMethod { Vanilla, SmoothGrad, IntegratedGradients, Occlusion, GradCam };

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
  int layer = -1;                // GradCam: the layer's index; -1: the last convolution
  uint64_t seed = 1;             // SmoothGrad noise
};

struct SaliencyMap {
  int height = 0, width = 0;
  std::vector<float> values;   // (height, width)
  int target_class = -1;       // the class explained
  bool is_signed = false;      // IntegratedGradients and Occlusion; the others are >= 0
  float logit = 0.f;           // the class's logit on the image
  float probability = 0.f;     // and its probability
  int layer = -1;              // GradCam: the layer whose maps it weighs
  float baseline_logit = 0.f;  // IntegratedGradients: the class's logit on the baseline
};

// The checks compute_saliency() makes of `o` before it runs the network (all but the class's,
// which may come with the image), and the layer Grad-CAM then reads (-1 for the other methods).
int check_saliency_options(const NetworkSpec& spec, const SaliencyOptions& o);

// The map of network `net` on one image (C, H, W), as Backend::predict takes it. Throws
// std::invalid_argument for bad options (steps < 1, negative sigma, a patch that is not
// 1..min(H, W), a GradCam layer without a spatial map or none to default to, a missing or bad
// class).
SaliencyMap compute_saliency(Backend& backend, int net, const float* image,
                             const SaliencyOptions& options);

// The layers GradCam can weigh: those below the last with a map of more than one place
// (convolutions, pools, dropouts between them), in order; the default is the last convolution
// among them, or -1 when there is none.
std::vector<int> grad_cam_layers(const NetworkSpec& spec);
int default_grad_cam_layer(const NetworkSpec& spec);

// A (h, w) map resized to (H, W) by bilinear interpolation between pixel centres, the edges
// held (as OpenCV's INTER_LINEAR and torch's interpolate(align_corners=False)).
std::vector<float> resize_bilinear(const float* map, int h, int w, int H, int W);

}  // namespace cs
