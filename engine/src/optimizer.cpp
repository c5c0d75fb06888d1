// Optimizer configuration: TensorFlow.js defaults, state slot counts and names.
#include "convscope/optimizer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "float_text.h"

namespace cs {

namespace {

struct Hyperparameter {
  const char* name;
  float OptimizerConfig::*field;
};

// The hyperparameters each optimizer's update rule uses (see optimizer_math.h).
std::vector<Hyperparameter> used_hyperparameters(OptimizerKind k) {
  using C = OptimizerConfig;
  switch (k) {
    case OptimizerKind::Sgd:
      return {{"lr", &C::lr}};
    case OptimizerKind::Momentum:
      return {{"lr", &C::lr}, {"momentum", &C::momentum}};
    case OptimizerKind::Adam:
    case OptimizerKind::Adamax:
      return {{"lr", &C::lr}, {"beta1", &C::beta1}, {"beta2", &C::beta2}, {"epsilon", &C::epsilon}};
    case OptimizerKind::RmsProp:
      return {
          {"lr", &C::lr}, {"rho", &C::rho}, {"momentum", &C::momentum}, {"epsilon", &C::epsilon}};
    case OptimizerKind::Adagrad:
      return {{"lr", &C::lr},
              {"initial_accumulator", &C::initial_accumulator},
              {"epsilon", &C::epsilon}};
    case OptimizerKind::Adadelta:
      return {{"lr", &C::lr}, {"rho", &C::rho}, {"epsilon", &C::epsilon}};
  }
  throw std::invalid_argument("invalid OptimizerKind");
}

}  // namespace

// tf.train.* defaults. Where TensorFlow.js leaves epsilon unset it uses the backend's epsilon,
// 1e-7 for float32 backends.
OptimizerConfig OptimizerConfig::defaults(OptimizerKind kind) {
  OptimizerConfig c;
  c.kind = kind;
  switch (kind) {
    case OptimizerKind::Sgd:  // tf.train.sgd has no default rate; 0.01 is the usual choice
      c.lr = 0.01f;
      break;
    case OptimizerKind::Momentum:  // no defaults in tf.train.momentum; the common pair
      c.lr = 0.01f;
      c.momentum = 0.9f;
      break;
    case OptimizerKind::Adam:
    case OptimizerKind::Adamax:  // the same moments; Adamax's rate as in Keras and TF.js
      c.lr = kind == OptimizerKind::Adam ? 0.001f : 0.002f;
      c.beta1 = 0.9f;
      c.beta2 = 0.999f;
      c.epsilon = 1e-7f;
      break;
    case OptimizerKind::RmsProp:  // learning rate required by TF.js; 0.001 as in Keras
      c.lr = 0.001f;
      c.rho = 0.9f;  // TF.js "decay"
      c.momentum = 0.f;
      c.epsilon = 1e-7f;
      break;
    case OptimizerKind::Adagrad:  // learning rate required by TF.js; 0.01 as in Keras 2
      c.lr = 0.01f;
      c.initial_accumulator = 0.1f;
      c.epsilon = 1e-7f;
      break;
    case OptimizerKind::Adadelta:
      // Deliberately not TF.js's 0.001: Adadelta's update already carries units, so the paper
      // (Zeiler 2012) and PyTorch use a rate of 1.0; 0.001 barely moves the weights.
      c.lr = 1.0f;
      c.rho = 0.95f;
      c.epsilon = 1e-7f;
      break;
  }
  return c;
}

int OptimizerConfig::slots() const {
  switch (kind) {
    case OptimizerKind::Sgd:
      return 0;
    case OptimizerKind::Momentum:
    case OptimizerKind::Adagrad:
      return 1;
    case OptimizerKind::Adam:
    case OptimizerKind::RmsProp:
    case OptimizerKind::Adadelta:
    case OptimizerKind::Adamax:
      return 2;
  }
  throw std::invalid_argument("invalid OptimizerKind");
}

std::string OptimizerConfig::problem(std::string* field) const {
  enum Bound { Positive, Fraction, NonNegative };  // (0, inf), [0, 1), [0, inf)
  struct Range {
    const char* name;
    float value;
    Bound bound;
  };
  const Range ranges[] = {{"lr", lr, Positive},
                          {"beta1", beta1, Fraction},
                          {"beta2", beta2, Fraction},
                          {"epsilon", epsilon, Positive},
                          {"momentum", momentum, Fraction},
                          {"rho", rho, Fraction},
                          {"initial_accumulator", initial_accumulator, NonNegative},
                          {"weight_decay", weight_decay, NonNegative}};
  for (const Range& r : ranges) {
    const bool ok = std::isfinite(r.value) && (r.bound == Positive   ? r.value > 0
                                               : r.bound == Fraction ? r.value >= 0 && r.value < 1
                                                                     : r.value >= 0);
    if (ok) continue;
    if (field) *field = r.name;
    char got[32];
    std::snprintf(got, sizeof got, "%g", static_cast<double>(r.value));
    return std::string(r.name) + " must be " +
           (r.bound == Positive   ? "positive"
            : r.bound == Fraction ? "in [0, 1)"
                                  : "at least 0") +
           ", got " + got;
  }
  if (static_cast<double>(lr) * weight_decay >= 1) {
    if (field) *field = "weight_decay";
    return "lr x weight_decay must be below 1 (it would shrink every weight to zero or past it "
           "in one step), got " +
           float_text(lr) + " x " + float_text(weight_decay);
  }
  if (std::string p = schedule.problem(); !p.empty()) {
    if (field) *field = "lr_schedule";
    return p;
  }
  return {};
}

std::string OptimizerConfig::to_string() const {
  std::string s = cs::to_string(kind);
  for (const Hyperparameter& h : used_hyperparameters(kind))
    s += std::string(" ") + h.name + "=" + float_text(this->*h.field);
  if (weight_decay != 0) s += " weight_decay=" + float_text(weight_decay);
  if (!schedule.constant()) s += " schedule=" + schedule.to_string();
  return s;
}

std::vector<std::string> hyperparameter_names(OptimizerKind k) {
  std::vector<std::string> names;
  for (const Hyperparameter& h : used_hyperparameters(k)) names.emplace_back(h.name);
  return names;
}

std::string unused_hyperparameter_problem(OptimizerKind k, const std::string& name) {
  const std::vector<std::string> names = hyperparameter_names(k);
  if (name == "weight_decay" || std::find(names.begin(), names.end(), name) != names.end())
    return {};
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return cs::to_string(k) + " does not use " + name + " (its hyperparameters: " + list + ")";
}

std::string OptimizerConfig::brief() const {
  std::string s = cs::to_string(kind) + " lr=" + float_text(lr);
  if (weight_decay != 0) s += " weight_decay=" + float_text(weight_decay);
  return s;
}

std::string to_string(OptimizerKind k) {
  switch (k) {
    case OptimizerKind::Sgd:
      return "sgd";
    case OptimizerKind::Momentum:
      return "momentum";
    case OptimizerKind::Adam:
      return "adam";
    case OptimizerKind::RmsProp:
      return "rmsprop";
    case OptimizerKind::Adagrad:
      return "adagrad";
    case OptimizerKind::Adadelta:
      return "adadelta";
    case OptimizerKind::Adamax:
      return "adamax";
  }
  throw std::invalid_argument("invalid OptimizerKind");
}

OptimizerKind parse_optimizer(const std::string& name) {
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string valid;
  for (OptimizerKind k : kAllOptimizers) {
    if (to_string(k) == lower) return k;
    valid += (valid.empty() ? "" : ", ") + to_string(k);
  }
  throw std::invalid_argument("unknown optimizer '" + name + "' (valid: " + valid + ")");
}

}  // namespace cs
