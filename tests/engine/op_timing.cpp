#include "op_timing.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "convscope/backend.h"
#include "convscope/spec.h"
#include "convscope/sweep_stats.h"
#include "cpu/ops/conv2d.h"

namespace cs::profile {

double median_seconds(const std::function<void()>& fn) {
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < 20; ++i) fn();
  const auto t0 = clock::now();
  fn();
  const double once = std::chrono::duration<double>(clock::now() - t0).count();
  const int calls = std::max(1, static_cast<int>(0.02 / std::max(once, 1e-7)));
  std::vector<double> rounds;
  for (int r = 0; r < 5; ++r) {
    const auto start = clock::now();
    for (int i = 0; i < calls; ++i) fn();
    rounds.push_back(std::chrono::duration<double>(clock::now() - start).count() / calls);
  }
  std::sort(rounds.begin(), rounds.end());
  return quantile_sorted(rounds, 0.5);
}

ReferenceBatch::ReferenceBatch(const DatasetPair& data, int B)
    : batch(B), plan(NetworkSpec::reference()), ws(plan, B) {
  params.resize(static_cast<size_t>(plan.param_size));
  const std::vector<std::vector<float>> init = init_parameters(plan.spec, 1);
  for (size_t t = 0; t < init.size(); ++t)
    std::copy(init[t].begin(), init[t].end(), params.begin() + plan.offsets[t]);
  grads.assign(params.size(), 0.f);
  const int size = plan.spec.input.size();
  for (int i = 0; i < B * size; ++i) ws.input[i] = data.train.images[i] / 255.f;
  for (int s = 0; s < B; ++s) ws.labels[s] = data.train.labels[s];
  cpu::net_forward(plan, ws, params.data(), B);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.f, 1e-3f);
  dout.resize(ws.grad_a.size());
  for (float& v : dout) v = normal(rng);
}

std::vector<PairTime> time_conv_pool_pairs(ReferenceBatch& r, int B) {
  std::vector<PairTime> times;
  std::vector<float> d(r.dout.size());
  for (int i = 0; i + 1 < static_cast<int>(r.plan.layers.size()); ++i) {
    const cpu::LayerPlan& l = r.plan.layers[i];
    const cpu::LayerPlan& pool = r.plan.layers[i + 1];
    if (l.spec.kind != LayerKind::Conv2d || pool.spec.kind != LayerKind::MaxPool ||
        !l.conv.implicit())
      continue;
    cpu::Workspace& ws = r.ws;
    const float* inp = ws.input_of(i);
    const float* weight = r.params.data() + l.weight;
    float* dinp = i == 0 ? nullptr : ws.grad_b.data();
    const int k = pool.spec.kernel;
    PairTime t{i, 0, 0};
    t.forward =
        median_seconds([&] {
          cpu::conv2d_pool_forward(static_cast<float*>(nullptr), ws.act[i + 1].data(),
                                   ws.argmax[i + 1].data(), k, ws.scratch.data(), inp, weight,
                                   r.params.data() + l.bias, B, l.conv, l.spec.activation);
        }) /
        B;
    t.backward = median_seconds([&] {
                   std::copy_n(r.dout.begin(), B * pool.out.size(), d.begin());
                   cpu::conv2d_pool_backward(dinp, r.grads.data() + l.weight,
                                             r.grads.data() + l.bias, d.data(), ws.scratch.data(),
                                             ws.act[i + 1].data(), ws.argmax[i + 1].data(), k, inp,
                                             weight, B, l.conv, l.spec.activation);
                 }) /
                 B;
    times.push_back(t);
  }
  return times;
}

}  // namespace cs::profile
