// The CUDA backend: a group of networks trained on one GPU.
//
// Everything stays on the device: the datasets (as bytes), the epoch order (sorted on the GPU
// from the CPU's shuffle keys), parameters, gradients and optimizer slots of all networks in
// flat buffers, and each step's losses (only take_losses() copies them back). A training step is
// gather -> forward -> softmax/cross-entropy -> backward -> fused optimizer, all on one stream;
// after a warm-up run per batch size it is captured once into a CUDA graph and replayed, its
// per-step scalars (batch position, loss row, optimizer bias corrections) read from device
// memory. Snapshot steps run un-captured with the probe pass inserted before the update.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "convscope/backend.h"
#include "cuda_raii.h"
#include "group_net.h"
#include "ops/epoch_order.cuh"
#include "ops/optimizer.cuh"
#include "ops/softmax_xent.cuh"
#include "snapshot_ring.h"

namespace cs::cuda {

struct CudaBackendOptions {
  int device = 0;
  bool graphs = true;  // capture and replay training steps as CUDA graphs
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(CudaBackendOptions options = {});
  ~CudaBackend() override;

  BackendInfo info() const override { return {"cuda", m_device_name}; }
  void configure(const GroupConfig& cfg, const Dataset& train, const Dataset& val) override;
  const GroupConfig& config() const override;
  void begin_epoch(int epoch) override;
  void train_step(int first, int count) override;
  std::vector<float> take_losses() override;
  std::vector<float> take_accuracies() override;
  void evaluate(EvalResult& out) override;
  void request_snapshot(int net, int probe) override;
  void capture_snapshot(int net, int probe) override;
  SnapshotExchange& snapshots() override { return m_exchange; }
  void publish_snapshot(const Snapshot& s) override;
  void read_tensor(int net, int param, TensorRole role, float* out) override;
  void write_tensor(int net, int param, TensorRole role, const float* in) override;
  void predict(int net, const float* images, int count, float* probs, float* logits) override;
  using Backend::features;
  void features(int net, const float* images, int count, std::span<const int> layers,
                std::span<float* const> outs) override;
  void layer_gradient(int net, const float* images, int count, int layer, const int* units, int at,
                      float* dout) override;
  long long step_count() const override;
  void set_step_count(long long t) override;

  // Steps replayed from CUDA graphs so far, and graphs captured (tests check that the graph path
  // really ran, and that graphs were captured again after the workspace moved).
  long long graph_replays() const { return m_graph_replays; }
  long long graph_captures() const { return m_graph_captures; }
  // Whether the op profile is on (CONVSCOPE_CUDA_PROFILE=1 with graphs off; op_timer.h).
  bool profiling() const { return m_timer != nullptr; }

 private:
  struct Group;  // the state configure() builds

  Group& group();
  void activate() const;  // make the backend's device current on the calling thread
  // Throws InputError for a batch too large for cuDNN's tensors (conv_batch_limit).
  static void check_conv_batch(const GroupConfig& cfg);
  float* tensor(int net, int param, TensorRole role);
  void drain_losses();
  void enqueue_step(const Plan& plan, int snapshot_slot);
  bool launch_graph(const Plan& plan);
  void enqueue_probe(int slot, int net, int probe);
  Activations& saliency_buffers();
  void upload_images(Activations& a, const float* images, int count);
  void fetch_net_rows(float* out, const float* rows, int count, int net, int per_net);

  int m_device;
  bool m_graphs;
  std::string m_device_name;
  Stream m_compute, m_copy;  // training work; snapshot transfers
  CudnnHandle m_cudnn;
  CublasHandle m_cublas;
  DeviceBuffer<unsigned char> m_cublas_workspace;
  SnapshotExchange m_exchange;
  std::unique_ptr<Group> m_group;
  long long m_graph_replays = 0;
  long long m_graph_captures = 0;
  std::unique_ptr<OpTimer> m_timer;  // CONVSCOPE_CUDA_PROFILE=1 with graphs off (op_timer.h)
};

// Everything sized by the configuration. Declared here so the backend's .cpp files share it.
struct CudaBackend::Group {
  // Uploads the datasets and the initial weights (init_parameters() of every seed) on `stream`.
  Group(const GroupConfig& cfg, const Dataset& train, const Dataset& val, cudnnHandle_t cudnn,
        cublasHandle_t cublas, SnapshotExchange& exchange, cudaStream_t stream);

  GroupConfig cfg;
  GroupNet net;
  int train_count, val_count;
  DeviceBuffer<uint8_t> train_images, train_labels, val_images, val_labels;
  std::vector<uint8_t> val_labels_host;  // snapshot labels

  DeviceBuffer<float> params, grads, slot0, slot1;  // ParamLayout order
  int order_rows;                                   // 1, or N with per-network shuffling
  DeviceBuffer<int> order;                          // (order_rows, train_count)
  EpochOrderSorter sorter;
  int epoch = 0;
  long long step = 0;
  DeviceBuffer<uint64_t> seeds;  // (N) the initialization seeds: the dropout masks' keys

  DeviceBuffer<StepState> state;
  DeviceBuffer<float> losses, hit_rates;  // (kLossRows, N) per step: mean loss, top-1 hit rate
  int pending_rows = 0;                   // rows not yet copied to the host
  std::vector<float> drained_losses, drained_hit_rates;  // copied, not yet taken

  Activations train;               // capacity batch_size
  Activations probe;               // capacity 1, for snapshots
  DeviceBuffer<float> probe_loss;  // (N)
  SnapshotRing ring;
  std::optional<std::pair<int, int>> requested;  // (net, probe) for the next step

  int eval_chunk;
  Activations eval;  // forward only, capacity eval_chunk
  DeviceBuffer<uint8_t> eval_top_labels, eval_hit;
  DeviceBuffer<float> eval_top_probs, eval_true_probs, eval_row_loss, eval_loss, eval_accuracy;
  EvalRows eval_rows() const;

  // predict(), features() and layer_gradient(): capacity saliency_chunk, made on first use; dx is
  // the input gradient (saliency_chunk, in_nets, input).
  int saliency_chunk = 0;
  std::unique_ptr<Activations> saliency;
  DeviceBuffer<float> saliency_dx;

  std::map<int, GraphExec> graphs;  // by batch size
  std::map<int, int> eager_runs;    // un-captured runs by batch size (warm-up before capture)
  unsigned graph_generation = 0;
};

}  // namespace cs::cuda
