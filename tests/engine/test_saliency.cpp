// Saliency maps on the CPU backend: vanilla is the input gradient, SmoothGrad with no noise is
// vanilla, Integrated Gradients is complete, Occlusion is the fall of the class's probability
// under each hidden square, Grad-CAM weighs a layer's maps by the mean gradient of the class's
// logit (against a dense head worked out by hand), the class choice and the seed behave.
// DISABLED_ReferenceNetworkTime times the reference network (run it with
// --gtest_also_run_disabled_tests).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "convscope/cpu_backend.h"
#include "convscope/saliency.h"
#include "synthetic_data.h"

namespace cs {
namespace {

const Shape3 kShape{1, 12, 12};
constexpr int kClasses = 4;

using test::bars;

class SaliencyTest : public testing::Test {
 protected:
  void SetUp() override {
    GroupConfig cfg;
    cfg.spec = NetworkSpec::parse("c3x5:tanh:same-a2-c3x6:relu-m2-d10:tanh-d4", kShape, kClasses);
    cfg.optimizer = OptimizerConfig::defaults(OptimizerKind::Adam);
    cfg.seeds = {3, 4};
    cfg.batch_size = 16;
    const Dataset train = bars(96, kShape, kClasses, 1);
    m_val = bars(8, kShape, kClasses, 2);
    m_backend->configure(cfg, train, m_val);
    for (int epoch = 0; epoch < 3; ++epoch) {
      m_backend->begin_epoch(epoch);
      for (int first = 0; first < train.count; first += cfg.batch_size)
        m_backend->train_step(first, cfg.batch_size);
    }
    m_image.resize(static_cast<size_t>(kShape.size()));
    for (size_t p = 0; p < m_image.size(); ++p) m_image[p] = m_val.images[p] / 255.f;
  }

  std::unique_ptr<Backend> m_backend = make_cpu_backend(2);
  Dataset m_val;
  std::vector<float> m_image;  // validation image 0, label 0
};

TEST_F(SaliencyTest, VanillaIsTheAbsoluteInputGradientOfTheChosenClass) {
  for (int c = 0; c < kClasses; ++c) {
    SaliencyOptions o;
    o.target = SaliencyTarget::Index;
    o.index = c;
    const SaliencyMap m = compute_saliency(*m_backend, 1, m_image.data(), o);
    ASSERT_EQ(m.target_class, c);
    ASSERT_EQ(m.height, kShape.h);
    ASSERT_EQ(m.width, kShape.w);
    EXPECT_FALSE(m.is_signed);
    std::vector<float> grad(m_image.size());
    m_backend->input_gradient(1, m_image.data(), 1, 5, &c, grad.data());  // fc2: the logits
    for (size_t p = 0; p < grad.size(); ++p) ASSERT_EQ(m.values[p], std::abs(grad[p])) << p;
    std::vector<float> logits(kClasses);
    m_backend->predict(1, m_image.data(), 1, nullptr, logits.data());
    EXPECT_EQ(m.logit, logits[c]);
  }
}

TEST_F(SaliencyTest, ClassChoice) {
  std::vector<float> probs(kClasses);
  m_backend->predict(0, m_image.data(), 1, probs.data(), nullptr);
  SaliencyOptions o;
  EXPECT_EQ(compute_saliency(*m_backend, 0, m_image.data(), o).target_class,
            std::max_element(probs.begin(), probs.end()) - probs.begin());
  o.target = SaliencyTarget::True;
  o.label = 2;
  EXPECT_EQ(compute_saliency(*m_backend, 0, m_image.data(), o).target_class, 2);
  o.label = -1;
  EXPECT_THROW(compute_saliency(*m_backend, 0, m_image.data(), o), std::invalid_argument);
  o.target = SaliencyTarget::Index;
  o.index = kClasses;
  EXPECT_THROW(compute_saliency(*m_backend, 0, m_image.data(), o), std::invalid_argument);
  o.index = 1;
  o.method = SaliencyMethod::SmoothGrad;
  o.steps = 0;
  EXPECT_THROW(compute_saliency(*m_backend, 0, m_image.data(), o), std::invalid_argument);
}

TEST_F(SaliencyTest, SmoothGradWithoutNoiseIsVanillaAndNoiseIsSeeded) {
  SaliencyOptions o;
  o.target = SaliencyTarget::True;
  o.label = 0;
  const SaliencyMap vanilla = compute_saliency(*m_backend, 0, m_image.data(), o);
  o.method = SaliencyMethod::SmoothGrad;
  o.steps = 7;
  o.sigma_fraction = 0.f;
  EXPECT_EQ(compute_saliency(*m_backend, 0, m_image.data(), o).values, vanilla.values);
  o.sigma_fraction = 0.2f;
  const SaliencyMap a = compute_saliency(*m_backend, 0, m_image.data(), o);
  EXPECT_EQ(compute_saliency(*m_backend, 0, m_image.data(), o).values, a.values);
  o.seed = 2;
  const SaliencyMap b = compute_saliency(*m_backend, 0, m_image.data(), o);
  EXPECT_NE(b.values, a.values);
  EXPECT_NE(a.values, vanilla.values);
  for (float v : a.values) EXPECT_GE(v, 0.f);
}

// Completeness: the attributions sum to logit(x) - logit(black) up to the Riemann error.
TEST_F(SaliencyTest, IntegratedGradientsIsComplete) {
  double largest = 0;
  for (int c = 0; c < kClasses; ++c) {
    SaliencyOptions o;
    o.method = SaliencyMethod::IntegratedGradients;
    o.target = SaliencyTarget::Index;
    o.index = c;
    o.steps = 100;
    const SaliencyMap m = compute_saliency(*m_backend, 1, m_image.data(), o);
    EXPECT_TRUE(m.is_signed);
    std::vector<float> logits(kClasses);
    const std::vector<float> black(m_image.size(), 0.f);
    m_backend->predict(1, black.data(), 1, nullptr, logits.data());
    EXPECT_EQ(m.baseline_logit, logits[c]);
    double sum = 0;
    for (float v : m.values) sum += v;
    const double delta = m.logit - m.baseline_logit;
    largest = std::max(largest, std::abs(delta));
    std::printf("class %d: logit %.4f, baseline %.4f, attributions sum %.4f\n", c, m.logit,
                m.baseline_logit, sum);
    EXPECT_NEAR(sum, delta, 0.03 * std::abs(delta) + 1e-3) << "class " << c;
  }
  EXPECT_GT(largest, 0.05) << "the logits hardly move: the check means little";
}

// Occlusion: each pixel's value is the mean, over the squares covering it, of the fall in the
// class's probability when the square is hidden (set to black), each square here predicted
// alone; squares that cover only black pixels change nothing.
TEST_F(SaliencyTest, OcclusionIsTheMeanFallOfTheSquaresCoveringEachPixel) {
  const int w = kShape.w, h = kShape.h, patch = 3, bar = 1;  // label 0's bar is row 1
  std::vector<float> image(m_image.size(), 0.f);
  std::fill_n(image.begin() + bar * w, w, 1.f);
  SaliencyOptions o;
  o.method = SaliencyMethod::Occlusion;
  o.target = SaliencyTarget::Index;
  o.index = 0;
  o.patch = patch;
  const SaliencyMap m = compute_saliency(*m_backend, 1, image.data(), o);
  EXPECT_TRUE(m.is_signed);
  ASSERT_EQ(m.values.size(), image.size());
  std::vector<float> probs(kClasses), logits(kClasses);
  m_backend->predict(1, image.data(), 1, probs.data(), logits.data());
  EXPECT_EQ(m.probability, probs[0]);
  EXPECT_EQ(m.logit, logits[0]);
  std::vector<double> fall(image.size(), 0.0), covered(image.size(), 0.0);
  for (int y0 = 0; y0 + patch <= h; ++y0)
    for (int x0 = 0; x0 + patch <= w; ++x0) {
      std::vector<float> hidden = image;
      for (int y = y0; y < y0 + patch; ++y) std::fill_n(hidden.begin() + y * w + x0, patch, 0.f);
      std::vector<float> q(kClasses);
      m_backend->predict(1, hidden.data(), 1, q.data(), nullptr);
      for (int y = y0; y < y0 + patch; ++y)
        for (int x = x0; x < x0 + patch; ++x) {
          fall[y * w + x] += probs[0] - q[0];
          covered[y * w + x] += 1;
        }
    }
  double largest = 0;
  for (int p = 0; p < h * w; ++p) {
    ASSERT_NEAR(m.values[p], fall[p] / covered[p], 1e-5) << "pixel " << p;
    largest = std::max(largest, std::abs(fall[p] / covered[p]));
    if (p / w >= bar + patch) {
      ASSERT_NEAR(m.values[p], 0.0, 1e-6) << "pixel " << p;
    }
  }
  std::printf("largest fall in p(0): %.4f (p(0) = %.4f)\n", largest, m.probability);
  EXPECT_GT(largest, 1e-3) << "hiding the bar hardly matters: the check means little";
  // A square that does not fit, or none.
  for (int bad : {0, 13}) {
    o.patch = bad;
    EXPECT_THROW(compute_saliency(*m_backend, 1, image.data(), o), std::invalid_argument) << bad;
  }
}

// An image with more than kOcclusionPositions places along an axis: that many evenly spaced
// squares, the first and last places included; the pixels between are 0. 32 x 32 squares of one
// pixel are five batches (255 squares and the image each).
TEST(SaliencyOcclusion, ALargeImageHasEvenlySpacedSquares) {
  const Shape3 shape{1, 48, 48};
  GroupConfig cfg;
  cfg.spec = NetworkSpec::parse("d4", shape, 4);
  cfg.seeds = {5};
  const Dataset d = bars(8, shape, 4, 1);
  auto b = make_cpu_backend(1);
  b->configure(cfg, d, d);
  const std::vector<float> image(static_cast<size_t>(shape.size()), 0.5f);
  SaliencyOptions o;
  o.method = SaliencyMethod::Occlusion;
  o.patch = 1;
  const SaliencyMap m = compute_saliency(*b, 0, image.data(), o);
  static_assert(kOcclusionPositions == 32);
  std::vector<int> at;  // i * 47 / 31: 0, 1, 3, 4, 6, ..., 47
  for (int i = 0; i < 32; ++i) at.push_back(i * 47 / 31);
  int nonzero = 0;
  for (float v : m.values) nonzero += v != 0.f;
  EXPECT_EQ(nonzero, 32 * 32);
  for (int y : at) {
    for (int x : at) {
      ASSERT_NE(m.values[y * 48 + x], 0.f) << y << "," << x;
    }
  }
  EXPECT_EQ(m.values[2 * 48 + 2], 0.f);  // between the places 1 and 3
  // A square of the last batch, predicted alone.
  std::vector<float> probs(4), q(4), hidden = image;
  b->predict(0, image.data(), 1, probs.data(), nullptr);
  hidden[47 * 48 + 45] = 0.f;  // place 47 (the last) down, 45 (the one before) across
  b->predict(0, hidden.data(), 1, q.data(), nullptr);
  EXPECT_NEAR(m.values[47 * 48 + 45], probs[m.target_class] - q[m.target_class], 1e-6);
}

// torch.nn.functional.interpolate([[0, 1], [2, 3]], size=4, mode="bilinear",
// align_corners=False) gives these; a constant stays constant, the same size is a copy.
TEST(ResizeBilinear, SamplesBetweenPixelCentres) {
  const std::vector<float> small{0, 1, 2, 3};
  const std::vector<float> expected{0,    0.25f, 0.75f, 1,    0.5f, 0.75f, 1.25f, 1.5f,
                                    1.5f, 1.75f, 2.25f, 2.5f, 2,    2.25f, 2.75f, 3};
  const std::vector<float> big = resize_bilinear(small.data(), 2, 2, 4, 4);
  ASSERT_EQ(big.size(), expected.size());
  for (size_t i = 0; i < big.size(); ++i) EXPECT_FLOAT_EQ(big[i], expected[i]) << i;
  const std::vector<float> flat(64, 0.7f);
  for (float v : resize_bilinear(flat.data(), 8, 8, 28, 28)) ASSERT_FLOAT_EQ(v, 0.7f);
  std::vector<float> ramp(12);
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<float>(i * i);
  EXPECT_EQ(resize_bilinear(ramp.data(), 3, 4, 3, 4), ramp);
}

// Grad-CAM's layers: those below the output with a map of several places; by default the last
// convolution among them. A layer without a map, or a network without a convolution, is refused.
TEST(GradCam, LayersAndRefusals) {
  const NetworkSpec ref = NetworkSpec::reference();
  EXPECT_EQ(grad_cam_layers(ref), (std::vector<int>{0, 1, 2, 3}));  // conv1 ... pool2
  EXPECT_EQ(default_grad_cam_layer(ref), 2);                        // conv2
  EXPECT_EQ(default_grad_cam_layer(NetworkSpec::parse("c3x2-m2-d10")), 0);
  EXPECT_EQ(default_grad_cam_layer(NetworkSpec::parse("d16:relu-d10")), -1);
  GroupConfig cfg;
  cfg.seeds = {1};
  const Dataset d = bars(8, {1, 28, 28}, 10, 1);
  auto b = make_cpu_backend(1);
  b->configure(cfg, d, d);
  const std::vector<float> image(784, 0.5f);
  SaliencyOptions o;
  o.method = SaliencyMethod::GradCam;
  for (int layer : {4, 5, 9}) {
    o.layer = layer;
    try {
      compute_saliency(*b, 0, image.data(), o);
      ADD_FAILURE() << "layer " << layer << " accepted";
    } catch (const std::invalid_argument& e) {
      const char* said = layer == 4   ? "fc1 is not one"
                         : layer == 5 ? "fc2 is not one"
                                      : "no layer 9";
      EXPECT_NE(std::string(e.what()).find(said), std::string::npos) << e.what();
    }
  }
  cfg.spec = NetworkSpec::parse("d16:relu-d10");
  b->configure(cfg, d, d);
  o.layer = -1;
  EXPECT_THROW(compute_saliency(*b, 0, image.data(), o), std::invalid_argument);
}

// Where the layers above the maps are one dense layer, d logit_c / dA is that layer's row c:
// a_k is the mean of its weights over channel k's places, and the map ReLU(sum_k a_k A_k),
// resized to the input.
TEST(GradCam, OfALinearHeadIsItsWeightsMeanOverEachChannel) {
  const Shape3 shape{1, 12, 12};
  GroupConfig cfg;
  cfg.spec = NetworkSpec::parse("c3x3:tanh-d4", shape, 4);  // A: 3 x 10 x 10
  cfg.seeds = {7, 8};
  const Dataset d = bars(16, shape, 4, 3);
  auto b = make_cpu_backend(2);
  b->configure(cfg, d, d);
  std::vector<float> image(static_cast<size_t>(shape.size()));
  for (size_t p = 0; p < image.size(); ++p) image[p] = d.images[p] / 255.f;
  std::vector<float> a(300), w(4 * 300);
  b->features(1, image.data(), 1, 0, a.data());
  b->read_tensor(1, 2, TensorRole::Param, w.data());  // fc1.weight [4, 300]
  double largest = 0;
  for (int c = 0; c < 4; ++c) {
    SaliencyOptions o;
    o.method = SaliencyMethod::GradCam;
    o.target = SaliencyTarget::Index;
    o.index = c;
    const SaliencyMap m = compute_saliency(*b, 1, image.data(), o);
    EXPECT_EQ(m.layer, 0);
    EXPECT_FALSE(m.is_signed);
    std::vector<float> cam(100, 0.f);
    for (int k = 0; k < 3; ++k) {
      double alpha = 0;
      for (int p = 0; p < 100; ++p) alpha += w[c * 300 + k * 100 + p];
      alpha /= 100;
      for (int p = 0; p < 100; ++p) cam[p] += static_cast<float>(alpha * a[k * 100 + p]);
    }
    for (float& v : cam) v = std::max(v, 0.f);
    const std::vector<float> expected = resize_bilinear(cam.data(), 10, 10, 12, 12);
    ASSERT_EQ(m.values.size(), expected.size());
    for (size_t p = 0; p < expected.size(); ++p) {
      ASSERT_NEAR(m.values[p], expected[p], 1e-5 + 1e-4 * std::abs(expected[p])) << c << " " << p;
      largest = std::max(largest, static_cast<double>(expected[p]));
    }
  }
  EXPECT_GT(largest, 1e-3) << "every map is 0: the check means little";
}

TEST(SaliencyBench, DISABLED_ReferenceNetworkTime) {
  const Shape3 shape{1, 28, 28};
  const Dataset d = bars(64, shape, 10, 1);
  GroupConfig cfg;
  cfg.seeds = {1};
  auto b = make_cpu_backend(2);
  b->configure(cfg, d, d);
  std::vector<float> image(static_cast<size_t>(shape.size()));
  for (size_t p = 0; p < image.size(); ++p) image[p] = d.images[p] / 255.f;
  const auto best_ms = [](auto f) {
    double best = 1e9;
    for (int r = 0; r < 20; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      f();
      best = std::min(
          best,
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
  };
  std::vector<float> probs(10);
  const double predict = best_ms([&] { b->predict(0, image.data(), 1, probs.data(), nullptr); });
  SaliencyOptions o;
  const double vanilla = best_ms([&] { compute_saliency(*b, 0, image.data(), o); });
  o.method = SaliencyMethod::SmoothGrad;
  const double smooth = best_ms([&] { compute_saliency(*b, 0, image.data(), o); });
  o.method = SaliencyMethod::IntegratedGradients;
  const double ig = best_ms([&] { compute_saliency(*b, 0, image.data(), o); });
  o.method = SaliencyMethod::Occlusion;
  const double occlusion = best_ms([&] { compute_saliency(*b, 0, image.data(), o); });
  std::printf(
      "{\"threads\":2,\"predict_ms\":%.2f,\"vanilla_ms\":%.2f,\"smoothgrad50_ms\":%.2f,"
      "\"integrated_gradients50_ms\":%.2f,\"occlusion5_ms\":%.2f}\n",
      predict, vanilla, smooth, ig, occlusion);
  EXPECT_LT(predict, 30.0);
  EXPECT_LT(smooth, 100.0);
  EXPECT_LT(ig, 100.0);
  EXPECT_LT(occlusion, 100.0);
}

}  // namespace
}  // namespace cs
