// The learning-rate range test (L. N. Smith, "Cyclical Learning Rates for Training Neural
// Networks", 2017; fastai's lr_find): a freshly initialized network trained for a few steps while
// the rate grows exponentially from a minimum to a maximum, each step's loss recorded. The loss
// falls while the rate is useful and blows up once it is too large; a good rate to train with is
// about a tenth of the one where the smoothed loss was lowest, which the test suggests.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "convscope/backend.h"

namespace cs {

struct LrFinderSettings {
  double min_lr = 1e-6, max_lr = 1;  // the rates of the first and the last step
  int steps = 100;
  // The test stops once the smoothed loss exceeds this many times its lowest, or a loss is not
  // finite.
  double divergence = 4;
};

struct LrFinderPoint {
  double lr = 0;   // the rate of step t (1-based): min_lr (max_lr / min_lr)^((t - 1) / (steps - 1))
  float loss = 0;  // the step's mean batch loss
  double smoothed = 0;  // the debiased moving average of the losses so far (0.98 of the last)
};

struct LrFinderResult {
  // One per step trained; a step whose loss was not finite is left out.
  std::vector<LrFinderPoint> points;
  bool diverged = false;  // stopped by the divergence rule or a loss not finite, not at max_lr
  int diverged_step = 0;  // then the step it stopped at (1-based), and its rate
  double diverged_lr = 0;
  double lowest_lr = 0;     // the rate where the smoothed loss was lowest
  double suggested_lr = 0;  // lowest_lr / 10; 0 with fewer than 10 points

  // The smoothed loss was lowest at the last step recorded, still falling there: the test was
  // stopped early, or its maximum rate was too low to find where the loss turns. Not when the
  // step after it diverged: the loss turned there, and a higher maximum would find nothing.
  bool still_falling() const {
    return !diverged && !points.empty() && lowest_lr == points.back().lr;
  }
};

// Why `settings` cannot run ("" when they can): a minimum rate of 0 or less, a maximum not
// above it or above 10, steps outside [10, 10000], a divergence factor of 1 or less, or, for an
// optimizer with a weight decay, a maximum at which lr x weight_decay reaches 1 (a run's limit,
// OptimizerConfig::problem()).
std::string lr_finder_problem(const LrFinderSettings& settings, float weight_decay = 0);

// Runs the test on `backend`, configured here for network 0 of `group` (its seed, spec,
// optimizer and batch size; its learning rate and schedule replaced by the test's growing rate),
// on `train` in the group's batches, a new epoch after each pass. `point`, if given, hears of
// each step as it is recorded; false from it ends the test there. Throws InputError for
// impossible settings, and what the backend throws.
LrFinderResult find_learning_rate(Backend& backend, GroupConfig group, const Dataset& train,
                                  const Dataset& val, const LrFinderSettings& settings,
                                  const std::function<bool(const LrFinderPoint&)>& point = {});

}  // namespace cs
