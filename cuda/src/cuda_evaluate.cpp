// Evaluation on the GPU: the whole validation set in chunks through the forward pass of every
// network, per-image results written straight into device arrays, one copy back at the end.
#include "cuda_backend.h"
#include "ops/gather.cuh"

namespace cs::cuda {

void CudaBackend::evaluate(EvalResult& out) {
  Group& g = group();
  const NetworkSpec& spec = g.cfg.spec;
  const int nets = g.cfg.nets();
  const size_t last = spec.layers.size() - 1;
  cudaStream_t s = m_compute.get();
  const EvalRows rows = g.eval_rows();
  const BatchSource src{g.val_images.get(), g.val_labels.get(), spec.input.size(), nullptr, 1, 0};
  for (int first = 0; first < g.val_count; first += g.eval_chunk) {
    const int batch = std::min(g.eval_chunk, g.val_count - first);
    const Plan& plan = g.net.plan(batch, g.eval.in_nets, false, s);
    gather_batch(g.eval.x.get(), g.eval.labels.get(), src, nullptr, first, batch, g.eval.in_nets,
                 nets, s);
    g.net.forward(plan, g.eval, g.params.get(), s);
    softmax_xent_evaluate(rows, first, g.eval.y[last].get(), g.eval.labels.get(), batch, nets,
                          spec.classes, s);
  }
  evaluate_reduce(g.eval_loss.get(), g.eval_accuracy.get(), rows, nets, s);

  const size_t n = static_cast<size_t>(nets) * static_cast<size_t>(g.val_count);
  out.nets = nets;
  out.count = g.val_count;
  out.loss.resize(static_cast<size_t>(nets));
  out.accuracy.resize(static_cast<size_t>(nets));
  out.top_labels.resize(n * 3);
  out.top_probs.resize(n * 3);
  out.true_probs.resize(n);
  const auto fetch = [s](auto& dst, const auto& src) {
    CUDA_CHECK(cudaMemcpyAsync(dst.data(), src.get(), dst.size() * sizeof(dst[0]),
                               cudaMemcpyDeviceToHost, s));
  };
  fetch(out.loss, g.eval_loss);
  fetch(out.accuracy, g.eval_accuracy);
  fetch(out.top_labels, g.eval_top_labels);
  fetch(out.top_probs, g.eval_top_probs);
  fetch(out.true_probs, g.eval_true_probs);
  CUDA_CHECK(cudaStreamSynchronize(s));
}

}  // namespace cs::cuda
