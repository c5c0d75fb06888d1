// Network spec: shapes, validation messages, parameter layout, text round trip.
#include <gtest/gtest.h>

#include "convscope/spec.h"

namespace cs {
namespace {

TEST(Spec, ReferenceShapesAndParams) {
  const NetworkSpec s = NetworkSpec::reference();
  const std::vector<Shape3> shapes = s.output_shapes();
  const std::vector<Shape3> want = {{8, 24, 24}, {8, 12, 12}, {16, 8, 8},
                                    {16, 4, 4},  {128, 1, 1}, {10, 1, 1}};
  EXPECT_EQ(shapes, want);
  const std::vector<ParamInfo> p = s.params();
  ASSERT_EQ(p.size(), 8u);
  EXPECT_EQ(p[0].name, "conv1.weight");
  EXPECT_EQ(p[0].shape, (std::vector<int>{8, 1, 5, 5}));
  EXPECT_EQ(p[2].name, "conv2.weight");
  EXPECT_EQ(p[2].shape, (std::vector<int>{16, 8, 5, 5}));
  EXPECT_EQ(p[4].name, "fc1.weight");
  EXPECT_EQ(p[4].shape, (std::vector<int>{128, 256}));
  EXPECT_EQ(p[7].name, "fc2.bias");
  EXPECT_EQ(p[7].shape, (std::vector<int>{10}));
  EXPECT_EQ(s.param_count(), 8 * 25 + 8 + 16 * 200 + 16 + 128 * 256 + 128 + 1280 + 10);
}

// One name per layer, numbered per kind; max and average pooling count together; the parameter
// names carry the layer's name.
TEST(Spec, LayerNamesNumberEachKindAndPrefixTheParameters) {
  const NetworkSpec s = NetworkSpec::parse("c3x4:relu-a2-c3x4:relu-m2-d16:relu-d10", {1, 16, 16});
  const std::vector<std::string> names = s.layer_names();
  EXPECT_EQ(names, (std::vector<std::string>{"conv1", "pool1", "conv2", "pool2", "fc1", "fc2"}));
  for (const ParamInfo& p : s.params())
    EXPECT_EQ(p.name, names[p.layer] + (p.is_bias ? ".bias" : ".weight"));
  EXPECT_TRUE(NetworkSpec{}.layer_names().empty());
}

TEST(Spec, TextRoundTrip) {
  const NetworkSpec ref = NetworkSpec::reference();
  EXPECT_EQ(ref.to_string(), "c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10");
  EXPECT_EQ(NetworkSpec::parse(ref.to_string()), ref);
  const NetworkSpec odd = NetworkSpec::parse("c3x4:tanh:same:s2-a2-c3x6:sigmoid-d32:tanh-d10");
  EXPECT_EQ(NetworkSpec::parse(odd.to_string()), odd);
  EXPECT_EQ(odd.output_shapes()[0], (Shape3{4, 14, 14}));
  EXPECT_EQ(odd.output_shapes()[2], (Shape3{6, 5, 5}));
}

struct BadSpec {
  const char* text;
  int layer;
  const char* fragment;
};

class SpecRejects : public ::testing::TestWithParam<BadSpec> {};

TEST_P(SpecRejects, NamesLayerAndReason) {
  const BadSpec& c = GetParam();
  try {
    NetworkSpec::parse(c.text);
    FAIL() << "accepted " << c.text;
  } catch (const SpecError& e) {
    EXPECT_EQ(e.layer(), c.layer) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.fragment), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, SpecRejects,
    ::testing::Values(
        BadSpec{"c5x8:relu-m2-c5x16:relu-m2-c9x4-d10", 5, "9x9 kernel does not fit the 4x4"},
        BadSpec{"c29x8-d10", 1, "does not fit the 28x28"},
        BadSpec{"c5x8-m32-d10", 2, "window does not fit the 24x24"},
        BadSpec{"c5x8-d12", 2, "dense 10"}, BadSpec{"c5x8-d10:relu", 2, "no activation"},
        BadSpec{"c5x0-d10", 1, "filter count"}, BadSpec{"q5-d10", 1, "unknown layer"},
        BadSpec{"c5x8:fancy-d10", 1, "unknown option"},
        BadSpec{"d64-c3x3-d10", 2, "cannot follow a dense"},
        BadSpec{"c5-d10", 1, "c<kernel>x<filters>"}, BadSpec{"c5x8--d10", 2, "empty layer"},
        // An option given twice, the last silently winning before.
        BadSpec{"c5x8:relu:tanh-d10", 1, "the activation is given twice in 'c5x8:relu:tanh'"},
        BadSpec{"c5x8:s2:s3-d10", 1, "the stride is given twice"},
        BadSpec{"c5x8:same:valid-d10", 1, "the padding is given twice"},
        BadSpec{"c5x8-d16:relu:sigmoid-d10", 2, "the activation is given twice"},
        BadSpec{"c5x8:relu:smae-d10", 1, "unknown option"}));  // a typo, not a second one

// The same option twice (as a sweep may have stored it) is that option.
TEST(Spec, AnOptionRepeatedTheSameWayIsThatOption) {
  EXPECT_EQ(NetworkSpec::parse("c5x8:relu:relu:s1:s1-d16:tanh:tanh-d10").to_string(),
            NetworkSpec::parse("c5x8:relu-d16:tanh-d10").to_string());
}

TEST(Spec, SamePaddingKeepsSmallMapsValid) {
  // A 9x9 kernel with 'same' padding works on a 4x4 map: the output stays 4x4.
  const NetworkSpec s = NetworkSpec::parse("c5x8:relu-m2-c5x16:relu-m2-c9x4:relu:same-d10");
  EXPECT_EQ(s.output_shapes()[4], (Shape3{4, 4, 4}));
}

}  // namespace
}  // namespace cs
