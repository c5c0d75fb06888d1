// Optimizers: the TensorFlow.js set with its defaults. The per-element update rules live in
// optimizer_math.h so that the CPU and CUDA backends run the very same arithmetic.
#pragma once

#include <string>
#include <vector>

#include "convscope/lr_schedule.h"

namespace cs {

enum class OptimizerKind { Sgd, Momentum, Adam, RmsProp, Adagrad, Adadelta, Adamax };

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::Adam;
  float lr = 0.001f;
  float beta1 = 0.9f;                // adam, adamax
  float beta2 = 0.999f;              // adam, adamax
  float epsilon = 1e-7f;             // adam, rmsprop, adadelta, adamax
  float momentum = 0.9f;             // momentum; rmsprop's optional momentum (0 = off)
  float rho = 0.95f;                 // adadelta; rmsprop's decay (0.9 by default for rmsprop)
  float initial_accumulator = 0.1f;  // adagrad
  // Decoupled weight decay (Loshchilov & Hutter; PyTorch's AdamW): every step first multiplies
  // every parameter, biases too, by 1 - lr x weight_decay (lr the step's scheduled rate), then
  // applies the optimizer's update. For plain SGD that is L2 regularization of weight_decay / 2.
  float weight_decay = 0.f;
  LrSchedule schedule;  // lr's multiplier step by step (constant by default)

  // The defaults TensorFlow.js uses for `kind` (learning rate included).
  static OptimizerConfig defaults(OptimizerKind kind);
  // Number of per-parameter state slots the optimizer keeps (0, 1 or 2).
  int slots() const;
  // "adam lr=0.001 beta1=0.9 ...", then " weight_decay=0.0001" unless it is 0 and
  // " schedule=cosine:10" unless the schedule is constant.
  std::string to_string() const;
  // The kind, rate and weight decay only, for headings: "adam lr=0.001 weight_decay=0.01".
  std::string brief() const;
  // The first hyperparameter outside its range ("beta1 must be in [0, 1), got 2"), with its
  // name in *field ("lr_schedule" for the schedule's); empty when all are valid. lr and epsilon
  // are positive, the decays in [0, 1), weight_decay at least 0 with lr x weight_decay below 1.
  std::string problem(std::string* field = nullptr) const;
  bool operator==(const OptimizerConfig&) const = default;
};

// The hyperparameters the update rule of `k` uses, named as OptimizerConfig's fields ("lr",
// "beta1", ..., "initial_accumulator"); weight_decay and the schedule apply to every kind.
std::vector<std::string> hyperparameter_names(OptimizerKind k);
// "" when `k` uses the hyperparameter `name` (or it is weight_decay), else why it is refused:
// "adam does not use momentum (its hyperparameters: lr, beta1, beta2, epsilon)".
std::string unused_hyperparameter_problem(OptimizerKind k, const std::string& name);
std::string to_string(OptimizerKind k);                  // "adam"
OptimizerKind parse_optimizer(const std::string& name);  // throws std::invalid_argument
inline constexpr OptimizerKind kAllOptimizers[] = {
    OptimizerKind::Sgd,     OptimizerKind::Momentum, OptimizerKind::Adam,  OptimizerKind::RmsProp,
    OptimizerKind::Adagrad, OptimizerKind::Adadelta, OptimizerKind::Adamax};

}  // namespace cs
