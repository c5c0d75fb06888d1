#include "convscope/lr_finder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "convscope/lr_schedule.h"
#include "convscope/optimizer_math.h"

namespace cs {

namespace {

constexpr double kSmoothing = 0.98;  // fastai's: the average of about the last 50 steps
constexpr int kMinPointsToSuggest = 10;

}  // namespace

std::string lr_finder_problem(const LrFinderSettings& s, float weight_decay) {
  // A float rate, and its growth max / min as a float: below 1e-30 either may not be.
  if (!(s.min_lr >= 1e-30)) return "the minimum learning rate must be at least 1e-30";
  if (!(s.max_lr > s.min_lr)) return "the maximum learning rate must be above the minimum";
  if (s.max_lr > 10) return "the maximum learning rate must be at most 10";
  if (s.steps < 10 || s.steps > 10000) return "the steps must be in [10, 10000]";
  if (!(s.divergence > 1)) return "the divergence factor must be above 1";
  if (weight_decay > 0 && !(s.max_lr * weight_decay < 1)) {
    std::ostringstream text;
    text << "the maximum learning rate times the weight decay (" << weight_decay
         << ") must be below 1, so the maximum below " << 1 / weight_decay;
    return text.str();
  }
  return {};
}

LrFinderResult find_learning_rate(Backend& backend, GroupConfig group, const Dataset& train,
                                  const Dataset& val, const LrFinderSettings& settings,
                                  const std::function<bool(const LrFinderPoint&)>& point) {
  if (const std::string problem = lr_finder_problem(settings, group.optimizer.weight_decay);
      !problem.empty())
    throw InputError(problem);
  group.seeds.resize(1);
  const long long per_epoch = steps_per_epoch(train.count, group.batch_size);
  // The growth as an exponential schedule that rises (R = max / min): the backends take each
  // step's rate from it as they take a decay's. Only the test builds one; a run's schedules
  // decay (LrSchedule::problem()).
  group.optimizer.lr = static_cast<float>(settings.min_lr);
  group.optimizer.schedule = LrSchedule{};
  group.optimizer.schedule.decay = LrDecay::Exponential;
  group.optimizer.schedule.epochs =
      static_cast<float>(static_cast<double>(settings.steps - 1) / static_cast<double>(per_epoch));
  group.optimizer.schedule.rate = static_cast<float>(settings.max_lr / settings.min_lr);
  backend.configure(group, train, val);

  LrFinderResult result;
  double average = 0, lowest = 0;
  for (int step = 1; step <= settings.steps; ++step) {
    const long long in_epoch = (step - 1) % per_epoch;
    if (in_epoch == 0) backend.begin_epoch(static_cast<int>((step - 1) / per_epoch));
    const int first = static_cast<int>(in_epoch) * group.batch_size;
    backend.train_step(first, std::min(group.batch_size, train.count - first));
    const std::vector<float> losses = backend.take_losses();
    backend.take_accuracies();  // drained with the losses, unused
    const double lr = optimizer_scalars(group.optimizer, step, per_epoch).lr;
    const auto diverge = [&] {
      result.diverged = true;
      result.diverged_step = step;
      result.diverged_lr = lr;
    };
    const float loss = losses.empty() ? std::numeric_limits<float>::quiet_NaN() : losses.back();
    if (!std::isfinite(loss)) {
      diverge();
      break;
    }
    average = kSmoothing * average + (1 - kSmoothing) * loss;
    const LrFinderPoint p{lr, loss, average / (1 - std::pow(kSmoothing, step))};
    if (result.points.empty() || p.smoothed < lowest) {
      lowest = p.smoothed;
      result.lowest_lr = p.lr;
    }
    result.points.push_back(p);
    if (point && !point(p)) break;
    if (p.smoothed > settings.divergence * lowest) {
      diverge();
      break;
    }
  }
  if (result.points.size() >= kMinPointsToSuggest) result.suggested_lr = result.lowest_lr / 10;
  return result;
}

}  // namespace cs
