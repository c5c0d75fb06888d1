// Optimizers: the shared float update rule (optimizer_math.h) against an independent
// double-precision implementation of each TensorFlow.js rule, convergence on convex quadratics,
// the TF.js defaults, and the names.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "convscope/optimizer.h"
#include "convscope/optimizer_math.h"

namespace cs {

void PrintTo(OptimizerKind k, std::ostream* os) {
  *os << to_string(k);
}

namespace {

// One parameter's state in double precision.
struct RefState {
  double p = 0, s0 = 0, s1 = 0;
};

// The rules as TensorFlow.js writes them (tfjs-core/src/optimizers/*_optimizer.ts), step t >= 1.
void reference_step(const OptimizerConfig& c, long long t, double g, RefState& st) {
  const double lr = c.lr, b1 = c.beta1, b2 = c.beta2, eps = c.epsilon;
  const double mom = c.momentum, rho = c.rho;
  double b1t = 1, b2t = 1;  // beta^t by repeated multiplication, not pow
  for (long long i = 0; i < t; ++i) {
    b1t *= b1;
    b2t *= b2;
  }
  switch (c.kind) {
    case OptimizerKind::Sgd:
      st.p = st.p - lr * g;
      break;
    case OptimizerKind::Momentum:  // accumulation = momentum * accumulation + g
      st.s0 = mom * st.s0 + g;
      st.p = st.p - lr * st.s0;
      break;
    case OptimizerKind::Adam: {  // Kingma & Ba, Algorithm 1
      st.s0 = b1 * st.s0 + (1 - b1) * g;
      st.s1 = b2 * st.s1 + (1 - b2) * g * g;
      const double m_hat = st.s0 / (1 - b1t), v_hat = st.s1 / (1 - b2t);
      st.p = st.p - lr * m_hat / (std::sqrt(v_hat) + eps);
      break;
    }
    case OptimizerKind::RmsProp:  // plain (not centered), with momentum
      st.s0 = rho * st.s0 + (1 - rho) * g * g;
      st.s1 = mom * st.s1 + lr * g / std::sqrt(st.s0 + eps);
      st.p = st.p - st.s1;
      break;
    case OptimizerKind::Adagrad:
      st.s0 = st.s0 + g * g;
      st.p = st.p - lr * g / std::sqrt(st.s0 + eps);
      break;
    case OptimizerKind::Adadelta: {  // Zeiler 2012, Algorithm 1, times the learning rate
      st.s0 = rho * st.s0 + (1 - rho) * g * g;
      const double dx = std::sqrt(st.s1 + eps) / std::sqrt(st.s0 + eps) * g;
      st.s1 = rho * st.s1 + (1 - rho) * dx * dx;
      st.p = st.p - lr * dx;
      break;
    }
    case OptimizerKind::Adamax:
      st.s0 = b1 * st.s0 + (1 - b1) * g;
      st.s1 = std::max(b2 * st.s1, std::abs(g));
      st.p = st.p - lr / (1 - b1t) * st.s0 / (st.s1 + eps);
      break;
  }
}

// Slot 0 starts at initial_accumulator for Adagrad (as backends initialize it), else at zero.
double initial_slot0(const OptimizerConfig& c) {
  return c.kind == OptimizerKind::Adagrad ? c.initial_accumulator : 0.0;
}

// Non-default values for every hyperparameter, to catch a rule reading the wrong field.
OptimizerConfig custom_config(OptimizerKind kind) {
  OptimizerConfig c = OptimizerConfig::defaults(kind);
  c.lr *= 3;
  c.beta1 = 0.8f;
  c.beta2 = 0.99f;
  c.epsilon = 1e-2f;  // large enough that where epsilon enters the rule shows
  c.momentum = 0.5f;
  c.rho = 0.8f;
  c.initial_accumulator = 0.01f;
  return c;
}

class OptimizerTest : public testing::TestWithParam<OptimizerKind> {};

void expect_matches_reference(const OptimizerConfig& cfg) {
  constexpr int kParams = 32, kSteps = 60;
  std::vector<float> p(kParams), s0(kParams), s1(kParams, 0.f);
  std::vector<RefState> ref(kParams);
  for (int i = 0; i < kParams; ++i) {
    p[i] = static_cast<float>(std::sin(1.7 * i));
    s0[i] = static_cast<float>(initial_slot0(cfg));
    ref[i] = {p[i], s0[i], 0.0};
  }
  for (long long t = 1; t <= kSteps; ++t) {
    const OptimizerScalars sc = optimizer_scalars(cfg, t, 1);
    for (int i = 0; i < kParams; ++i) {
      const float g = static_cast<float>(0.5 * std::sin(0.7 * i + 1.3 * t) + 0.1 * std::cos(t));
      optimizer_update(sc, p[i], g, s0[i], s1[i]);
      reference_step(cfg, t, g, ref[i]);
    }
  }
  // |a - b| <= atol + rtol * |ref| on every parameter and slot; report the worst.
  const double atol = 2e-6, rtol = 2e-4;
  double worst = 0;
  std::string where;
  for (int i = 0; i < kParams; ++i) {
    const std::pair<double, double> pairs[] = {
        {p[i], ref[i].p}, {s0[i], ref[i].s0}, {s1[i], ref[i].s1}};
    const char* names[] = {"p", "s0", "s1"};
    for (int k = 0; k < 3; ++k) {
      if (k >= cfg.slots() + 1) break;
      const auto [a, b] = pairs[k];
      const double excess = std::abs(a - b) / (atol + rtol * std::abs(b));
      if (!(excess <= worst)) {
        worst = excess;
        where = std::string(names[k]) + "[" + std::to_string(i) + "] = " + std::to_string(a) +
                ", reference " + std::to_string(b);
      }
    }
  }
  EXPECT_LE(worst, 1.0) << cfg.to_string() << ": worst element " << where;
}

TEST_P(OptimizerTest, UpdateMatchesReferenceWithDefaults) {
  expect_matches_reference(OptimizerConfig::defaults(GetParam()));
}

TEST_P(OptimizerTest, UpdateMatchesReferenceWithCustomHyperparameters) {
  expect_matches_reference(custom_config(GetParam()));
}

// f(x) = 1/2 sum a_i (x_i - c_i)^2, badly scaled on purpose.
constexpr double kCurvature[] = {1.0, 3.0, 0.3};
constexpr double kMinimum[] = {1.5, -2.0, 0.5};

double quadratic(const std::vector<float>& x) {
  double f = 0;
  for (size_t i = 0; i < x.size(); ++i) f += 0.5 * kCurvature[i] * std::pow(x[i] - kMinimum[i], 2);
  return f;
}

// A learning rate and step budget that suit the test problem (defaults are tuned for nets).
struct QuadraticSetup {
  float lr;
  int steps;
};

QuadraticSetup quadratic_setup(OptimizerKind k) {
  switch (k) {
    case OptimizerKind::Sgd:
      return {0.1f, 1000};
    case OptimizerKind::Momentum:
      return {0.02f, 1000};
    case OptimizerKind::Adam:
      return {0.02f, 4000};
    case OptimizerKind::RmsProp:
      return {0.005f, 4000};
    case OptimizerKind::Adagrad:
      return {0.5f, 4000};
    case OptimizerKind::Adadelta:
      return {1.0f, 20000};
    case OptimizerKind::Adamax:
      return {0.02f, 4000};
  }
  return {0.f, 0};
}

TEST_P(OptimizerTest, MinimizesConvexQuadraticFromSeveralStarts) {
  OptimizerConfig cfg = OptimizerConfig::defaults(GetParam());
  const QuadraticSetup setup = quadratic_setup(GetParam());
  cfg.lr = setup.lr;
  const std::vector<std::vector<float>> starts = {{0, 0, 0}, {4, 4, -4}, {-3, 1, 6}};
  for (const std::vector<float>& start : starts) {
    std::vector<float> x = start;
    std::vector<float> s0(3, static_cast<float>(initial_slot0(cfg))), s1(3, 0.f);
    for (int t = 1; t <= setup.steps; ++t) {
      const OptimizerScalars sc = optimizer_scalars(cfg, t, 1);
      for (int i = 0; i < 3; ++i) {
        const float g = static_cast<float>(kCurvature[i] * (x[i] - kMinimum[i]));
        optimizer_update(sc, x[i], g, s0[i], s1[i]);
      }
    }
    EXPECT_LT(quadratic(x), 1e-6 * quadratic(start))
        << cfg.to_string() << " from (" << start[0] << ", " << start[1] << ", " << start[2]
        << ") ended at (" << x[0] << ", " << x[1] << ", " << x[2] << ")";
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(x[i], kMinimum[i], 1e-3) << cfg.to_string();
  }
}

TEST_P(OptimizerTest, NameRoundTrips) {
  const OptimizerKind k = GetParam();
  EXPECT_EQ(parse_optimizer(to_string(k)), k);
  const std::string text = OptimizerConfig::defaults(k).to_string();
  EXPECT_EQ(text.substr(0, text.find(' ')), to_string(k));
}

INSTANTIATE_TEST_SUITE_P(All, OptimizerTest, testing::ValuesIn(kAllOptimizers),
                         [](const testing::TestParamInfo<OptimizerKind>& info) {
                           return to_string(info.param);
                         });

// tf.train.* defaults; epsilon left unset in TF.js is the float32 backend epsilon, 1e-7.
TEST(OptimizerDefaults, MatchTensorFlowJs) {
  using K = OptimizerKind;
  const OptimizerConfig sgd = OptimizerConfig::defaults(K::Sgd);
  EXPECT_EQ(sgd.kind, K::Sgd);
  EXPECT_FLOAT_EQ(sgd.lr, 0.01f);

  const OptimizerConfig momentum = OptimizerConfig::defaults(K::Momentum);
  EXPECT_FLOAT_EQ(momentum.lr, 0.01f);
  EXPECT_FLOAT_EQ(momentum.momentum, 0.9f);

  const OptimizerConfig adam = OptimizerConfig::defaults(K::Adam);
  EXPECT_FLOAT_EQ(adam.lr, 0.001f);
  EXPECT_FLOAT_EQ(adam.beta1, 0.9f);
  EXPECT_FLOAT_EQ(adam.beta2, 0.999f);
  EXPECT_FLOAT_EQ(adam.epsilon, 1e-7f);

  const OptimizerConfig rmsprop = OptimizerConfig::defaults(K::RmsProp);
  EXPECT_FLOAT_EQ(rmsprop.lr, 0.001f);
  EXPECT_FLOAT_EQ(rmsprop.rho, 0.9f);
  EXPECT_FLOAT_EQ(rmsprop.momentum, 0.f);
  EXPECT_FLOAT_EQ(rmsprop.epsilon, 1e-7f);

  const OptimizerConfig adagrad = OptimizerConfig::defaults(K::Adagrad);
  EXPECT_FLOAT_EQ(adagrad.lr, 0.01f);
  EXPECT_FLOAT_EQ(adagrad.initial_accumulator, 0.1f);
  EXPECT_FLOAT_EQ(adagrad.epsilon, 1e-7f);

  const OptimizerConfig adadelta = OptimizerConfig::defaults(K::Adadelta);
  EXPECT_FLOAT_EQ(adadelta.lr, 1.0f);  // the paper's and PyTorch's rate (TF.js: 0.001)
  EXPECT_FLOAT_EQ(adadelta.rho, 0.95f);
  EXPECT_FLOAT_EQ(adadelta.epsilon, 1e-7f);

  const OptimizerConfig adamax = OptimizerConfig::defaults(K::Adamax);
  EXPECT_FLOAT_EQ(adamax.lr, 0.002f);
  EXPECT_FLOAT_EQ(adamax.beta1, 0.9f);
  EXPECT_FLOAT_EQ(adamax.beta2, 0.999f);
  EXPECT_FLOAT_EQ(adamax.epsilon, 1e-7f);
}

TEST(OptimizerDefaults, SlotCounts) {
  using K = OptimizerKind;
  const std::pair<K, int> expected[] = {{K::Sgd, 0},     {K::Momentum, 1}, {K::Adam, 2},
                                        {K::RmsProp, 2}, {K::Adagrad, 1},  {K::Adadelta, 2},
                                        {K::Adamax, 2}};
  for (const auto& [kind, slots] : expected)
    EXPECT_EQ(OptimizerConfig::defaults(kind).slots(), slots) << to_string(kind);
}

TEST(OptimizerNames, ToStringListsTheUsedHyperparameters) {
  EXPECT_EQ(OptimizerConfig::defaults(OptimizerKind::Adam).to_string(),
            "adam lr=0.001 beta1=0.9 beta2=0.999 epsilon=1e-07");
  EXPECT_EQ(OptimizerConfig::defaults(OptimizerKind::Sgd).to_string(), "sgd lr=0.01");
  EXPECT_EQ(OptimizerConfig::defaults(OptimizerKind::RmsProp).to_string(),
            "rmsprop lr=0.001 rho=0.9 momentum=0 epsilon=1e-07");
}

TEST(OptimizerNames, ParseIsCaseInsensitiveAndRejectsUnknownNames) {
  EXPECT_EQ(parse_optimizer("RMSProp"), OptimizerKind::RmsProp);
  try {
    parse_optimizer("nesterov");
    FAIL() << "parse_optimizer accepted 'nesterov'";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'nesterov'"), std::string::npos) << msg;
    for (OptimizerKind k : kAllOptimizers)
      EXPECT_NE(msg.find(to_string(k)), std::string::npos) << msg;
  }
  EXPECT_THROW(parse_optimizer(""), std::invalid_argument);
}

}  // namespace
}  // namespace cs
