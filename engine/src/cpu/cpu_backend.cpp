// The CPU backend: a group of N networks trained in lockstep on a thread pool.
//
// Every tensor role (parameters, gradients, two optimizer slots) is one flat array of N blocks,
// one block per network in ParamInfo order. A training step splits each network's batch into
// `chunks` sample ranges and runs one task per (network, chunk): forward, loss and backward of
// that range, with the gradient in the network's block (chunk 0) or a partial block. The chunk
// count makes the task count a multiple of the thread count, so one network uses every thread
// and 50 networks run 25 tasks per thread on 2. The partial gradients are then summed and the
// optimizer updates the whole flat array in thread-sized slices.
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "convscope/cpu_backend.h"
#include "convscope/optimizer_math.h"
#include "convscope/shuffle.h"
#include "cpu/flush_denormals.h"
#include "cpu/image_set.h"
#include "cpu/network.h"
#include "cpu/thread_pool.h"

namespace cs {

namespace {

using cpu::ImageSet;
using cpu::NetPlan;
using cpu::Workspace;

constexpr int kSubBatch = 16;   // samples per forward/backward pass of a training task
constexpr int kEvalChunk = 64;  // validation samples per evaluation task

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int threads) : m_pool(threads) {}

  BackendInfo info() const override {
    return {"cpu", std::to_string(m_pool.size()) + " CPU threads"};
  }

  void configure(const GroupConfig& cfg, const Dataset& train, const Dataset& val) override;
  const GroupConfig& config() const override {
    if (!m_plan) throw BackendError("the CPU backend is not configured yet");
    return m_cfg;
  }
  void begin_epoch(int epoch) override;
  void train_step(int first, int count) override;
  std::vector<float> take_losses() override { return std::exchange(m_losses, {}); }
  std::vector<float> take_accuracies() override { return std::exchange(m_accuracies, {}); }
  void evaluate(EvalResult& out) override;
  void request_snapshot(int net, int probe) override;
  void capture_snapshot(int net, int probe) override;
  SnapshotExchange& snapshots() override { return m_snapshots; }
  void publish_snapshot(const Snapshot& s) override;
  void read_tensor(int net, int param, TensorRole role, float* out) override;
  void write_tensor(int net, int param, TensorRole role, const float* in) override;
  void predict(int net, const float* images, int count, float* probs, float* logits) override;
  using Backend::features;
  void features(int net, const float* images, int count, std::span<const int> layers,
                std::span<float* const> outs) override;
  void layer_gradient(int net, const float* images, int count, int layer, const int* units, int at,
                      float* dout) override;
  long long step_count() const override { return m_step; }
  void set_step_count(long long t) override { m_step = t; }

 private:
  int nets() const { return m_cfg.nets(); }
  std::vector<float>& buffer(TensorRole role);
  const float* tensor(int net, int param, TensorRole role, long long& size);
  float* grad_block(int net, int chunk, int chunks);
  void train_task(int net, int chunk, int chunks, int first, int count, Workspace& ws);
  void reduce_gradients(long long begin, long long end, int chunks);
  void update(long long begin, long long end);
  void take_snapshot(int net, int probe, long long step);
  template <typename Task>
  void over_images(int net, const float* images, int count, Task task,
                   cpu::Keep keep = cpu::Keep::ForBackward);

  cpu::ThreadPool m_pool;
  GroupConfig m_cfg;
  std::unique_ptr<NetPlan> m_plan;
  ImageSet m_train, m_val;
  long long m_p = 0;                                       // floats per network
  int m_chunks = 1;                                        // sample chunks per network and step
  std::vector<float> m_params, m_grads, m_slot0, m_slot1;  // (N, P); m_grads (N + partials, P)
  std::vector<Workspace> m_ws;                             // one per thread
  std::vector<std::vector<int32_t>> m_orders;              // one shared, or one per network
  std::vector<float> m_probe_grads;                        // (P) a snapshot probe's, unused
  std::vector<float> m_sample_loss, m_sample_hit;          // (N, batch) of the current step
  std::vector<float> m_losses, m_accuracies;               // (steps, N) not yet taken
  long long m_step = 0;
  int m_epoch = 0;
  int m_pending_net = -1, m_pending_probe = -1;
  SnapshotExchange m_snapshots;
};

void CpuBackend::configure(const GroupConfig& cfg, const Dataset& train, const Dataset& val) {
  check_group(cfg, train, val);
  auto plan = std::make_unique<NetPlan>(cfg.spec);
  m_cfg = cfg;
  m_plan = std::move(plan);
  m_train = ImageSet::copy_of(train);
  m_val = ImageSet::copy_of(val);
  const int n = nets(), threads = m_pool.size();
  m_p = m_plan->param_size;
  m_chunks = std::min(threads / std::gcd(n, threads), cfg.batch_size);
  const size_t np = static_cast<size_t>(n) * m_p;
  m_params.assign(np, 0.f);
  for (int k = 0; k < n; ++k) {
    const std::vector<std::vector<float>> init = init_parameters(cfg.spec, cfg.seeds[k]);
    for (size_t t = 0; t < init.size(); ++t)
      std::copy(init[t].begin(), init[t].end(), m_params.begin() + k * m_p + m_plan->offsets[t]);
  }
  m_grads.assign(np * m_chunks, 0.f);
  m_probe_grads.assign(static_cast<size_t>(m_p), 0.f);
  const bool adagrad = cfg.optimizer.kind == OptimizerKind::Adagrad;
  m_slot0.assign(np, adagrad ? cfg.optimizer.initial_accumulator : 0.f);
  m_slot1.assign(np, 0.f);
  const int capacity = std::max(kSubBatch, kEvalChunk);
  m_ws.clear();
  for (int t = 0; t < threads; ++t) m_ws.emplace_back(*m_plan, capacity);
  m_sample_loss.assign(static_cast<size_t>(n) * cfg.batch_size, 0.f);
  m_sample_hit.assign(m_sample_loss.size(), 0.f);
  m_losses.clear();
  m_accuracies.clear();
  m_step = 0;
  m_pending_net = m_pending_probe = -1;
  begin_epoch(0);
}

void CpuBackend::begin_epoch(int epoch) {
  if (!m_plan) throw BackendError("begin_epoch before configure");
  m_epoch = epoch;
  const int orders = m_cfg.per_net_shuffle ? nets() : 1;
  m_orders.resize(static_cast<size_t>(orders));
  m_pool.parallel_for(orders, [&](int k, int) {
    const int stream = m_cfg.per_net_shuffle ? 1 + k : 0;
    m_orders[k] = epoch_order(m_cfg.shuffle_seed, epoch, stream, m_train.count);
  });
}

// Forward and backward of samples [lo, hi) of the step, kSubBatch at a time so that the
// activations stay in cache; the gradients of the sub-batches add up in the chunk's block.
void CpuBackend::train_task(int net, int chunk, int chunks, int first, int count, Workspace& ws) {
  const int lo = count * chunk / chunks, hi = count * (chunk + 1) / chunks;
  const std::vector<int32_t>& order = m_orders[m_cfg.per_net_shuffle ? net : 0];
  const int stream = m_cfg.per_net_shuffle ? 1 + net : 0, size = m_train.shape.size();
  const float* params = m_params.data() + net * m_p;
  float* grads = grad_block(net, chunk, chunks);
  std::fill(grads, grads + m_p, 0.f);
  const int classes = m_cfg.spec.classes;
  for (int s0 = lo; s0 < hi; s0 += kSubBatch) {
    const int b = std::min(kSubBatch, hi - s0);
    for (int s = 0; s < b; ++s) {
      const int at = first + s0 + s;  // the sample's position in the epoch's order
      const PixelShift shift =
          augment_shift(m_cfg.shuffle_seed, m_epoch, stream, at, m_cfg.augment_shift);
      ws.labels[s] =
          m_train.read(order[at], shift, ws.input.data() + static_cast<size_t>(s) * size);
    }
    // the next sub-batch: this chunk's, or the same chunk's of the next step
    const int next = s0 + b < hi ? first + s0 + b : first + m_cfg.batch_size + lo;
    m_train.prefetch(order, next, kSubBatch);
    const cpu::TrainingPass training{{m_cfg.seeds[net], m_step + 1}, s0, m_cfg.label_smoothing};
    cpu::net_forward(*m_plan, ws, params, b, cpu::Keep::ForBackward, &training);
    cpu::net_backward(*m_plan, ws, params, grads, b, 1.f / static_cast<float>(count), nullptr,
                      &training);
    for (int s = 0; s < b; ++s) {
      const float* p = ws.probs.data() + static_cast<size_t>(s) * classes;
      const size_t at = static_cast<size_t>(net) * m_cfg.batch_size + s0 + s;
      m_sample_loss[at] = ws.losses[s];
      m_sample_hit[at] = std::max_element(p, p + classes) - p == ws.labels[s] ? 1.f : 0.f;
    }
  }
}

// The gradient of chunk 0 is the network's block; the other chunks' follow all N blocks.
float* CpuBackend::grad_block(int net, int chunk, int chunks) {
  const long long block = chunk == 0 ? net : nets() + 1LL * net * (chunks - 1) + chunk - 1;
  return m_grads.data() + block * m_p;
}

// Adds the partial gradients of chunks 1.. into the networks' blocks over flat range [begin, end).
void CpuBackend::reduce_gradients(long long begin, long long end, int chunks) {
  if (chunks == 1) return;
  for (long long f = begin; f < end;) {
    const int net = static_cast<int>(f / m_p);
    const long long off = f - net * m_p, n = std::min(end, (net + 1) * m_p) - f;
    float* g = m_grads.data() + f;
    for (int c = 1; c < chunks; ++c) {
      const float* part = grad_block(net, c, chunks) + off;
      for (long long i = 0; i < n; ++i) g[i] += part[i];
    }
    f += n;
  }
}

// optimizer_update over a range with the kind a constant, so its switch folds away and the
// loop vectorizes.
template <OptimizerKind K>
void update_range(OptimizerScalars s, float* p, const float* g, float* s0, float* s1, long long n) {
  s.kind = K;
  for (long long i = 0; i < n; ++i) optimizer_update(s, p[i], g[i], s0[i], s1[i]);
}

void CpuBackend::update(long long begin, long long end) {
  const OptimizerScalars s =
      optimizer_scalars(m_cfg.optimizer, m_step, steps_per_epoch(m_train.count, m_cfg.batch_size));
  float* p = m_params.data() + begin;
  const float* g = m_grads.data() + begin;
  float* s0 = m_slot0.data() + begin;
  float* s1 = m_slot1.data() + begin;
  const long long n = end - begin;
  switch (s.kind) {
    case OptimizerKind::Sgd:
      return update_range<OptimizerKind::Sgd>(s, p, g, s0, s1, n);
    case OptimizerKind::Momentum:
      return update_range<OptimizerKind::Momentum>(s, p, g, s0, s1, n);
    case OptimizerKind::Adam:
      return update_range<OptimizerKind::Adam>(s, p, g, s0, s1, n);
    case OptimizerKind::RmsProp:
      return update_range<OptimizerKind::RmsProp>(s, p, g, s0, s1, n);
    case OptimizerKind::Adagrad:
      return update_range<OptimizerKind::Adagrad>(s, p, g, s0, s1, n);
    case OptimizerKind::Adadelta:
      return update_range<OptimizerKind::Adadelta>(s, p, g, s0, s1, n);
    case OptimizerKind::Adamax:
      return update_range<OptimizerKind::Adamax>(s, p, g, s0, s1, n);
  }
}

void CpuBackend::train_step(int first, int count) {
  if (!m_plan) throw BackendError("train_step before configure");
  if (count < 1 || count > m_cfg.batch_size || first < 0 || first + count > m_train.count)
    throw std::out_of_range("train_step: samples [" + std::to_string(first) + ", " +
                            std::to_string(first + count) + ") outside the batch or epoch");
  const int n = nets(), chunks = std::min(m_chunks, count);
  m_pool.parallel_for(n * chunks, [&](int task, int thread) {
    train_task(task / chunks, task % chunks, chunks, first, count, m_ws[thread]);
  });
  for (int k = 0; k < n; ++k) {
    double loss = 0, hits = 0;
    for (int s = 0; s < count; ++s) {
      loss += m_sample_loss[static_cast<size_t>(k) * m_cfg.batch_size + s];
      hits += m_sample_hit[static_cast<size_t>(k) * m_cfg.batch_size + s];
    }
    m_losses.push_back(static_cast<float>(loss / count));
    m_accuracies.push_back(static_cast<float>(hits / count));
  }
  ++m_step;
  const long long total = n * m_p;
  const int slices = m_pool.size();
  const bool snapshot = m_pending_net >= 0;
  m_pool.parallel_for(slices, [&](int t, int) {
    const long long begin = total * t / slices, end = total * (t + 1) / slices;
    reduce_gradients(begin, end, chunks);
    if (!snapshot) update(begin, end);
  });
  if (!snapshot) return;
  take_snapshot(m_pending_net, m_pending_probe, m_step - 1);
  m_pending_net = m_pending_probe = -1;
  m_pool.parallel_for(slices,
                      [&](int t, int) { update(total * t / slices, total * (t + 1) / slices); });
}

void CpuBackend::evaluate(EvalResult& out) {
  if (!m_plan) throw BackendError("evaluate before configure");
  const int n = nets(), count = m_val.count, classes = m_cfg.spec.classes;
  const int size = m_val.shape.size();
  const int chunks = (count + kEvalChunk - 1) / kEvalChunk;
  out.nets = n;
  out.count = count;
  const size_t nc = static_cast<size_t>(n) * count;
  std::vector<float> sample_loss(nc), hit(nc);
  out.top_labels.assign(nc * 3, 0);
  out.top_probs.assign(nc * 3, 0.f);
  out.true_probs.assign(nc, 0.f);
  m_pool.parallel_for(n * chunks, [&](int task, int thread) {
    const int net = task / chunks, lo = task % chunks * kEvalChunk;
    const int b = std::min(kEvalChunk, count - lo);
    Workspace& ws = m_ws[thread];
    for (int s = 0; s < b; ++s)
      ws.labels[s] = m_val.read(lo + s, {0, 0}, ws.input.data() + static_cast<size_t>(s) * size);
    cpu::net_forward(*m_plan, ws, m_params.data() + net * m_p, b, cpu::Keep::ForBackward);
    for (int s = 0; s < b; ++s) {
      const float* p = ws.probs.data() + static_cast<size_t>(s) * classes;
      const size_t at = static_cast<size_t>(net) * count + lo + s;
      int top[3] = {-1, -1, -1};
      for (int c = 0; c < classes; ++c)
        for (int r = 0; r < 3; ++r)
          if (top[r] < 0 || p[c] > p[top[r]]) {
            for (int q = 2; q > r; --q) top[q] = top[q - 1];
            top[r] = c;
            break;
          }
      for (int r = 0; r < 3 && top[r] >= 0; ++r) {
        out.top_labels[at * 3 + r] = static_cast<uint8_t>(top[r]);
        out.top_probs[at * 3 + r] = p[top[r]];
      }
      out.true_probs[at] = p[ws.labels[s]];
      sample_loss[at] = ws.losses[s];
      // No answer (cs::answered(): the best probability is not a number) is no hit.
      hit[at] = top[0] == ws.labels[s] && !std::isnan(p[top[0]]) ? 1.f : 0.f;
    }
  });
  out.loss.assign(static_cast<size_t>(n), 0.f);
  out.accuracy.assign(static_cast<size_t>(n), 0.f);
  for (int k = 0; k < n; ++k) {
    double loss = 0, hits = 0;
    for (int s = 0; s < count; ++s) {
      loss += sample_loss[static_cast<size_t>(k) * count + s];
      hits += hit[static_cast<size_t>(k) * count + s];
    }
    out.loss[k] = static_cast<float>(loss / count);
    out.accuracy[k] = static_cast<float>(hits / count);
  }
}

// Runs task(ws, first, b) after the forward pass of images [first, first + b) of network `net`
// (keeping the outputs `keep` says), the images split into at most kEvalChunk-sized pieces spread
// over the threads.
template <typename Task>
void CpuBackend::over_images(int net, const float* images, int count, Task task, cpu::Keep keep) {
  if (!m_plan) throw BackendError("the CPU backend is not configured yet");
  if (count == 0) return;
  const int size = m_cfg.spec.input.size(), threads = m_pool.size();
  const int chunk = std::min(kEvalChunk, (count + threads - 1) / threads);
  const float* params = m_params.data() + net * m_p;
  m_pool.parallel_for((count + chunk - 1) / chunk, [&](int t, int thread) {
    const int first = t * chunk, b = std::min(chunk, count - first);
    Workspace& ws = m_ws[thread];
    const float* src = images + static_cast<size_t>(first) * size;
    std::copy(src, src + static_cast<size_t>(b) * size, ws.input.begin());
    std::fill(ws.labels.begin(), ws.labels.begin() + b, 0);
    cpu::net_forward(*m_plan, ws, params, b, keep);
    task(ws, first, b);
  });
}

void CpuBackend::predict(int net, const float* images, int count, float* probs, float* logits) {
  check_predict_args(config(), net, count, images);
  const int classes = m_cfg.spec.classes;
  over_images(net, images, count, [&](const Workspace& ws, int first, int b) {
    const size_t n = static_cast<size_t>(b) * classes, at = static_cast<size_t>(first) * classes;
    if (probs) std::copy(ws.probs.begin(), ws.probs.begin() + n, probs + at);
    if (logits) std::copy(cpu::net_logits(ws), cpu::net_logits(ws) + n, logits + at);
  });
}

void CpuBackend::features(int net, const float* images, int count, std::span<const int> layers,
                          std::span<float* const> outs) {
  check_features_args(config(), net, count, images, layers, outs);
  if (layers.empty()) return;
  over_images(
      net, images, count,
      [&](const Workspace& ws, int first, int b) {
        for (size_t k = 0; k < layers.size(); ++k) {
          const size_t layer = static_cast<size_t>(layers[k]);
          const size_t size = static_cast<size_t>(m_plan->layers[layer].out.size());
          const std::vector<float>& act = ws.act[layer];
          std::copy(act.begin(), act.begin() + static_cast<long>(b * size), outs[k] + first * size);
        }
      },
      cpu::Keep::AllOutputs);
}

void CpuBackend::layer_gradient(int net, const float* images, int count, int layer,
                                const int* units, int at, float* dout) {
  check_gradient_args(config(), net, count, images, layer, units, at, dout);
  const float* params = m_params.data() + net * m_p;
  const size_t size = static_cast<size_t>(
      at < 0 ? m_cfg.spec.input.size() : m_plan->layers[static_cast<size_t>(at)].out.size());
  // A hidden layer's own output is read backward, and a convolution's below a pool where the
  // backward stops between them: one fused with its pool keeps it.
  const bool whole = layer + 1 == static_cast<int>(m_plan->layers.size()) && at < 0;
  over_images(
      net, images, count,
      [&](Workspace& ws, int first, int b) {
        cpu::net_layer_gradient(*m_plan, ws, params, layer, units + first, b, at,
                                dout + first * size);
      },
      whole ? cpu::Keep::ForBackward : cpu::Keep::AllOutputs);
}

void CpuBackend::request_snapshot(int net, int probe) {
  if (!m_plan || net < 0 || net >= nets() || probe < 0 || probe >= m_val.count)
    throw std::out_of_range("request_snapshot: no network " + std::to_string(net) +
                            " or validation image " + std::to_string(probe));
  m_pending_net = net;
  m_pending_probe = probe;
}

void CpuBackend::publish_snapshot(const Snapshot& s) {
  m_pending_net = m_pending_probe = -1;  // its own are taken on this thread: none on its way
  m_snapshots.back() = s;
  m_snapshots.publish();
}

void CpuBackend::capture_snapshot(int net, int probe) {
  if (!m_plan || net < 0 || net >= nets() || probe < 0 || probe >= m_val.count)
    throw std::out_of_range("capture_snapshot: no network " + std::to_string(net) +
                            " or validation image " + std::to_string(probe));
  take_snapshot(net, probe, m_step);
}

// Fills the exchange's back slot, reusing its vectors, and publishes it. The probe runs as a
// batch of one through the network's current weights; the weight gradients shown are the last
// training step's.
void CpuBackend::take_snapshot(int net, int probe, long long step) {
  const cpu::FlushDenormals flush;  // computed on the caller's thread, outside the pool
  Snapshot& s = m_snapshots.back();
  const NetPlan& plan = *m_plan;
  Workspace& ws = m_ws[0];
  const float* params = m_params.data() + net * m_p;
  const float* grads = m_grads.data() + net * m_p;
  ws.labels[0] = m_val.read(probe, {0, 0}, ws.input.data());
  cpu::net_forward(plan, ws, params, 1);
  s.step = step;
  s.epoch = m_epoch;
  s.net = net;
  s.probe = probe;
  s.label = ws.labels[0];
  s.loss = ws.losses[0];
  s.input_shape = plan.spec.input;
  s.input.assign(ws.input.begin(), ws.input.begin() + plan.spec.input.size());
  s.probs.assign(ws.probs.begin(), ws.probs.begin() + plan.spec.classes);
  s.layers.resize(plan.layers.size());
  const std::vector<std::string> names = plan.spec.layer_names();
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    const cpu::LayerPlan& l = plan.layers[i];
    LayerSnapshot& ls = s.layers[i];
    ls.name = names[i];
    ls.kind = l.spec.kind;
    ls.out_shape = l.out;
    ls.kernel = l.spec.kernel;
    ls.activation.assign(ws.act[i].begin(), ws.act[i].begin() + l.out.size());
    ls.weight_shape.clear();
    ls.weight.clear();
    ls.dweight.clear();
    ls.bias.clear();
    ls.dbias.clear();
    if (!l.spec.has_params()) continue;
    const long long wsize = l.bias - l.weight, bsize = l.out.c;
    for (const ParamInfo& p : plan.params)
      if (p.layer == static_cast<int>(i) && !p.is_bias) ls.weight_shape = p.shape;
    ls.weight.assign(params + l.weight, params + l.weight + wsize);
    ls.dweight.assign(grads + l.weight, grads + l.weight + wsize);
    ls.bias.assign(params + l.bias, params + l.bias + bsize);
    ls.dbias.assign(grads + l.bias, grads + l.bias + bsize);
  }
  // Only d(loss)/d(activation) of the probe is kept; its weight gradients go to a spare block.
  const cpu::LayerGradHook hook = [&](int layer, const float* dact) {
    LayerSnapshot& ls = s.layers[layer];
    ls.dactivation.assign(dact, dact + plan.layers[layer].out.size());
  };
  std::fill(m_probe_grads.begin(), m_probe_grads.end(), 0.f);
  cpu::net_backward(plan, ws, params, m_probe_grads.data(), 1, 1.f, &hook);
  m_snapshots.publish();
}

std::vector<float>& CpuBackend::buffer(TensorRole role) {
  switch (role) {
    case TensorRole::Param:
      return m_params;
    case TensorRole::Grad:
      return m_grads;
    case TensorRole::Slot0:
      return m_slot0;
    case TensorRole::Slot1:
      return m_slot1;
  }
  throw std::invalid_argument("unknown tensor role");
}

const float* CpuBackend::tensor(int net, int param, TensorRole role, long long& size) {
  if (!m_plan || net < 0 || net >= nets() || param < 0 ||
      param >= static_cast<int>(m_plan->params.size()))
    throw std::out_of_range("no tensor " + std::to_string(param) + " of network " +
                            std::to_string(net));
  size = m_plan->params[param].size();
  return buffer(role).data() + net * m_p + m_plan->offsets[param];
}

void CpuBackend::read_tensor(int net, int param, TensorRole role, float* out) {
  long long size = 0;
  const float* t = tensor(net, param, role, size);
  std::copy(t, t + size, out);
}

void CpuBackend::write_tensor(int net, int param, TensorRole role, const float* in) {
  long long size = 0;
  float* t = const_cast<float*>(tensor(net, param, role, size));
  std::copy(in, in + size, t);
}

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::make_unique<CpuBackend>(threads);
}

}  // namespace cs
