// A principal-component projection of a layer's outputs (the app's Embedding view): the rows,
// centred, on the plane of their two directions of greatest variance, found by subspace
// iteration and ordered by a Rayleigh-Ritz step (no covariance matrix: each iteration multiplies
// by the rows and their transpose, so a convolution's thousands of outputs cost a copy of the
// rows in double, not their square). Deterministic: a fixed start, and each direction's sign
// chosen so that its largest entry is positive, so the same rows give the same picture.
#pragma once

#include <array>
#include <vector>

namespace cs {

struct Projection {
  int count = 0;                      // rows
  std::vector<float> xy;              // (count, 2): each row's place along the two directions
  std::array<double, 2> explained{};  // each direction's share of the total variance
};

// The projection of `rows` (count, dim), count >= 2, dim >= 1 and every value finite
// (invalid_argument otherwise). explained[0] >= explained[1]; with dim 1 the second coordinate
// is 0.
Projection project_pca(const std::vector<float>& rows, int count, int dim);

}  // namespace cs
