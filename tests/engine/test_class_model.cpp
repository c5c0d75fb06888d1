// Class models on the CPU backend: a linear network's steps worked out by hand (the normalised
// gradient, the decay, the clamp, the jitter undone, the blur), a network trained on bars paints
// each class's bar, determinism, divergence and refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "convscope/class_model.h"
#include "convscope/cpu_backend.h"
#include "convscope/error.h"
#include "synthetic_data.h"

namespace cs {
namespace {

const Shape3 kShape{1, 12, 12};
constexpr int kClasses = 4;
constexpr size_t kSize = 144;

std::unique_ptr<Backend> configured(const std::string& arch) {
  GroupConfig cfg;
  cfg.spec = NetworkSpec::parse(arch, kShape, kClasses);
  cfg.optimizer = OptimizerConfig::defaults(OptimizerKind::Adam);
  cfg.optimizer.lr = 0.01f;
  cfg.seeds = {3};
  cfg.batch_size = 16;
  std::unique_ptr<Backend> b = make_cpu_backend(2);
  b->configure(cfg, test::bars(96, kShape, kClasses, 1), test::bars(8, kShape, kClasses, 2));
  return b;
}

// shift(x, dy, dx) of one 12x12 plane, as class_model.h defines it.
std::vector<float> shifted(const float* x, int dy, int dx) {
  std::vector<float> out(kSize, 0.f);
  for (int y = 0; y < 12; ++y)
    for (int c = 0; c < 12; ++c)
      if (y - dy >= 0 && y - dy < 12 && c - dx >= 0 && c - dx < 12)
        out[static_cast<size_t>(y * 12 + c)] = x[(y - dy) * 12 + (c - dx)];
  return out;
}

// One ascent step on image x along gradient g (class_model.h), in double.
void ascend(std::vector<float>& x, const std::vector<float>& g, float rate, float decay) {
  double squares = 0;
  for (float v : g) squares += double(v) * v;
  const double rms = std::sqrt(squares / double(g.size()));
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(std::clamp(x[i] + rate * g[i] / rms - decay * double(x[i]), 0.0, 1.0));
}

// `steps` bare steps from black: no noise, decay, blur or jitter (a test adds the one it checks).
ClassModelOptions bare(int steps, int layer = -1) {
  ClassModelOptions o;
  o.layer = layer;
  o.steps = steps;
  o.noise = 0;
  o.decay = 0;
  o.blur_every = 0;
  o.jitter = 0;
  return o;
}

class LinearClassModels : public testing::Test {
 protected:
  void SetUp() override {
    m_backend = configured("d4");  // logit_c = w_c . x + b_c: its gradient is w_c everywhere
    m_w.resize(kClasses * kSize);
    m_backend->read_tensor(0, 0, TensorRole::Param, m_w.data());
  }
  const float* w(int c) const { return m_w.data() + static_cast<size_t>(c) * kSize; }

  std::unique_ptr<Backend> m_backend;
  std::vector<float> m_w;  // (classes, 144)
};

TEST_F(LinearClassModels, StepsAreTheNormalisedGradientDecayedAndClamped) {
  ClassModelOptions o = bare(3);
  o.rate = 0.3f;
  o.decay = 0.2f;
  const ClassModels m = class_models(*m_backend, 0, o);
  ASSERT_EQ(m.classes, kClasses);
  ASSERT_EQ(m.units, kClasses);
  EXPECT_TRUE(m.of_classes);
  EXPECT_EQ(m.layer, 0);
  ASSERT_EQ(m.images.size(), kClasses * kSize);
  for (int c = 0; c < kClasses; ++c) {
    std::vector<float> x(kSize, 0.f), g(w(c), w(c) + kSize);
    for (int step = 0; step < 3; ++step) ascend(x, g, o.rate, o.decay);
    int clamped = 0;
    for (size_t i = 0; i < kSize; ++i) {
      EXPECT_NEAR(m.images[c * kSize + i], x[i], 1e-5) << "class " << c << " pixel " << i;
      clamped += x[i] == 0.f || x[i] == 1.f;
    }
    EXPECT_GT(clamped, 0);  // the clamp was exercised
    // The logit and probability reported are the network's on the image.
    double logit = 0;
    std::vector<float> bias(kClasses);
    m_backend->read_tensor(0, 1, TensorRole::Param, bias.data());
    for (size_t i = 0; i < kSize; ++i) logit += double(w(c)[i]) * m.images[c * kSize + i];
    EXPECT_NEAR(m.score[c], logit + bias[c], 1e-4);
    std::vector<float> probs(kClasses);
    m_backend->predict(0, m.images.data() + c * kSize, 1, probs.data(), nullptr);
    for (int k = 0; k < kClasses; ++k) EXPECT_EQ(m.probs[c * kClasses + k], probs[k]);
  }
}

TEST_F(LinearClassModels, TheJitterIsUndoneOnTheGradient) {
  // logit(shift(x, dy, dx)) = w . shift(x): its gradient is w moved back by (-dy, -dx).
  ClassModelOptions o = bare(1);
  o.jitter = 2;
  int moved = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    o.seed = seed;
    const PixelShift j = class_model_jitter(seed, 0, o.jitter);
    ASSERT_LE(std::abs(j.dy), 2);
    ASSERT_LE(std::abs(j.dx), 2);
    moved += j.dy != 0 || j.dx != 0;
    const ClassModels m = class_models(*m_backend, 0, o);
    for (int c = 0; c < kClasses; ++c) {
      std::vector<float> x(kSize, 0.f);
      ascend(x, shifted(w(c), -j.dy, -j.dx), o.rate, 0.f);
      for (size_t i = 0; i < kSize; ++i)
        ASSERT_NEAR(m.images[c * kSize + i], x[i], 1e-5) << "seed " << seed << " class " << c;
    }
  }
  EXPECT_GE(moved, 3);  // the seeds drew shifts, not only (0, 0)
}

TEST_F(LinearClassModels, TheBlurIsBinomialRenormalisedAtTheEdges) {
  ClassModelOptions o = bare(1);
  o.blur_every = 1;
  const ClassModels m = class_models(*m_backend, 0, o);
  std::vector<float> x(kSize, 0.f);
  ascend(x, std::vector<float>(w(2), w(2) + kSize), o.rate, 0.f);
  const double k[3] = {1, 2, 1};
  for (int y = 0; y < 12; ++y)
    for (int c = 0; c < 12; ++c) {
      double sum = 0, weights = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx)
          if (y + dy >= 0 && y + dy < 12 && c + dx >= 0 && c + dx < 12) {
            sum += k[dy + 1] * k[dx + 1] * x[(y + dy) * 12 + c + dx];
            weights += k[dy + 1] * k[dx + 1];
          }
      EXPECT_NEAR(m.images[2 * kSize + y * 12 + c], sum / weights, 1e-5) << y << "," << c;
    }
}

TEST(ClassModels, ANetworkTrainedOnBarsPaintsEachClassesBar) {
  std::unique_ptr<Backend> b = configured("c3x5:tanh:same-a2-c3x6:relu-m2-d10:tanh-d4");
  const Dataset train = test::bars(96, kShape, kClasses, 1);
  for (int epoch = 0; epoch < 10; ++epoch) {
    b->begin_epoch(epoch);
    for (int first = 0; first < train.count; first += 16) b->train_step(first, 16);
  }
  const ClassModels m = class_models(*b, 0, ClassModelOptions{});
  for (int c = 0; c < kClasses; ++c) {
    EXPECT_EQ(m.predicted[c], c);
    EXPECT_GT(m.probs[c * kClasses + c], 0.45f) << "class " << c;  // chance: 0.25
    // Class c is the bright row 1 + 2c: the model's brightest row (a row's mean) is that one or
    // a neighbour (the network's two poolings see rows in pairs; the blur and jitter smear).
    std::vector<double> rows(12, 0.0);
    for (size_t i = 0; i < kSize; ++i) {
      const float v = m.images[c * kSize + i];
      ASSERT_GE(v, 0.f);
      ASSERT_LE(v, 1.f);
      rows[i / 12] += v / 12;
    }
    EXPECT_LE(std::abs(std::max_element(rows.begin(), rows.end()) - rows.begin() - (1 + 2 * c)), 1)
        << "class " << c;
  }
  // The same seed gives the same images; another seed (other jitters) others.
  EXPECT_EQ(class_models(*b, 0, ClassModelOptions{}).images, m.images);
  ClassModelOptions other;
  other.seed = 9;
  EXPECT_NE(class_models(*b, 0, other).images, m.images);
  // Four images one or three at a time (3 + 1): each image's ascent is its own.
  for (const int batch : {1, 3}) {
    ClassModelOptions in_parts;
    in_parts.batch = batch;
    const ClassModels parts = class_models(*b, 0, in_parts);
    EXPECT_EQ(parts.images, m.images) << "batch " << batch;
    EXPECT_EQ(parts.score, m.score) << "batch " << batch;
    EXPECT_EQ(parts.probs, m.probs) << "batch " << batch;
    EXPECT_EQ(parts.predicted, m.predicted) << "batch " << batch;
  }
}

// A hidden layer: each channel's mean output. For a linear 3x3 convolution over 12x12 images
// (10x10 places), d mean / d x[r][c] is the sum of the kernel's weights that touch (r, c) over 100.
TEST(ClassModels, AHiddenChannelsModelAscendsItsMeanOutput) {
  std::unique_ptr<Backend> b = configured("c3x2:linear-d4");
  std::vector<float> w(2 * 9);
  b->read_tensor(0, 0, TensorRole::Param, w.data());  // (2, 1, 3, 3)
  ClassModelOptions o = bare(1, 0);
  const ClassModels m = class_models(*b, 0, o);
  ASSERT_EQ(m.units, 2);
  EXPECT_FALSE(m.of_classes);
  ASSERT_EQ(m.images.size(), 2 * kSize);
  std::vector<float> features(2 * 100);
  for (int u = 0; u < 2; ++u) {
    std::vector<float> g(kSize, 0.f), x(kSize, 0.f);
    for (int r = 0; r < 10; ++r)
      for (int c = 0; c < 10; ++c)
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) g[(r + i) * 12 + c + j] += w[u * 9 + i * 3 + j] / 100;
    ascend(x, g, o.rate, 0.f);
    for (size_t i = 0; i < kSize; ++i)
      ASSERT_NEAR(m.images[u * kSize + i], x[i], 1e-5) << "channel " << u << " pixel " << i;
    // Its score: the channel's mean output on the image.
    b->features(0, m.images.data() + u * kSize, 1, 0, features.data());
    double mean = 0;
    for (int p = 0; p < 100; ++p) mean += features[u * 100 + p] / 100.0;
    EXPECT_NEAR(m.score[u], mean, 1e-5);
  }
  // One image at a time: each channel's score is still its own channel's.
  o.batch = 1;
  const ClassModels alone = class_models(*b, 0, o);
  EXPECT_EQ(alone.images, m.images);
  EXPECT_EQ(alone.score, m.score);
  // More steps raise each channel's mean output further.
  o.steps = 20;
  o.noise = 0.1f;
  const ClassModels more = class_models(*b, 0, o);
  for (int u = 0; u < 2; ++u) EXPECT_GT(more.score[u], m.score[u]) << "channel " << u;
}

TEST(ClassModels, ADivergedNetworkIsSaidSo) {
  std::unique_ptr<Backend> b = configured("d4");
  std::vector<float> w(kClasses * kSize, std::numeric_limits<float>::quiet_NaN());
  b->write_tensor(0, 0, TensorRole::Param, w.data());
  try {
    class_models(*b, 0, ClassModelOptions{});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Divergence);
    EXPECT_NE(std::string(e.what()).find("diverged"), std::string::npos) << e.what();
  }
}

TEST(ClassModels, BadOptionsAreRefused) {
  std::unique_ptr<Backend> b = configured("d4");
  const auto refused = [&](auto change) {
    ClassModelOptions o;
    change(o);
    EXPECT_THROW(class_models(*b, 0, o), std::invalid_argument);
  };
  refused([](ClassModelOptions& o) { o.layer = 2; });  // d4 has one layer
  refused([](ClassModelOptions& o) { o.layer = -2; });
  refused([](ClassModelOptions& o) { o.steps = 0; });
  refused([](ClassModelOptions& o) { o.noise = -0.1f; });
  refused([](ClassModelOptions& o) { o.noise = 1.5f; });
  refused([](ClassModelOptions& o) { o.rate = 0; });
  refused([](ClassModelOptions& o) { o.rate = std::numeric_limits<float>::infinity(); });
  refused([](ClassModelOptions& o) { o.decay = 1; });
  refused([](ClassModelOptions& o) { o.decay = -0.1f; });
  refused([](ClassModelOptions& o) { o.blur_every = -1; });
  refused([](ClassModelOptions& o) { o.jitter = 6; });  // half of 12
  refused([](ClassModelOptions& o) { o.jitter = -1; });
  refused([](ClassModelOptions& o) { o.batch = 0; });
  EXPECT_THROW(class_models(*b, 1, ClassModelOptions{}), std::out_of_range);  // one network
}

}  // namespace
}  // namespace cs
