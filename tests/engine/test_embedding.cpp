// cs::embed(): the default layer (the last before the output that is not a dropout), images
// spread over the set with their labels and the network's predictions, the layer's outputs as
// features() gives them for those images, fewer images for a wide layer, and the refusals (a
// diverged network, too few images).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "convscope/cpu_backend.h"
#include "convscope/embedding.h"
#include "synthetic_data.h"

namespace cs {
namespace {

TEST(Embedding, TheDefaultLayerIsTheLastBeforeTheOutputThatIsNotADropout) {
  const NetworkSpec s = NetworkSpec::parse("c3x4:relu-m2-d8:relu-p0.5-d4", {1, 6, 6}, 4);
  EXPECT_EQ(embedding_layer(s, -1), 2);
  EXPECT_EQ(embedding_layer(s, 0), 0);
  EXPECT_EQ(embedding_layer(s, 9), 4);
  EXPECT_EQ(embedding_layer(NetworkSpec::parse("d4", {1, 6, 6}, 4), -1), 0);
}

TEST(Embedding, SpreadsOverTheSetAndTakesTheLayersOutputsThere) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(40, 2);
  auto backend = test::cpu_backend("c3x4:relu-d8:relu-p0.5-d4", train, val);
  EmbeddingOptions options;
  options.count = 10;
  const Embedding e = embed(*backend, 0, val, options);
  EXPECT_EQ(e.layer, 1);
  EXPECT_EQ(e.dimensions, 8);
  EXPECT_EQ(e.images, (std::vector<int>{0, 4, 8, 12, 16, 20, 24, 28, 32, 36}));
  std::vector<float> x;
  for (int image : e.images)
    for (int p = 0; p < val.shape.size(); ++p) x.push_back(val.image(image)[p] / 255.f);
  std::vector<float> features(10 * 8), probs(10 * 4);
  backend->features(0, x.data(), 10, 1, features.data());
  backend->predict(0, x.data(), 10, probs.data(), nullptr);
  EXPECT_EQ(e.features, features);
  for (int k = 0; k < 10; ++k) {
    EXPECT_EQ(e.labels[k], val.labels[static_cast<size_t>(e.images[k])]);
    const float* p = probs.data() + k * 4;
    EXPECT_EQ(e.predicted[k], std::max_element(p, p + 4) - p);
  }
  EXPECT_EQ(e.projection.count, 10);
  EXPECT_EQ(e.projection.xy, project_pca(features, 10, 8).xy);

  // A wide layer takes fewer images: conv1's 4 x 4 x 4 = 64 outputs at most 640 values give 10
  // images, but never fewer than min_images.
  options.layer = 0;
  options.count = 40;
  options.max_values = 640;
  options.min_images = 5;
  EXPECT_EQ(embed(*backend, 0, val, options).images.size(), 10u);
  options.max_values = 64;
  EXPECT_EQ(embed(*backend, 0, val, options).images.size(), 5u);
  options.count = 1;
  EXPECT_THROW(embed(*backend, 0, val, options), std::invalid_argument);
}

// NaN weights of fc1 make its outputs (the embedding's) NaN; NaN weights of fc2 leave fc1 finite
// but not the network's outputs, and no image is then said to be taken for class 0.
TEST(Embedding, ADivergedNetworkIsSaid) {
  const Dataset train = test::synthetic(48, 1), val = test::synthetic(20, 2);
  GroupConfig g;
  g.spec = NetworkSpec::parse("d8-d4", val.shape, 4);  // linear: the NaNs reach the outputs
  auto backend = make_cpu_backend(1);
  const std::pair<int, const char*> cases[] = {
      {0, "fc1's outputs are not all finite: the network has diverged"},
      {2, "the network's outputs are not all finite: the network has diverged"}};
  for (const auto& [param, message] : cases) {
    backend->configure(g, train, val);
    std::vector<float> nan(static_cast<size_t>(g.spec.params()[param].size()),
                           std::numeric_limits<float>::quiet_NaN());
    backend->write_tensor(0, param, TensorRole::Param, nan.data());
    try {
      embed(*backend, 0, val, {});
      ADD_FAILURE() << "a diverged network was projected: " << message;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Divergence);
      EXPECT_STREQ(e.what(), message);
    }
  }
}

}  // namespace
}  // namespace cs
