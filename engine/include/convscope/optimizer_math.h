// Per-element optimizer update rules, shared by the CPU backend and the CUDA kernels so both
// run identical arithmetic.
#pragma once

#include <cmath>

#include "convscope/hd.h"
#include "convscope/optimizer.h"

namespace cs {

// Scalars for one optimizer step t (1-based), computed once on the host per step.
struct OptimizerScalars {
  OptimizerKind kind;
  float lr, beta1, beta2, epsilon, momentum, rho;
  float bias1;  // 1 - beta1^t (adam, adamax)
  float bias2;  // 1 - beta2^t (adam)
  float keep;   // 1 - lr x weight_decay: each parameter's share left by the weight decay
};

// The learning rate is c.lr times the schedule's factor at step t, with steps_per_epoch steps
// an epoch (the epoch's samples over the batch size, rounded up).
inline OptimizerScalars optimizer_scalars(const OptimizerConfig& c, long long t,
                                          long long steps_per_epoch) {
  const double b1t = std::pow(static_cast<double>(c.beta1), static_cast<double>(t));
  const double b2t = std::pow(static_cast<double>(c.beta2), static_cast<double>(t));
  const float lr = static_cast<float>(c.lr * c.schedule.factor(t, steps_per_epoch));
  return {c.kind,
          lr,
          c.beta1,
          c.beta2,
          c.epsilon,
          c.momentum,
          c.rho,
          static_cast<float>(1.0 - b1t),
          static_cast<float>(1.0 - b2t),
          static_cast<float>(1.0 - static_cast<double>(lr) * c.weight_decay)};
}

// Update one parameter p given its gradient g and state slots s0, s1 (see OptimizerConfig::slots).
// The weight decay comes first (OptimizerConfig::weight_decay); without one p is left untouched,
// not multiplied by 1, which would flush a denormal p to zero under FTZ.
CS_HD void optimizer_update(const OptimizerScalars& s, float& p, float g, float& s0, float& s1) {
  if (s.keep != 1.f) p *= s.keep;
  switch (s.kind) {
    case OptimizerKind::Sgd:
      p -= s.lr * g;
      break;
    case OptimizerKind::Momentum:  // s0: velocity
      s0 = s.momentum * s0 + g;
      p -= s.lr * s0;
      break;
    case OptimizerKind::Adam: {  // s0: m, s1: v
      s0 = s.beta1 * s0 + (1.f - s.beta1) * g;
      s1 = s.beta2 * s1 + (1.f - s.beta2) * g * g;
      p -= s.lr * (s0 / s.bias1) / (sqrtf(s1 / s.bias2) + s.epsilon);
      break;
    }
    case OptimizerKind::RmsProp: {  // s0: mean square, s1: momentum buffer
      s0 = s.rho * s0 + (1.f - s.rho) * g * g;
      s1 = s.momentum * s1 + s.lr * g / sqrtf(s0 + s.epsilon);
      p -= s1;
      break;
    }
    case OptimizerKind::Adagrad:  // s0: accumulated g^2 (starts at initial_accumulator)
      s0 += g * g;
      p -= s.lr * g / sqrtf(s0 + s.epsilon);
      break;
    case OptimizerKind::Adadelta: {  // s0: accumulated g^2, s1: accumulated update^2
      s0 = s.rho * s0 + (1.f - s.rho) * g * g;
      const float u = sqrtf(s1 + s.epsilon) / sqrtf(s0 + s.epsilon) * g;
      s1 = s.rho * s1 + (1.f - s.rho) * u * u;
      p -= s.lr * u;
      break;
    }
    case OptimizerKind::Adamax: {  // s0: m, s1: infinity norm u
      s0 = s.beta1 * s0 + (1.f - s.beta1) * g;
      s1 = fmaxf(s.beta2 * s1, fabsf(g));
      p -= (s.lr / s.bias1) * s0 / (s1 + s.epsilon);
      break;
    }
  }
}

}  // namespace cs
