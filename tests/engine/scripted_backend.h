// A scripted backend for the trainer's tests (test_trainer.cpp, test_trainer_history.cpp): it
// records what the trainer asks of it and reports scripted losses, on tiny all-zero datasets.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "convscope/backend.h"
#include "convscope/trainer.h"

namespace cs {

// A backend that records what the trainer asks of it and reports scripted losses.
class ScriptedBackend : public Backend {
 public:
  long long nan_at_step = -1;  // global step whose loss is NaN
  // Global step whose update leaves network 1's first weight infinite, its loss still finite.
  long long inf_weight_at_step = -1;
  // Global step whose update leaves network 1's first optimizer slot infinite, its weights finite.
  long long inf_slot_at_step = -1;
  std::vector<int> epochs_begun;
  std::vector<std::pair<int, int>> steps;  // (first, count)
  std::vector<std::pair<int, int>> snapshot_requests;
  int evaluations = 0;
  float eval_loss = 0.25f, eval_accuracy = 0.9f;             // every network's, at every pass
  std::chrono::milliseconds step_time{0}, eval_time{0};      // how long each takes
  std::map<std::pair<int, int>, std::vector<float>> params;  // (net, tensor) -> values
  std::map<std::pair<int, int>, std::vector<float>> slots;   // the first slot's; the second is 0

  BackendInfo info() const override { return {"scripted", "test"}; }
  void configure(const GroupConfig& cfg, const Dataset&, const Dataset& val) override {
    m_cfg = cfg;
    m_val_count = val.count;
    const std::vector<ParamInfo> p = cfg.spec.params();
    for (int n = 0; n < cfg.nets(); ++n)
      for (size_t i = 0; i < p.size(); ++i) {
        params[{n, static_cast<int>(i)}].assign(static_cast<size_t>(p[i].size()), 1.f);
        slots[{n, static_cast<int>(i)}].assign(static_cast<size_t>(p[i].size()), 0.f);
      }
  }
  const GroupConfig& config() const override { return m_cfg; }
  void begin_epoch(int epoch) override { epochs_begun.push_back(epoch); }
  void train_step(int first, int count) override {
    std::this_thread::sleep_for(step_time);
    steps.emplace_back(first, count);
    ++step_counter;
    const bool nan = static_cast<long long>(steps.size()) - 1 == nan_at_step;
    for (auto& [key, v] : params)
      for (float& x : v) x = nan ? NAN : x + 1.f;  // weights change every step
    if (static_cast<long long>(steps.size()) - 1 == inf_weight_at_step && m_cfg.nets() > 1)
      params[{1, 0}][0] = INFINITY;
    if (static_cast<long long>(steps.size()) - 1 == inf_slot_at_step && m_cfg.nets() > 1)
      slots[{1, 0}][0] = INFINITY;
    for (int n = 0; n < m_cfg.nets(); ++n) {
      m_losses.push_back(nan ? NAN : 1.f / static_cast<float>(steps.size()));
      m_accs.push_back(0.5f);
    }
  }
  std::vector<float> take_losses() override { return std::exchange(m_losses, {}); }
  std::vector<float> take_accuracies() override { return std::exchange(m_accs, {}); }
  void evaluate(EvalResult& out) override {
    std::this_thread::sleep_for(eval_time);
    ++evaluations;
    out.nets = m_cfg.nets();
    out.count = m_val_count;
    out.loss.assign(out.nets, eval_loss);
    out.accuracy.assign(out.nets, eval_accuracy);
    // Image i's top-1 is (steps + i) % 2: every image flips between passes an odd number of
    // steps apart (labels are 0, so even images are right after an even number of steps).
    out.top_labels.assign(static_cast<size_t>(out.nets) * out.count * 3, 0);
    out.top_probs.assign(out.top_labels.size(), 0.5f);  // numbers: every network answers
    for (int n = 0; n < out.nets; ++n)
      for (int i = 0; i < out.count; ++i)
        out.top_labels[(static_cast<size_t>(n) * out.count + i) * 3] =
            static_cast<uint8_t>((steps.size() + i) % 2);
  }
  void request_snapshot(int net, int probe) override { snapshot_requests.emplace_back(net, probe); }
  void capture_snapshot(int, int) override {}
  SnapshotExchange& snapshots() override { return m_exchange; }
  void publish_snapshot(const Snapshot&) override {
    throw std::logic_error("the trainer publishes no snapshot of its own");
  }
  void predict(int, const float*, int, float*, float*) override {
    throw std::logic_error("the trainer does not predict");
  }
  void layer_gradient(int, const float*, int, int, const int*, int, float*) override {
    throw std::logic_error("the trainer does not compute saliency");
  }
  using Backend::features;
  void features(int, const float*, int, std::span<const int>, std::span<float* const>) override {
    throw std::logic_error("the trainer does not read features");
  }
  void read_tensor(int net, int param, TensorRole role, float* out) override {
    if (role == TensorRole::Slot1) {
      std::fill_n(out, params.at({net, param}).size(), 0.f);
      return;
    }
    const std::vector<float>& v = (role == TensorRole::Param ? params : slots).at({net, param});
    std::copy(v.begin(), v.end(), out);
  }
  void write_tensor(int net, int param, TensorRole role, const float* in) override {
    if (role == TensorRole::Slot1) return;
    std::vector<float>& v = (role == TensorRole::Param ? params : slots).at({net, param});
    std::copy(in, in + v.size(), v.begin());
  }
  long long step_count() const override { return step_counter; }
  void set_step_count(long long t) override { step_counter = t; }
  long long step_counter = 0;  // the optimizer's step count (Adam's bias correction)

 private:
  GroupConfig m_cfg;
  int m_val_count = 0;
  std::vector<float> m_losses, m_accs;
  SnapshotExchange m_exchange;
};

inline Dataset tiny(int count) {
  Dataset d;
  d.name = "tiny";
  d.shape = {1, 8, 8};
  d.count = count;
  d.images.assign(static_cast<size_t>(count) * 64, 0);
  d.labels.assign(static_cast<size_t>(count), 0);
  return d;
}

inline TrainConfig tiny_config(int epochs, int batch, int nets) {
  TrainConfig cfg;
  cfg.group.spec = NetworkSpec::parse("c3x2:relu-d10", {1, 8, 8});
  cfg.group.batch_size = batch;
  cfg.group.seeds.resize(static_cast<size_t>(nets), 3);
  cfg.epochs = epochs;
  cfg.loss_every = 3;
  return cfg;
}

}  // namespace cs
