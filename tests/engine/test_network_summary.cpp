// A network's summary: the reference network's layers worked out by hand, its training cost per
// epoch as the README's benchmark counts it, parameters as the spec counts them, and a network
// whose first layer with parameters comes after a pool.
#include <gtest/gtest.h>

#include "convscope/network_summary.h"

namespace cs {
namespace {

TEST(NetworkSummary, OfTheReferenceNetwork) {
  const NetworkSpec spec = NetworkSpec::reference();
  const NetworkSummary s = summarize(spec);
  ASSERT_EQ(s.layers.size(), 6u);
  struct Row {
    const char* name;
    Shape3 out;
    long long params, macs;
  };
  const Row rows[] = {
      {"conv1", {8, 24, 24}, 8 * 25 + 8, 8 * 24 * 24 * 25},
      {"pool1", {8, 12, 12}, 0, 0},
      {"conv2", {16, 8, 8}, 16 * 8 * 25 + 16, 16 * 8 * 8 * 8 * 25},
      {"pool2", {16, 4, 4}, 0, 0},
      {"fc1", {128, 1, 1}, 256 * 128 + 128, 256 * 128},
      {"fc2", {10, 1, 1}, 128 * 10 + 10, 128 * 10},
  };
  for (size_t i = 0; i < s.layers.size(); ++i) {
    const LayerSummary& l = s.layers[i];
    EXPECT_EQ(l.name, rows[i].name);
    EXPECT_EQ(l.description, describe(spec.layers[i]));
    EXPECT_EQ(l.out, rows[i].out) << l.name;
    EXPECT_EQ(l.params, rows[i].params) << l.name;
    EXPECT_EQ(l.macs, rows[i].macs) << l.name;
    // conv1 needs no input gradient: nothing below it learns
    EXPECT_EQ(l.train_macs, (i == 0 ? 2 : 3) * rows[i].macs) << l.name;
  }
  EXPECT_EQ(s.input, spec.input);
  EXPECT_EQ(s.params, 37'610);
  EXPECT_EQ(s.params, spec.param_count());
  EXPECT_EQ(s.macs, 115'200 + 204'800 + 32'768 + 1'280);
  EXPECT_EQ(s.train_macs, 3 * s.macs - 115'200);
  // An epoch of MNIST's 60,000 images: the README's 113.6 GFLOP (two per multiply-add).
  EXPECT_NEAR(2.0 * s.train_macs * 60'000 / 1e9, 113.6, 0.05);
  EXPECT_EQ(s.activation_values, 8 * 24 * 24 + 8 * 12 * 12 + 16 * 8 * 8 + 16 * 4 * 4 + 128 + 10);
}

// A strided convolution with same padding: ceil(5 / 2) = 3 places a side, worked out by hand.
TEST(NetworkSummary, StridedSamePaddedConvolution) {
  const NetworkSummary s = summarize(NetworkSpec::parse("c3x4:same:s2-d10", {1, 5, 5}, 10));
  ASSERT_EQ(s.layers.size(), 2u);
  EXPECT_EQ(s.layers[0].out, (Shape3{4, 3, 3}));
  EXPECT_EQ(s.layers[0].params, 4 * 9 + 4);
  EXPECT_EQ(s.layers[0].macs, 4 * 3 * 3 * 9);
  EXPECT_EQ(s.layers[0].train_macs, 2 * 324);
  EXPECT_EQ(s.layers[1].params, 36 * 10 + 10);
  EXPECT_EQ(s.layers[1].macs, 360);
  EXPECT_EQ(s.layers[1].train_macs, 3 * 360);
}

// The first layer with parameters after a pool needs no input gradient either; dropout and
// pools cost nothing counted; an impossible architecture is refused as the spec refuses it.
TEST(NetworkSummary, CountsWhatEachLayerNeeds) {
  const NetworkSpec spec = NetworkSpec::parse("a2-d8:relu-p0.5-d4", {3, 6, 6}, 4);
  const NetworkSummary s = summarize(spec);
  ASSERT_EQ(s.layers.size(), 4u);
  EXPECT_EQ(s.layers[0].out, (Shape3{3, 3, 3}));
  EXPECT_EQ(s.layers[0].macs, 0);
  EXPECT_EQ(s.layers[1].params, 27 * 8 + 8);
  EXPECT_EQ(s.layers[1].train_macs, 2 * 27 * 8);
  EXPECT_EQ(s.layers[2].name, "dropout1");
  EXPECT_EQ(s.layers[2].train_macs, 0);
  EXPECT_EQ(s.layers[3].train_macs, 3 * 8 * 4);
  EXPECT_EQ(s.params, spec.param_count());
  EXPECT_EQ(s.train_macs, 2 * 27 * 8 + 3 * 8 * 4);
  NetworkSpec bad = NetworkSpec::parse("c3x4-d4", {1, 4, 4}, 4);
  bad.layers[0].kernel = 9;
  EXPECT_THROW(summarize(bad), SpecError);
}

}  // namespace
}  // namespace cs
