// The snapshot ring (see snapshot_ring.h).
#include "snapshot_ring.h"

namespace cs::cuda {

SnapshotLayout snapshot_layout(const NetworkSpec& spec) {
  SnapshotLayout out;
  out.input_shape = spec.input;
  out.classes = spec.classes;
  size_t at = 0;
  const auto take = [&at](size_t n) {
    const size_t here = at;
    at += n;
    return here;
  };
  out.input = take(static_cast<size_t>(spec.input.size()));
  out.probs = take(static_cast<size_t>(spec.classes));
  out.loss = take(1);
  const std::vector<Shape3> shapes = spec.output_shapes();
  const std::vector<ParamInfo> params = spec.params();
  const std::vector<std::string> names = spec.layer_names();
  for (size_t l = 0; l < spec.layers.size(); ++l) {
    SnapshotLayout::Layer s;
    s.meta.kind = spec.layers[l].kind;
    s.meta.out_shape = shapes[l];
    s.meta.kernel = spec.layers[l].kernel;
    s.meta.name = names[l];
    s.out_size = static_cast<size_t>(shapes[l].size());
    s.activation = take(s.out_size);
    s.dactivation = take(s.out_size);
    for (const ParamInfo& p : params) {
      if (p.layer != static_cast<int>(l)) continue;
      if (p.is_bias) {
        s.bias_size = static_cast<size_t>(p.size());
      } else {
        s.meta.weight_shape = p.shape;
        s.weight_size = static_cast<size_t>(p.size());
      }
    }
    s.weight = take(s.weight_size);
    s.dweight = take(s.weight_size);
    s.bias = take(s.bias_size);
    s.dbias = take(s.bias_size);
    out.layers.push_back(std::move(s));
  }
  out.total = at;
  return out;
}

SnapshotRing::SnapshotRing(SnapshotExchange& exchange, SnapshotLayout layout, int slots)
    : m_exchange(exchange), m_layout(std::move(layout)) {
  for (int i = 0; i < slots; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->ring = this;
    slot->staging = DeviceBuffer<float>(m_layout.total, "snapshot staging");
    slot->host = PinnedBuffer<float>(m_layout.total, "snapshot transfer");
    slot->filled = make_event();
    m_slots.push_back(std::move(slot));
  }
}

int SnapshotRing::acquire() const {
  for (size_t i = 0; i < m_slots.size(); ++i)
    if (!m_slots[i]->busy.load(std::memory_order_acquire)) return static_cast<int>(i);
  return -1;
}

void SnapshotRing::submit(int index, const SnapshotMeta& meta, cudaStream_t compute,
                          cudaStream_t copy) {
  Slot& slot = *m_slots[index];
  slot.meta = meta;
  slot.busy.store(true, std::memory_order_release);
  try {
    CUDA_CHECK(cudaEventRecord(slot.filled.get(), compute));
    CUDA_CHECK(cudaStreamWaitEvent(copy, slot.filled.get(), 0));
    CUDA_CHECK(cudaMemcpyAsync(slot.host.get(), slot.staging.get(), slot.staging.bytes(),
                               cudaMemcpyDeviceToHost, copy));
    CUDA_CHECK(cudaLaunchHostFunc(copy, &SnapshotRing::publish, &slot));
  } catch (...) {
    // The callback that frees the slot was not queued: freed here, or it would stay taken (three
    // such errors, and no snapshot could be taken again).
    slot.busy.store(false, std::memory_order_release);
    throw;
  }
}

void CUDART_CB SnapshotRing::publish(void* p) {
  Slot& slot = *static_cast<Slot*>(p);
  try {
    slot.ring->unpack(slot);
    slot.ring->m_exchange.publish();
  } catch (...) {  // out of host memory: drop this snapshot (a callback must not throw)
  }
  slot.busy.store(false, std::memory_order_release);
}

void SnapshotRing::unpack(const Slot& slot) {
  const float* h = slot.host.get();
  const auto part = [h](std::vector<float>& v, size_t at, size_t n) {
    v.assign(h + at, h + at + n);
  };
  Snapshot& s = m_exchange.back();
  s.step = slot.meta.step;
  s.epoch = slot.meta.epoch;
  s.net = slot.meta.net;
  s.probe = slot.meta.probe;
  s.label = slot.meta.label;
  s.loss = h[m_layout.loss];
  s.input_shape = m_layout.input_shape;
  part(s.input, m_layout.input, static_cast<size_t>(m_layout.input_shape.size()));
  part(s.probs, m_layout.probs, static_cast<size_t>(m_layout.classes));
  s.layers.resize(m_layout.layers.size());
  for (size_t l = 0; l < m_layout.layers.size(); ++l) {
    const SnapshotLayout::Layer& src = m_layout.layers[l];
    LayerSnapshot& dst = s.layers[l];
    dst.name = src.meta.name;
    dst.kind = src.meta.kind;
    dst.out_shape = src.meta.out_shape;
    dst.kernel = src.meta.kernel;
    dst.weight_shape = src.meta.weight_shape;
    part(dst.activation, src.activation, src.out_size);
    part(dst.dactivation, src.dactivation, src.out_size);
    part(dst.weight, src.weight, src.weight_size);
    part(dst.dweight, src.dweight, src.weight_size);
    part(dst.bias, src.bias, src.bias_size);
    part(dst.dbias, src.dbias, src.bias_size);
  }
}

}  // namespace cs::cuda
