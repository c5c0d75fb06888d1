// cs::dead_units(): the layers with a ReLU, each unit silent on every image of the sample counted
// as dead, the same in chunks as in one pass over the sample, units killed by a large negative
// bias found, and layers with another activation left out.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "convscope/cpu_backend.h"
#include "convscope/dead_units.h"
#include "synthetic_data.h"

namespace cs {
namespace {

// The units of `layer` whose outputs are all <= 0 over `indices` of `val`, in one call.
int silent_units(Backend& backend, const Dataset& val, const std::vector<int>& indices, int layer) {
  const Shape3 shape = backend.config().spec.output_shapes()[static_cast<size_t>(layer)];
  const int n = static_cast<int>(indices.size());
  std::vector<float> out(static_cast<size_t>(n) * shape.size());
  const std::vector<float> x = val.inputs(indices);
  backend.features(0, x.data(), n, layer, out.data());
  const size_t places = static_cast<size_t>(shape.h) * shape.w;
  int silent = 0;
  for (int c = 0; c < shape.c; ++c) {
    bool fired = false;
    for (int b = 0; b < n && !fired; ++b) {
      const float* v = out.data() + (static_cast<size_t>(b) * shape.c + c) * places;
      fired = std::any_of(v, v + places, [](float y) { return y > 0; });
    }
    silent += !fired;
  }
  return silent;
}

void set_bias(Backend& backend, int param, const std::vector<int>& units, float value) {
  const ParamInfo info = backend.config().spec.params()[static_cast<size_t>(param)];
  ASSERT_TRUE(info.is_bias);
  std::vector<float> bias(static_cast<size_t>(info.size()));
  backend.read_tensor(0, param, TensorRole::Param, bias.data());
  for (int u : units) bias[static_cast<size_t>(u)] = value;
  backend.write_tensor(0, param, TensorRole::Param, bias.data());
}

TEST(DeadUnits, CountsTheReluUnitsSilentOnEveryImage) {
  const Dataset train = test::synthetic(64, 1), val = test::synthetic(600, 2);
  GroupConfig g;
  g.spec = NetworkSpec::parse("c3x4:relu-d8:relu-d4", val.shape, 4);
  g.seeds = {3};
  g.batch_size = 16;
  auto backend = make_cpu_backend(2);
  backend->configure(g, train, val);
  const std::vector<int> sample = val.spread(300);  // two chunks of at most 256

  const DeadUnits before = dead_units(*backend, 0, val, 300);
  EXPECT_EQ(before.images, 300);
  EXPECT_EQ(before.layers, (std::vector<int>{0, 1}));  // conv1 and fc1; not the output
  EXPECT_EQ(before.units, (std::vector<int>{4, 8}));
  for (size_t k = 0; k < 2; ++k)
    EXPECT_EQ(before.dead[k], silent_units(*backend, val, sample, before.layers[k])) << k;

  // conv1's channel 1 and fc1's units 2 and 5 pushed far below 0 (params: conv1.weight,
  // conv1.bias, fc1.weight, fc1.bias, ...).
  set_bias(*backend, 1, {1}, -1e4f);
  set_bias(*backend, 3, {2, 5}, -1e4f);
  const DeadUnits after = dead_units(*backend, 0, val, 300);
  EXPECT_GE(after.dead[0], 1);
  EXPECT_GE(after.dead[1], 2);
  for (size_t k = 0; k < 2; ++k)
    EXPECT_EQ(after.dead[k], silent_units(*backend, val, sample, after.layers[k])) << k;
  EXPECT_GT(after.dead[0] + after.dead[1], before.dead[0] + before.dead[1]);

  // A sample larger than the set takes every image.
  EXPECT_EQ(dead_units(*backend, 0, val, 5000).images, 600);
}

TEST(DeadUnits, LeavesOutLayersWithoutAReluActivation) {
  const Dataset train = test::synthetic(32, 1), val = test::synthetic(20, 2);
  GroupConfig g;
  g.spec = NetworkSpec::parse("c3x4:tanh-d8:relu-d4", val.shape, 4);
  g.seeds = {1};
  g.batch_size = 16;
  auto backend = make_cpu_backend(1);
  backend->configure(g, train, val);
  const DeadUnits d = dead_units(*backend, 0, val);
  EXPECT_EQ(d.layers, (std::vector<int>{1}));
  EXPECT_EQ(d.images, 20);
}

}  // namespace
}  // namespace cs
