// The CUDA backend: configuration, epochs, training steps (eager and replayed graphs), losses
// and tensor access. Evaluation and snapshots are in cuda_evaluate.cpp and cuda_snapshot.cpp.
#include "cuda_backend.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "ops/conv2d.cuh"
#include "ops/gather.cuh"

namespace cs::cuda {

namespace {

constexpr int kLossRows = 1024;    // steps of losses the device keeps between take_losses()
constexpr int kSnapshotSlots = 3;  // snapshots in flight at once
constexpr size_t kEvalBytes = size_t{512} << 20;       // activations of one evaluation chunk
constexpr size_t kCublasWorkspace = size_t{32} << 20;  // fixed, so graphs can capture cuBLAS

template <typename T>
DeviceBuffer<T> upload(const std::vector<T>& v, const char* what, cudaStream_t stream) {
  DeviceBuffer<T> d(v.size(), what);
  if (!v.empty())
    CUDA_CHECK(cudaMemcpyAsync(d.get(), v.data(), d.bytes(), cudaMemcpyHostToDevice, stream));
  return d;
}

int eval_chunk_size(const GroupNet& net, int count) {
  const size_t per_image =
      sizeof(float) * net.activation_floats() * static_cast<size_t>(net.nets());
  return static_cast<int>(
      std::clamp<size_t>(kEvalBytes / per_image, 1, static_cast<size_t>(count)));
}

}  // namespace

CudaBackend::Group::Group(const GroupConfig& c, const Dataset& tr, const Dataset& va,
                          cudnnHandle_t cudnn, cublasHandle_t cublas, SnapshotExchange& exchange,
                          cudaStream_t stream)
    : cfg(c),
      net(c.spec, c.nets(), cudnn, cublas),
      train_count(tr.count),
      val_count(va.count),
      train_images(upload(tr.images, "the training images", stream)),
      train_labels(upload(tr.labels, "the training labels", stream)),
      val_images(upload(va.images, "the validation images", stream)),
      val_labels(upload(va.labels, "the validation labels", stream)),
      val_labels_host(va.labels),
      params(net.layout().total(), "parameters"),
      grads(net.layout().total(), "gradients"),
      slot0(net.layout().total(), "optimizer state"),
      slot1(net.layout().total(), "optimizer state"),
      order_rows(c.per_net_shuffle ? c.nets() : 1),
      order(static_cast<size_t>(order_rows) * static_cast<size_t>(tr.count), "the epoch order"),
      sorter(tr.count),
      seeds(upload(c.seeds, "the networks' seeds", stream)),
      state(1, "step scalars"),
      losses(static_cast<size_t>(kLossRows) * static_cast<size_t>(c.nets()), "step losses"),
      hit_rates(static_cast<size_t>(kLossRows) * static_cast<size_t>(c.nets()), "step accuracies"),
      train(net, c.batch_size, net.input_nets(c.per_net_shuffle), true),
      probe(net, 1, net.input_nets(false), true),
      probe_loss(static_cast<size_t>(c.nets()), "the probe's loss"),
      ring(exchange, snapshot_layout(c.spec), kSnapshotSlots),
      eval_chunk(eval_chunk_size(net, va.count)),
      eval(net, eval_chunk, net.input_nets(false), false),
      eval_top_labels(static_cast<size_t>(c.nets()) * va.count * 3, "evaluation results"),
      eval_hit(static_cast<size_t>(c.nets()) * va.count, "evaluation results"),
      eval_top_probs(static_cast<size_t>(c.nets()) * va.count * 3, "evaluation results"),
      eval_true_probs(static_cast<size_t>(c.nets()) * va.count, "evaluation results"),
      eval_row_loss(static_cast<size_t>(c.nets()) * va.count, "evaluation results"),
      eval_loss(static_cast<size_t>(c.nets()), "evaluation results"),
      eval_accuracy(static_cast<size_t>(c.nets()), "evaluation results") {
  const ParamLayout& layout = net.layout();
  std::vector<float> host(layout.total(), 0.f);
  for (int n = 0; n < c.nets(); ++n) {
    const std::vector<std::vector<float>> init = init_parameters(c.spec, c.seeds[n]);
    for (size_t p = 0; p < init.size(); ++p)
      std::copy(init[p].begin(), init[p].end(),
                host.begin() + static_cast<long>(layout.offset(static_cast<int>(p), n)));
  }
  CUDA_CHECK(
      cudaMemcpyAsync(params.get(), host.data(), params.bytes(), cudaMemcpyHostToDevice, stream));
  host.assign(layout.total(),
              c.optimizer.kind == OptimizerKind::Adagrad ? c.optimizer.initial_accumulator : 0.f);
  CUDA_CHECK(
      cudaMemcpyAsync(slot0.get(), host.data(), slot0.bytes(), cudaMemcpyHostToDevice, stream));
  CUDA_CHECK(cudaMemsetAsync(slot1.get(), 0, slot1.bytes(), stream));
  CUDA_CHECK(cudaMemsetAsync(grads.get(), 0, grads.bytes(), stream));
  CUDA_CHECK(cudaStreamSynchronize(stream));  // the host staging vectors go out of scope
}

EvalRows CudaBackend::Group::eval_rows() const {
  return {eval_top_labels.get(), eval_top_probs.get(), eval_true_probs.get(),
          eval_row_loss.get(),   eval_hit.get(),       val_count};
}

CudaBackend::CudaBackend(CudaBackendOptions options)
    : m_device(options.device), m_graphs(options.graphs) {
  int count = 0;
  CUDA_CHECK(cudaGetDeviceCount(&count));
  if (m_device < 0 || m_device >= count)
    throw CudaError("there is no CUDA device " + std::to_string(m_device) + " (" +
                        std::to_string(count) + " present)",
                    false);
  CUDA_CHECK(cudaSetDevice(m_device));
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, m_device));
  m_device_name = prop.name;
  m_compute = make_stream();
  m_copy = make_stream();
  m_cudnn = make_cudnn(m_compute.get());
  m_cublas = make_cublas(m_compute.get());
  m_cublas_workspace = DeviceBuffer<unsigned char>(kCublasWorkspace, "the cuBLAS workspace");
  CUBLAS_CHECK(
      cublasSetWorkspace(m_cublas.get(), m_cublas_workspace.get(), m_cublas_workspace.bytes()));
  if (OpTimer::requested()) {
    if (m_graphs)
      std::fprintf(stderr,
                   "convscope: CONVSCOPE_CUDA_PROFILE times eager steps only: set "
                   "CONVSCOPE_CUDA_GRAPHS=0 too\n");
    else
      m_timer = std::make_unique<OpTimer>();
  }
}

CudaBackend::~CudaBackend() {
  // Let snapshot callbacks and queued work finish before their buffers go (errors ignored).
  (void)cudaSetDevice(m_device);
  (void)cudaStreamSynchronize(m_copy.get());
  (void)cudaStreamSynchronize(m_compute.get());
  if (m_timer) {
    try {
      std::fputs(m_timer->report().c_str(), stderr);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "convscope: no CUDA op profile: %s\n", e.what());
    }
  }
}

void CudaBackend::activate() const {
  CUDA_CHECK(cudaSetDevice(m_device));
}

CudaBackend::Group& CudaBackend::group() {
  if (!m_group) throw BackendError("the CUDA backend is used before configure()");
  activate();
  return *m_group;
}

const GroupConfig& CudaBackend::config() const {
  if (!m_group) throw BackendError("the CUDA backend is not configured yet");
  return m_group->cfg;
}

void CudaBackend::configure(const GroupConfig& cfg, const Dataset& train, const Dataset& val) {
  check_group(cfg, train, val);
  check_conv_batch(cfg);
  activate();
  CUDA_CHECK(cudaStreamSynchronize(m_copy.get()));  // no callback may still use the old ring
  CUDA_CHECK(cudaStreamSynchronize(m_compute.get()));
  m_group.reset();  // free the old group's memory before allocating the new one
  m_group = std::make_unique<Group>(cfg, train, val, m_cudnn.get(), m_cublas.get(), m_exchange,
                                    m_compute.get());
  m_group->net.set_timer(m_timer.get());
  m_group->train.profiled = true;
  begin_epoch(0);
}

void CudaBackend::check_conv_batch(const GroupConfig& cfg) {
  int layer = -1;
  const int most = conv_batch_limit(cfg.spec, cfg.nets(), !cfg.per_net_shuffle, &layer);
  if (cfg.batch_size <= most) return;
  throw InputError(
      "batch " + std::to_string(cfg.batch_size) + " of " + std::to_string(cfg.nets()) +
      " networks is more than the CUDA backend can train: cuDNN takes a convolution's values for "
      "the whole group in one tensor of at most 2^31 - 1, and " +
      cfg.spec.layer_names()[static_cast<size_t>(layer)] + " allows batch " + std::to_string(most) +
      " at most; use a smaller batch or fewer networks (the CPU backend "
      "has no such limit)");
}

void CudaBackend::begin_epoch(int epoch) {
  Group& g = group();
  for (int r = 0; r < g.order_rows; ++r)
    g.sorter.sort(g.order.get() + static_cast<size_t>(r) * static_cast<size_t>(g.train_count),
                  g.cfg.shuffle_seed, epoch, g.cfg.per_net_shuffle ? 1 + r : 0, m_compute.get());
  g.epoch = epoch;
}

void CudaBackend::train_step(int first, int count) {
  Group& g = group();
  if (count < 1 || count > g.cfg.batch_size || first < 0 || first > g.train_count - count)
    throw std::out_of_range("train_step(" + std::to_string(first) + ", " + std::to_string(count) +
                            ") outside the epoch of " + std::to_string(g.train_count) +
                            " samples with batches of " + std::to_string(g.cfg.batch_size));
  if (g.pending_rows == kLossRows) drain_losses();
  const int slot = g.requested ? g.ring.acquire() : -1;  // all slots busy: try next step
  // Plans first: making one benchmarks algorithms and may move the workspace, which must not
  // happen while a graph is being captured.
  const Plan& plan = g.net.plan(count, g.train.in_nets, true, m_compute.get());
  if (slot >= 0) (void)g.net.plan(1, g.probe.in_nets, true, m_compute.get());
  if (g.net.workspace_generation() != g.graph_generation) {
    g.graphs.clear();  // they point at the old workspace (plan() synchronized the stream)
    g.graph_generation = g.net.workspace_generation();
  }
  set_step_state(g.state.get(),
                 {first, g.pending_rows,
                  optimizer_scalars(g.cfg.optimizer, g.step + 1,
                                    steps_per_epoch(g.train_count, g.cfg.batch_size)),
                  g.epoch, g.step + 1},
                 m_compute.get());
  if (slot >= 0 || !launch_graph(plan)) enqueue_step(plan, slot);
  if (slot >= 0) g.requested.reset();
  ++g.step;
  ++g.pending_rows;
}

// One training step on the compute stream; everything it needs per step comes from g.state.
void CudaBackend::enqueue_step(const Plan& plan, int snapshot_slot) {
  Group& g = *m_group;
  const NetworkSpec& spec = g.cfg.spec;
  const size_t last = spec.layers.size() - 1;
  cudaStream_t s = m_compute.get();
  const BatchShift shift{g.cfg.shuffle_seed, g.cfg.augment_shift, &g.state.get()->epoch,
                         spec.input.h,       spec.input.w,        g.cfg.per_net_shuffle};
  const BatchSource src{g.train_images.get(),
                        g.train_labels.get(),
                        spec.input.size(),
                        g.order.get(),
                        g.order_rows,
                        g.train_count,
                        shift};
  OpTimer* const t = m_timer.get();  // null unless profiling (never while capturing a graph)
  const OpScope step(t, "step", s);
  {
    const OpScope timed(t, "gather_batch", s);
    gather_batch(g.train.x.get(), g.train.labels.get(), src, &g.state.get()->first, 0, plan.batch,
                 g.train.in_nets, g.cfg.nets(), s);
  }
  const DropoutSource dropout{g.seeds.get(), &g.state.get()->step};
  g.net.forward(plan, g.train, g.params.get(), s, &dropout);
  {
    const OpScope timed(t, "softmax_xent_forward_backward", s);
    softmax_xent_forward_backward(g.train.dy[last].get(), nullptr, g.losses.get(),
                                  g.hit_rates.get(), &g.state.get()->loss_row,
                                  g.train.y[last].get(), g.train.labels.get(), plan.batch,
                                  g.cfg.nets(), spec.classes, g.cfg.label_smoothing, s);
  }
  {
    const OpScope timed(t, "zero dweights", s);
    CUDA_CHECK(cudaMemsetAsync(g.grads.get(), 0, g.grads.bytes(), s));  // backward adds to grads
  }
  g.net.backward(plan, g.train, g.params.get(), g.grads.get(), s, nullptr, &dropout);
  if (snapshot_slot >= 0) {
    const OpScope timed(t, "snapshot probe", s);
    enqueue_probe(snapshot_slot, g.requested->first, g.requested->second);
  }
  const OpScope timed(t, "optimizer_step", s);
  optimizer_step(g.params.get(), g.grads.get(), g.slot0.get(), g.slot1.get(),
                 g.net.layout().total(), &g.state.get()->scalars, s);
}

// Replays the step's graph, capturing it on the second run of a batch size (the first, eager,
// one warms cuDNN and cuBLAS up). Returns false when the caller must run the step eagerly.
bool CudaBackend::launch_graph(const Plan& plan) {
  if (!m_graphs) return false;
  Group& g = *m_group;
  auto it = g.graphs.find(plan.batch);
  if (it == g.graphs.end()) {
    if (g.eager_runs[plan.batch]++ == 0) return false;
    cudaStream_t s = m_compute.get();
    try {
      CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
      try {
        enqueue_step(plan, -1);
      } catch (...) {
        cudaGraph_t broken = nullptr;
        (void)cudaStreamEndCapture(s, &broken);
        if (broken) (void)cudaGraphDestroy(broken);
        (void)cudaGetLastError();
        throw;
      }
      cudaGraph_t raw = nullptr;
      CUDA_CHECK(cudaStreamEndCapture(s, &raw));
      const Graph graph(raw);
      cudaGraphExec_t exec = nullptr;
      CUDA_CHECK(cudaGraphInstantiate(&exec, graph.get(), 0));
      it = g.graphs.emplace(plan.batch, GraphExec(exec)).first;
      ++m_graph_captures;
    } catch (const CudaError& e) {
      std::fprintf(stderr, "convscope: CUDA graph capture failed, training without graphs: %s\n",
                   e.what());
      m_graphs = false;
      return false;
    }
  }
  CUDA_CHECK(cudaGraphLaunch(it->second.get(), m_compute.get()));
  ++m_graph_replays;
  return true;
}

void CudaBackend::drain_losses() {
  Group& g = *m_group;
  if (g.pending_rows == 0) return;
  const size_t n = static_cast<size_t>(g.pending_rows) * static_cast<size_t>(g.cfg.nets());
  const size_t old = g.drained_losses.size();
  g.drained_losses.resize(old + n);
  g.drained_hit_rates.resize(old + n);
  try {
    CUDA_CHECK(cudaMemcpyAsync(g.drained_losses.data() + old, g.losses.get(), n * sizeof(float),
                               cudaMemcpyDeviceToHost, m_compute.get()));
    CUDA_CHECK(cudaMemcpyAsync(g.drained_hit_rates.data() + old, g.hit_rates.get(),
                               n * sizeof(float), cudaMemcpyDeviceToHost, m_compute.get()));
    CUDA_CHECK(cudaStreamSynchronize(m_compute.get()));
  } catch (...) {
    // No rows of zeros for steps whose losses never came: the trainer counts steps by rows.
    g.drained_losses.resize(old);
    g.drained_hit_rates.resize(old);
    throw;
  }
  g.pending_rows = 0;
  if (m_timer) m_timer->collect();
}

std::vector<float> CudaBackend::take_losses() {
  if (!m_group) return {};
  Group& g = group();
  drain_losses();
  return std::exchange(g.drained_losses, {});
}

std::vector<float> CudaBackend::take_accuracies() {
  if (!m_group) return {};
  Group& g = group();
  drain_losses();
  return std::exchange(g.drained_hit_rates, {});
}

float* CudaBackend::tensor(int net, int param, TensorRole role) {
  Group& g = group();
  const ParamLayout& layout = g.net.layout();
  if (net < 0 || net >= g.cfg.nets() || param < 0 ||
      param >= static_cast<int>(layout.params().size()))
    throw std::out_of_range("no tensor " + std::to_string(param) + " of network " +
                            std::to_string(net));
  DeviceBuffer<float>* base[] = {&g.params, &g.grads, &g.slot0, &g.slot1};
  return base[static_cast<int>(role)]->get() + layout.offset(param, net);
}

void CudaBackend::read_tensor(int net, int param, TensorRole role, float* out) {
  const float* src = tensor(net, param, role);
  const size_t bytes =
      sizeof(float) * static_cast<size_t>(m_group->net.layout().params()[param].size());
  CUDA_CHECK(cudaMemcpyAsync(out, src, bytes, cudaMemcpyDeviceToHost, m_compute.get()));
  CUDA_CHECK(cudaStreamSynchronize(m_compute.get()));
}

void CudaBackend::write_tensor(int net, int param, TensorRole role, const float* in) {
  float* dst = tensor(net, param, role);
  const size_t bytes =
      sizeof(float) * static_cast<size_t>(m_group->net.layout().params()[param].size());
  CUDA_CHECK(cudaMemcpyAsync(dst, in, bytes, cudaMemcpyHostToDevice, m_compute.get()));
  CUDA_CHECK(cudaStreamSynchronize(m_compute.get()));
}

long long CudaBackend::step_count() const {
  return m_group ? m_group->step : 0;
}

void CudaBackend::set_step_count(long long t) {
  group().step = t;
}

}  // namespace cs::cuda
