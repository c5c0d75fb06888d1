// Getting snapshots off the GPU without making training wait.
//
// The probe's activations, gradients and the weights are gathered on the compute stream into a
// compact device staging buffer (one per slot of a small ring). submit() records an event there;
// the copy stream waits for it, copies the staging buffer into the slot's pinned host buffer and
// then runs a host callback that unpacks it into SnapshotExchange::back() and publishes it. The
// callbacks of one stream run one after another, so they are the exchange's single producer.
// A slot is busy from submit() until its callback has run; with every slot busy the caller skips
// the capture instead of waiting.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "convscope/snapshot.h"
#include "cuda_raii.h"

namespace cs::cuda {

// Where each part of a snapshot sits in the staging buffer (offsets in floats), and the parts
// that do not change from step to step (names, kinds, shapes).
struct SnapshotLayout {
  struct Layer {
    LayerSnapshot meta;  // name, kind, out_shape, weight_shape; vectors empty
    size_t activation = 0, dactivation = 0, weight = 0, dweight = 0, bias = 0, dbias = 0;
    size_t out_size = 0, weight_size = 0, bias_size = 0;
  };
  Shape3 input_shape;
  int classes = 0;
  size_t input = 0, probs = 0, loss = 0;
  std::vector<Layer> layers;
  size_t total = 0;
};

// Layer names: conv1, conv2, ... for convolutions, pool1, ... for pooling, fc1, ... for dense.
SnapshotLayout snapshot_layout(const NetworkSpec& spec);

struct SnapshotMeta {
  long long step = 0;
  int epoch = 0, net = 0, probe = 0, label = 0;
};

class SnapshotRing {
 public:
  SnapshotRing(SnapshotExchange& exchange, SnapshotLayout layout, int slots);
  // The owner must synchronize the copy stream before destroying the ring.
  ~SnapshotRing() = default;

  const SnapshotLayout& layout() const { return m_layout; }
  // A slot whose staging buffer may be filled, or -1 when all are still in flight.
  int acquire() const;
  float* staging(int slot) const { return m_slots[slot]->staging.get(); }
  // The staging buffer of `slot` has been filled by work enqueued on `compute`.
  void submit(int slot, const SnapshotMeta& meta, cudaStream_t compute, cudaStream_t copy);

 private:
  struct Slot {
    SnapshotRing* ring = nullptr;
    DeviceBuffer<float> staging;
    PinnedBuffer<float> host;
    Event filled;
    SnapshotMeta meta;
    std::atomic<bool> busy{false};
  };
  static void CUDART_CB publish(void* slot);
  void unpack(const Slot& slot);

  SnapshotExchange& m_exchange;
  SnapshotLayout m_layout;
  std::vector<std::unique_ptr<Slot>> m_slots;
};

}  // namespace cs::cuda
