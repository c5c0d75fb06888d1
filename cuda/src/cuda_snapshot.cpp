// Snapshots on the GPU: a batch-1 forward/backward of the probe image through every network
// with the current weights (data gradients only, so the training batch's weight gradients stay
// as they are), then the chosen network's slices gathered into a ring slot and sent off.
#include <stdexcept>
#include <string>

#include "cuda_backend.h"
#include "ops/gather.cuh"

namespace cs::cuda {

namespace {

void check_probe(int net, int probe, int nets, int count) {
  if (net < 0 || net >= nets || probe < 0 || probe >= count)
    throw std::out_of_range("no snapshot of network " + std::to_string(net) + " on image " +
                            std::to_string(probe) + " (" + std::to_string(nets) + " networks, " +
                            std::to_string(count) + " validation images)");
}

}  // namespace

void CudaBackend::request_snapshot(int net, int probe) {
  Group& g = group();
  check_probe(net, probe, g.cfg.nets(), g.val_count);
  g.requested = {net, probe};
}

void CudaBackend::publish_snapshot(const Snapshot& s) {
  Group& g = group();
  g.requested.reset();
  // The copy stream's host callbacks publish this backend's own frames: once it is idle, none is
  // left to write the exchange beside this thread.
  CUDA_CHECK(cudaStreamSynchronize(m_copy.get()));
  m_exchange.back() = s;
  m_exchange.publish();
}

void CudaBackend::capture_snapshot(int net, int probe) {
  Group& g = group();
  check_probe(net, probe, g.cfg.nets(), g.val_count);
  (void)g.net.plan(1, g.probe.in_nets, true, m_compute.get());
  int slot = g.ring.acquire();
  if (slot < 0) {  // paused, so waiting for a transfer to finish costs training nothing
    CUDA_CHECK(cudaStreamSynchronize(m_copy.get()));
    slot = g.ring.acquire();
  }
  if (slot < 0)  // every transfer has finished, so every slot's callback has freed it
    throw BackendError("internal: no snapshot buffer is free after all transfers finished");
  enqueue_probe(slot, net, probe);
}

// Needs the probe's plan to exist already (it is only looked up here).
void CudaBackend::enqueue_probe(int slot, int net, int probe) {
  Group& g = *m_group;
  const NetworkSpec& spec = g.cfg.spec;
  const int nets = g.cfg.nets();
  const size_t last = spec.layers.size() - 1;
  cudaStream_t s = m_compute.get();
  const Plan& plan = g.net.plan(1, g.probe.in_nets, true, s);
  Activations& a = g.probe;
  const BatchSource src{g.val_images.get(), g.val_labels.get(), spec.input.size(), nullptr, 1, 0};
  gather_batch(a.x.get(), a.labels.get(), src, nullptr, probe, 1, a.in_nets, nets, s);
  g.net.forward(plan, a, g.params.get(), s);
  softmax_xent_forward_backward(a.dy[last].get(), a.probs.get(), g.probe_loss.get(), nullptr,
                                nullptr, a.y[last].get(), a.labels.get(), 1, nets, spec.classes,
                                0.f, s);  // the probe's loss is the plain one
  g.net.backward(plan, a, g.params.get(), nullptr, s);

  const SnapshotLayout& lay = g.ring.layout();
  const ParamLayout& params = g.net.layout();
  const size_t input = static_cast<size_t>(spec.input.size());
  const size_t classes = static_cast<size_t>(spec.classes);
  const size_t n = static_cast<size_t>(net);
  std::vector<CopySegment> segs = {
      {a.x.get() + (a.in_nets == 1 ? 0 : n * input), lay.input, input},
      {a.probs.get() + n * classes, lay.probs, classes},
      {g.probe_loss.get() + n, lay.loss, 1},
  };
  for (size_t l = 0; l < lay.layers.size(); ++l) {
    const SnapshotLayout::Layer& L = lay.layers[l];
    segs.push_back({a.y[l].get() + n * L.out_size, L.activation, L.out_size});
    segs.push_back({a.dy[l].get() + n * L.out_size, L.dactivation, L.out_size});
    const int wi = params.weight_of_layer(static_cast<int>(l));
    if (wi < 0) continue;
    segs.push_back({g.params.get() + params.offset(wi, net), L.weight, L.weight_size});
    segs.push_back({g.grads.get() + params.offset(wi, net), L.dweight, L.weight_size});
    segs.push_back({g.params.get() + params.offset(wi + 1, net), L.bias, L.bias_size});
    segs.push_back({g.grads.get() + params.offset(wi + 1, net), L.dbias, L.bias_size});
  }
  gather_segments(g.ring.staging(slot), segs.data(), static_cast<int>(segs.size()), s);
  g.ring.submit(slot, {g.step, g.epoch, net, probe, g.val_labels_host[static_cast<size_t>(probe)]},
                s, m_copy.get());
}

}  // namespace cs::cuda
