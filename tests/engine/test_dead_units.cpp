// cs::dead_units(): the layers with a ReLU, exactly the units silent on every image of the sample
// counted as dead (their weights and biases set so), an image of the last chunk counted, layers
// with another activation left out, no sample refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "convscope/cpu_backend.h"
#include "convscope/dead_units.h"
#include "synthetic_data.h"

namespace cs {
namespace {

// Every value of tensor `param` of network 0 set to `value`, then `units` of it to `other`.
void set_tensor(Backend& backend, int param, float value, const std::vector<int>& units = {},
                float other = 0) {
  const ParamInfo info = backend.config().spec.params()[static_cast<size_t>(param)];
  std::vector<float> t(static_cast<size_t>(info.size()), value);
  for (int u : units) t[static_cast<size_t>(u)] = other;
  backend.write_tensor(0, param, TensorRole::Param, t.data());
}

// conv 3x3x4 and dense 8, both ReLU (params: conv1.weight, conv1.bias, fc1.weight, fc1.bias,
// fc2.weight, fc2.bias).
constexpr char kArch[] = "c3x4:relu-d8:relu-d4";

TEST(DeadUnits, CountsTheReluUnitsSilentOnEveryImage) {
  const Dataset train = test::synthetic(64, 1), val = test::synthetic(600, 2);
  auto backend = test::cpu_backend(kArch, train, val);
  // conv1's channels all fire (bias 1000 far above what 9 weights of pixels in [0, 1] give) but
  // channel 1 (-10000, far below); fc1 sees nothing of them (weights 0) and gives its bias: 1
  // but units 2 and 5 at -1.
  set_tensor(*backend, 1, 1e3f, {1}, -1e4f);
  set_tensor(*backend, 2, 0.f);
  set_tensor(*backend, 3, 1.f, {2, 5}, -1.f);
  const DeadUnits d = dead_units(*backend, 0, val, 300);
  EXPECT_EQ(d.images, 300);
  EXPECT_EQ(d.layers, (std::vector<int>{0, 1}));  // conv1 and fc1; not the output
  EXPECT_EQ(d.units, (std::vector<int>{4, 8}));
  EXPECT_EQ(d.dead, (std::vector<int>{1, 2}));
  // A sample larger than the set takes every image; none is refused.
  EXPECT_EQ(dead_units(*backend, 0, val, 5000).images, 600);
  EXPECT_THROW(dead_units(*backend, 0, val, 0), std::invalid_argument);
}

TEST(DeadUnits, AUnitFiringOnTheLastImageOfTheLastChunkIsAlive) {
  // 300 black images but the last, white: with conv1's weights 0.1 and no bias only that image
  // (in the second chunk of 256) makes its channels fire; fc1 (weights 0.01, bias 0) fires on it
  // too.
  Dataset val = test::synthetic(300, 2);
  std::fill(val.images.begin(), val.images.end(), 0);
  std::fill(val.images.end() - val.shape.size(), val.images.end(), 255);
  auto backend = test::cpu_backend(kArch, test::synthetic(64, 1), val);
  set_tensor(*backend, 0, 0.1f);
  set_tensor(*backend, 1, 0.f);
  set_tensor(*backend, 2, 0.01f);
  set_tensor(*backend, 3, 0.f);
  EXPECT_EQ(dead_units(*backend, 0, val, 300).dead, (std::vector<int>{0, 0}));
  // Without it every unit is silent.
  EXPECT_EQ(dead_units(*backend, 0, val, 299).images, 299);
  EXPECT_EQ(dead_units(*backend, 0, val.head(299), 299).dead, (std::vector<int>{4, 8}));
}

TEST(DeadUnits, LeavesOutLayersWithoutAReluActivation) {
  const Dataset train = test::synthetic(32, 1), val = test::synthetic(20, 2);
  auto backend = test::cpu_backend("c3x4:tanh-d8:relu-d4", train, val);
  const DeadUnits d = dead_units(*backend, 0, val);
  EXPECT_EQ(d.layers, (std::vector<int>{1}));
  EXPECT_EQ(d.images, 20);
}

}  // namespace
}  // namespace cs
