// Learning-rate schedules. Optimizer step t (1-based) uses lr × factor(t): a linear warm-up over
// the first `warmup` epochs times a decay over the epochs trained before the step,
// e = (t - 1) / steps_per_epoch:
//
//   none            1
//   step:E:R        R^floor(e / E)                          R once every E epochs
//   exp:E:R         R^(e / E)                               R per E epochs, smoothly
//   cosine:E[:R]    R + (1 - R) (1 + cos(π min(e, E) / E)) / 2  from 1 down to R over E epochs
//   warmup:W        min(1, t / round(W × steps_per_epoch))  from 1 / its steps up to 1
//                   (at least one step)
//
// (as PyTorch's StepLR, and Keras's ExponentialDecay and CosineDecay with alpha = R). The
// text form joins a warm-up and a decay with '+': "warmup:1+cosine:10". The rate depends only on
// the step count, so a stopped run that goes on takes the rates it would have taken without the
// stop, and the CPU and CUDA backends compute it the same way (optimizer_scalars()).
#pragma once

#include <string>

namespace cs {

enum class LrDecay { None, Step, Exponential, Cosine };

struct LrSchedule {
  LrDecay decay = LrDecay::None;
  float epochs = 1.f;  // step: epochs between decays; exp: epochs per factor R; cosine: its length
  float rate = 0.5f;   // step, exp: the factor R in (0, 1]; cosine: the final fraction R in [0, 1]
  float warmup = 0.f;  // epochs of linear warm-up; 0: none

  bool constant() const { return decay == LrDecay::None && warmup == 0.f; }
  // The learning rate's multiplier at optimizer step t (1-based), in (0, 1] (cosine may reach 0).
  double factor(long long t, long long steps_per_epoch) const;

  // "constant", "step:2:0.5", "exp:1:0.9", "cosine:10", "warmup:0.5+cosine:10:0.01": the
  // shortest text that parses back to an equal schedule (fields a decay does not use are left out).
  std::string to_string() const;
  // The text form above ("none" and "exponential" are accepted too). Throws std::invalid_argument
  // naming the text and what is wrong with it.
  static LrSchedule parse(const std::string& text);
  // The first field outside its range ("cosine's final fraction must be in [0, 1], got 2");
  // empty when valid.
  std::string problem() const;

  // Equal when they give every step the same rate (to_string() is canonical).
  bool operator==(const LrSchedule& o) const { return to_string() == o.to_string(); }
};

std::string to_string(LrDecay d);  // "none", "step", "exp", "cosine"

// Optimizer steps in an epoch of `samples` images in batches of `batch_size` (the last smaller).
long long steps_per_epoch(long long samples, int batch_size);

}  // namespace cs
