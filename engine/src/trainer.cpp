// Trainer: epochs of steps over a backend, evaluation after each epoch (and every eval_every
// steps), divergence watch.
#include "convscope/trainer.h"

#include "convscope/optimizer_math.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

namespace cs {

namespace {

constexpr TensorRole kRoles[] = {TensorRole::Param, TensorRole::Slot0, TensorRole::Slot1};

int roles_for(const OptimizerConfig& opt) {
  return 1 + opt.slots();
}

}  // namespace

namespace {

std::string divergence_text(long long step, int epoch, int net, long long restored_step,
                            bool mid_epoch, DivergenceError::Found found) {
  using Found = DivergenceError::Found;
  const std::string what = found == Found::ValidationLoss   ? "the validation loss of network "
                           : found == Found::Weights        ? "the weights of network "
                           : found == Found::OptimizerState ? "the optimizer state of network "
                                                            : "the loss of network ";
  const std::string when = found == Found::TrainingLoss ? " became NaN or infinite at step "
                                                        : " became NaN or infinite after step ";
  // A run resumed at a step with its epoch started over (other training data) is not at an
  // epoch's end, nor at its initialization.
  const std::string restored =
      restored_step == 0 ? "its initialization"
      : mid_epoch || epoch == 0
          ? "those of step " + std::to_string(restored_step) + ", where the run was resumed"
          : "the end of epoch " + std::to_string(epoch);
  return what + std::to_string(net) + when + std::to_string(step + 1) + " (epoch " +
         std::to_string(epoch + 1) + "); its weights were restored to " + restored +
         " — try a lower learning rate";
}

}  // namespace

DivergenceError::DivergenceError(long long step, int epoch, int net, long long restored_step,
                                 bool mid_epoch, Found found)
    : Error(ErrorKind::Divergence,
            divergence_text(step, epoch, net, restored_step, mid_epoch, found)),
      m_step(step) {}

std::string not_learning_warning(const EvalResult& eval, int classes, long long steps) {
  if (steps < kNotLearningSteps || classes < 2) return {};
  const double untrained = std::log(static_cast<double>(classes));
  std::vector<int> stuck;
  double best_accuracy = 0, lowest_loss = HUGE_VAL;
  for (int n = 0; n < eval.nets; ++n) {
    const double accuracy = eval.accuracy[n], loss = eval.loss[n];
    if (accuracy > 1.5 / classes || loss < 0.95 * untrained) continue;
    stuck.push_back(n);
    best_accuracy = std::max(best_accuracy, accuracy);
    lowest_loss = std::min(lowest_loss, loss);
  }
  if (stuck.empty()) return {};
  char text[400];
  if (eval.nets == 1) {
    std::snprintf(text, sizeof text,
                  "the network is not learning after %lld steps: its validation accuracy, %.2f%%, "
                  "is no better than guessing among %d classes, and its loss is %.4g (an "
                  "untrained network's is %.4g); a lower learning rate usually helps",
                  steps, 100 * best_accuracy, classes, lowest_loss, untrained);
    return text;
  }
  std::string which = "all " + std::to_string(eval.nets) + " networks are";
  if (stuck.size() == 1) {
    which = "network " + std::to_string(stuck[0]) + " of " + std::to_string(eval.nets) + " is";
  } else if (static_cast<int>(stuck.size()) < eval.nets) {
    which = std::to_string(stuck.size()) + " of " + std::to_string(eval.nets) + " networks (";
    for (size_t i = 0; i < stuck.size() && i < 5; ++i)
      which += (i ? ", " : "") + std::to_string(stuck[i]);
    which += stuck.size() > 5 ? ", ...) are" : ") are";
  }
  std::snprintf(text, sizeof text,
                "%s not learning after %lld steps: validation accuracy at most %.2f%%, no "
                "better than guessing among %d classes, and a loss of at least %.4g (an "
                "untrained network's is %.4g); a lower learning rate usually helps",
                which.c_str(), steps, 100 * best_accuracy, classes, lowest_loss, untrained);
  return text;
}

Trainer::Trainer(Backend& backend, const Dataset& train, const Dataset& val, TrainConfig cfg)
    : m_backend(backend), m_train(train), m_val(val), m_cfg(std::move(cfg)) {
  if (m_cfg.epochs < 1) throw InputError("epochs must be at least 1");
  check_group(m_cfg.group, train, val);
  if (m_cfg.loss_every < 1) m_cfg.loss_every = 1;
  if (m_cfg.eval_every < 0) throw InputError("eval_every must be 0 (epoch ends only) or more");
  m_backend.configure(m_cfg.group, train, val);
  keep_good_state();
}

int Trainer::steps_per_epoch() const {
  return static_cast<int>(cs::steps_per_epoch(m_train.count, m_cfg.group.batch_size));
}

double Trainer::learning_rate(long long step) const {
  const long long t = step + 1 + (m_backend.step_count() - m_global_step);   // Adam's t
  return optimizer_scalars(m_cfg.group.optimizer, t, steps_per_epoch()).lr;  // as the backend's
}

void Trainer::request_snapshot(int net, int probe) {
  if (net < 0 || net >= m_cfg.group.nets() || probe < 0 || probe >= m_val.count) return;
  m_snapshot_request.store((static_cast<long long>(net) << 32) | probe, std::memory_order_release);
}

bool Trainer::step() {
  if (finished()) return false;
  const auto start = std::chrono::steady_clock::now();
  if (!m_in_epoch) {
    m_backend.begin_epoch(m_epoch);
    m_in_epoch = true;
    m_position = 0;
    m_epoch_loss_sum = m_epoch_acc_sum = 0;
    m_epoch_loss_steps = 0;
    m_epoch_seconds = 0;
  }
  const long long req = m_snapshot_request.exchange(-1, std::memory_order_acq_rel);
  if (req >= 0)
    m_backend.request_snapshot(static_cast<int>(req >> 32), static_cast<int>(req & 0xffffffff));

  const int count = std::min(m_cfg.group.batch_size, m_train.count - m_position);
  m_backend.train_step(m_position, count);
  m_position += count;
  ++m_global_step;
  m_samples += count;
  const bool epoch_ends = m_position >= m_train.count;
  if (epoch_ends || m_global_step % m_cfg.loss_every == 0) drain_losses();
  // The epoch's time is its steps' (the drain included: it waits for an asynchronous backend),
  // not a pause or a save between steps, nor a validation pass.
  m_epoch_seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (epoch_ends) {
    end_epoch();
  } else if (m_cfg.eval_every > 0 && m_global_step % m_cfg.eval_every == 0) {
    drain_losses();  // a NaN training loss not drained yet is said as one, at its own step
    evaluate_pass(m_epoch);
    check_validation_loss();
  }
  return !finished();
}

void Trainer::run(const std::atomic<bool>* stop, const std::function<void()>& on_progress) {
  while (!finished() && !(stop && stop->load(std::memory_order_relaxed))) {
    step();
    if (on_progress && m_global_step % m_cfg.loss_every == 0) on_progress();
  }
  if (on_progress) on_progress();
}

void Trainer::drain_losses() {
  const int n = m_cfg.group.nets();
  const std::vector<float> losses = m_backend.take_losses();
  const std::vector<float> accs = m_backend.take_accuracies();
  const size_t steps = losses.size() / static_cast<size_t>(n);
  const bool have_acc = accs.size() == losses.size();
  const long long first = m_global_step - static_cast<long long>(steps);  // steps drained in order
  for (size_t s = 0; s < steps; ++s) {
    double sum = 0, acc = 0;
    for (int k = 0; k < n; ++k) {
      const float l = losses[s * n + k];
      if (!std::isfinite(l)) {
        const long long bad_step = first + static_cast<long long>(s);
        restore_good_state();
        throw DivergenceError(bad_step, m_epoch, k, m_global_step,
                              m_in_epoch || m_good_off_epoch_end);
      }
      sum += l;
      if (have_acc) acc += accs[s * n + k];
    }
    const float mean_acc = have_acc ? static_cast<float>(acc / n) : -1.f;
    const long long step = first + static_cast<long long>(s);
    const LossPoint& point = m_run.losses.emplace_back(LossPoint{
        step, static_cast<float>(sum / n), mean_acc, static_cast<float>(learning_rate(step))});
    // The epoch's means are of the step values as recorded, so that an epoch resumed from them
    // (resume_at) ends with the same numbers as one trained through.
    m_epoch_loss_sum += point.loss;
    m_epoch_acc_sum += have_acc ? point.accuracy : 0;
    ++m_epoch_loss_steps;
  }
}

void Trainer::end_epoch() {
  evaluate_pass(m_epoch + 1);  // with this epoch completed
  check_validation_loss();     // before these weights become the good state
  check_state();               // a ReLU's 0 hides a weight that is not finite from the loss
  EpochMetrics m;
  m.epoch = m_epoch + 1;
  m.seconds = m_epoch_seconds;
  const double steps = static_cast<double>(std::max<long long>(1, m_epoch_loss_steps));
  m.train_loss = m_epoch_loss_sum / steps;
  const bool have_acc = !m_run.losses.empty() && m_run.losses.back().accuracy >= 0;
  m.train_accuracy = have_acc ? m_epoch_acc_sum / steps : -1;
  m.net_val_loss = m_eval.loss;
  m.net_val_accuracy = m_eval.accuracy;
  EvaluationRecord& pass = m_run.evaluations.back();  // evaluate_pass()'s
  pass.epoch_end = true;
  pass.train_loss = m.train_loss;
  pass.train_accuracy = m.train_accuracy;
  m.val_loss = pass.val_loss;
  m.val_accuracy = pass.val_accuracy;
  m.warning = pass.warning;
  m_history.push_back(std::move(m));
  m_best_epoch = m_run.best_epoch();
  m_in_epoch = false;
  ++m_epoch;
  keep_good_state();
  m_good_off_epoch_end = false;
}

void Trainer::resume_at(int epochs_done, long long global_step, RunHistory history,
                        int epoch_position, double epoch_seconds, int patience_from,
                        bool at_epoch_end) {
  const int batch = m_cfg.group.batch_size;
  const int steps_done = epoch_position / batch;
  if (epoch_position < 0 || epoch_position >= m_train.count || epoch_position % batch != 0 ||
      steps_done > global_step)
    throw InputError("cannot resume " + std::to_string(epoch_position) +
                     " samples into an epoch of " + std::to_string(m_train.count) +
                     " training images in batches of " + std::to_string(batch) + " after " +
                     std::to_string(global_step) + " steps");
  m_epoch = std::max(0, epochs_done);
  m_global_step = std::max(0LL, global_step);
  m_run = std::move(history);
  m_in_epoch = false;
  m_best_epoch = m_run.best_epoch();
  m_patience_from = std::clamp(patience_from, 0, m_epoch);
  if (stopped_early()) m_patience_from = m_epoch;  // it stopped so: give it its patience again
  m_position = 0;
  m_epoch_loss_sum = m_epoch_acc_sum = 0;
  m_epoch_loss_steps = 0;
  m_epoch_seconds = 0;
  if (epoch_position > 0 && !finished()) {
    m_backend.begin_epoch(m_epoch);
    m_in_epoch = true;
    m_position = epoch_position;
    m_epoch_seconds = std::max(0.0, epoch_seconds);
    // The epoch's steps so far, as drain_losses() counted them.
    for (const LossPoint& p : m_run.losses)
      if (p.step >= m_global_step - steps_done && p.step < m_global_step) {
        m_epoch_loss_sum += p.loss;
        m_epoch_acc_sum += p.accuracy >= 0 ? p.accuracy : 0;
        ++m_epoch_loss_steps;
      }
  }
  keep_good_state();
  m_good_off_epoch_end = epoch_position == 0 && !at_epoch_end;
}

bool Trainer::stopped_early() const {
  return m_cfg.patience > 0 && !m_in_epoch &&
         m_epoch - std::max(m_best_epoch, m_patience_from) >= m_cfg.patience;
}

std::string Trainer::early_stop_reason() const {
  if (!stopped_early()) return {};
  const int best = m_best_epoch, since = m_epoch - best;
  std::string loss;
  for (const EvaluationRecord& e : m_run.evaluations)
    if (e.epoch_end && std::lround(e.epoch) == best) {
      char text[32];
      std::snprintf(text, sizeof text, "%.4g", e.val_loss);
      loss = text;
    }
  return "no validation loss below epoch " + std::to_string(best) + "'s (" + loss + ") in the " +
         std::to_string(since) + (since == 1 ? " epoch" : " epochs") + " since";
}

const EvalResult& Trainer::evaluate() {
  evaluate_pass(m_epoch);
  return m_eval;
}

void Trainer::record_history(LearningHistory* history, int net) {
  if (history && (net < 0 || net >= m_cfg.group.nets()))
    throw std::invalid_argument("record_history: no network " + std::to_string(net));
  m_learning = history;
  m_learning_net = net;
}

void Trainer::evaluate_pass(int epochs_done) {
  const bool mid_epoch = epochs_done == m_epoch && m_in_epoch;
  m_backend.evaluate(m_eval);
  // A pass at the step of the run's last pass sees the same weights: the record keeps that pass's
  // epoch position (an older checkpoint saved mid-epoch resumes at the epoch's start), and a
  // learning history whose last pass ran at this step is not given the same predictions again.
  const bool again = !m_run.evaluations.empty() && m_run.evaluations.back().step == m_global_step;
  const double position =
      again ? m_run.evaluations.back().epoch
            : epochs_done + (mid_epoch ? static_cast<double>(m_position) / m_train.count : 0.0);
  record_evaluation(position);
  if (!m_learning ||
      (m_learning->passes() > 0 && m_learning->points().back().step == m_global_step))
    return;
  const int index = m_learning->passes() == 0 ? 0 : m_learning->points().back().eval_index + 1;
  m_learning->record(EvalPoint{index, m_global_step, epochs_done, position}, m_eval,
                     m_learning_net);
}

void Trainer::record_evaluation(double epoch_position) {
  EvaluationRecord record;
  record.step = m_global_step;
  record.epoch = epoch_position;
  const int n = m_cfg.group.nets();
  for (int k = 0; k < n; ++k) {
    record.val_loss += m_eval.loss[k] / n;
    record.val_accuracy += m_eval.accuracy[k] / n;
  }
  record.warning = not_learning_warning(m_eval, m_cfg.group.spec.classes, m_global_step);
  m_run.add_evaluation(std::move(record));
}

void Trainer::drain_for_save() {
  drain_losses();
  check_state();
}

void Trainer::check_state() {
  const std::vector<ParamInfo> params = m_cfg.group.spec.params();
  const int roles = roles_for(m_cfg.group.optimizer);
  std::vector<float> values;
  for (int net = 0; net < m_cfg.group.nets(); ++net)
    for (size_t p = 0; p < params.size(); ++p)
      for (int r = 0; r < roles; ++r) {
        values.resize(static_cast<size_t>(params[p].size()));
        m_backend.read_tensor(net, static_cast<int>(p), kRoles[r], values.data());
        if (std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); }))
          continue;
        const long long bad_step = m_global_step - 1;
        restore_good_state();
        throw DivergenceError(
            bad_step, m_epoch, net, m_global_step, m_in_epoch || m_good_off_epoch_end,
            r == 0 ? DivergenceError::Found::Weights : DivergenceError::Found::OptimizerState);
      }
}

void Trainer::check_validation_loss() {
  for (int k = 0; k < m_eval.nets; ++k)
    if (!std::isfinite(m_eval.loss[static_cast<size_t>(k)])) {
      const long long bad_step = m_global_step - 1;
      restore_good_state();
      throw DivergenceError(bad_step, m_epoch, k, m_global_step, m_in_epoch || m_good_off_epoch_end,
                            DivergenceError::Found::ValidationLoss);
    }
}

void Trainer::keep_good_state() {
  m_good_step = m_global_step;
  m_good_backend_step = m_backend.step_count();
  m_good_samples = m_samples;
  m_good_epoch = {m_in_epoch ? m_position : 0, m_epoch_loss_sum, m_epoch_acc_sum,
                  m_epoch_loss_steps, epoch_seconds()};
  const std::vector<ParamInfo> params = m_cfg.group.spec.params();
  const int roles = roles_for(m_cfg.group.optimizer);
  m_good.resize(static_cast<size_t>(m_cfg.group.nets()) * params.size() * roles);
  size_t i = 0;
  for (int net = 0; net < m_cfg.group.nets(); ++net)
    for (size_t p = 0; p < params.size(); ++p)
      for (int r = 0; r < roles; ++r, ++i) {
        m_good[i].resize(static_cast<size_t>(params[p].size()));
        m_backend.read_tensor(net, static_cast<int>(p), kRoles[r], m_good[i].data());
      }
}

void Trainer::restore_good_state() {
  const std::vector<ParamInfo> params = m_cfg.group.spec.params();
  const int roles = roles_for(m_cfg.group.optimizer);
  size_t i = 0;
  for (int net = 0; net < m_cfg.group.nets(); ++net)
    for (size_t p = 0; p < params.size(); ++p)
      for (int r = 0; r < roles; ++r, ++i)
        m_backend.write_tensor(net, static_cast<int>(p), kRoles[r], m_good[i].data());
  // The step counts go back with the weights (a checkpoint must not pair the weights of one
  // step with the number of another; Adam's bias correction uses the backend's count).
  m_global_step = m_good_step;
  m_backend.set_step_count(m_good_backend_step);
  m_samples = m_good_samples;
  // The interrupted epoch starts over from its first batch, or from where it was resumed (the
  // backend still has its order: no epoch ended since).
  m_in_epoch = m_good_epoch.position > 0;
  m_position = m_good_epoch.position;
  m_epoch_loss_sum = m_good_epoch.loss_sum;
  m_epoch_acc_sum = m_good_epoch.acc_sum;
  m_epoch_loss_steps = m_good_epoch.loss_steps;
  m_epoch_seconds = m_good_epoch.seconds;
  (void)m_backend.take_losses();
  (void)m_backend.take_accuracies();
  // The history goes back with them: a checkpoint saved now, or the steps trained again, would
  // otherwise hold two losses for one step.
  m_run.take_back_to(m_good_step);
  if (m_learning) m_learning->take_back_to(m_good_step);
}

}  // namespace cs
