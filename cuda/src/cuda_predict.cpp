// predict(), features() and layer_gradient() on the GPU: host images uploaded in chunks and run
// through the whole group (the networks share one pass), of which only network `net`'s rows are
// read back. layer_gradient() seeds the backward pass at its layer with d s / d(output) for `net`
// (1 / places over the chosen channel: a one-hot d(logit) for the last layer) and zeros for the
// other networks, so their share of a shared input's gradient is zero, and reads back the input's
// gradient or a.dy of layer `at`; no weight gradient is written (grads null), and nothing of the
// training state is touched.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "cuda_backend.h"

namespace cs::cuda {

namespace {

constexpr int kSaliencyChunk = 64;  // images per pass, at most

}  // namespace

Activations& CudaBackend::saliency_buffers() {
  Group& g = *m_group;
  if (!g.saliency) {
    const int in_nets = g.net.input_nets(false);
    // Fewer where cuDNN could not describe the convolutions of 64 (as configure() checks the
    // training batch).
    g.saliency_chunk =
        std::min(kSaliencyChunk, conv_batch_limit(g.cfg.spec, g.cfg.nets(), in_nets == 1));
    g.saliency = std::make_unique<Activations>(g.net, g.saliency_chunk, in_nets, true);
    g.saliency_dx = DeviceBuffer<float>(static_cast<size_t>(g.saliency_chunk) * in_nets *
                                            static_cast<size_t>(g.cfg.spec.input.size()),
                                        "the input gradient");
  }
  return *g.saliency;
}

// Images (count, input) into a.x, (count, in_nets, input): once, or once per network.
void CudaBackend::upload_images(Activations& a, const float* images, int count) {
  const size_t size = static_cast<size_t>(m_group->cfg.spec.input.size());
  const size_t n = static_cast<size_t>(count);
  cudaStream_t s = m_compute.get();
  if (a.in_nets == 1) {
    CUDA_CHECK(
        cudaMemcpyAsync(a.x.get(), images, n * size * sizeof(float), cudaMemcpyHostToDevice, s));
    return;
  }
  std::vector<float> host(n * static_cast<size_t>(a.in_nets) * size);
  for (size_t b = 0; b < n; ++b)
    for (size_t k = 0; k < static_cast<size_t>(a.in_nets); ++k)
      std::copy(images + b * size, images + (b + 1) * size,
                host.begin() + static_cast<long>((b * a.in_nets + k) * size));
  CUDA_CHECK(cudaMemcpyAsync(a.x.get(), host.data(), host.size() * sizeof(float),
                             cudaMemcpyHostToDevice, s));
  CUDA_CHECK(cudaStreamSynchronize(s));  // host is freed on return
}

// Rows (count, nets, per_net) on the device: network `net`'s (count, per_net) into out.
void CudaBackend::fetch_net_rows(float* out, const float* rows, int count, int net, int per_net) {
  const size_t width = static_cast<size_t>(per_net) * sizeof(float);
  const size_t pitch = width * static_cast<size_t>(m_group->cfg.nets());
  CUDA_CHECK(cudaMemcpy2DAsync(out, width, rows + static_cast<size_t>(net) * per_net, pitch, width,
                               static_cast<size_t>(count), cudaMemcpyDeviceToHost,
                               m_compute.get()));
}

void CudaBackend::features(int net, const float* images, int count, std::span<const int> layers,
                           std::span<float* const> outs) {
  Group& g = group();
  check_features_args(g.cfg, net, count, images, layers, outs);
  if (layers.empty()) return;
  const int size = g.cfg.spec.input.size();
  Activations& a = saliency_buffers();
  cudaStream_t s = m_compute.get();
  for (int first = 0; first < count; first += g.saliency_chunk) {
    const int b = std::min(g.saliency_chunk, count - first);
    const Plan& plan = g.net.plan(b, a.in_nets, false, s);
    upload_images(a, images + static_cast<size_t>(first) * size, b);
    g.net.forward(plan, a, g.params.get(), s);
    for (size_t k = 0; k < layers.size(); ++k) {
      const size_t layer = static_cast<size_t>(layers[k]);
      const int per_net = g.net.shapes()[layer].size();
      fetch_net_rows(outs[k] + static_cast<size_t>(first) * per_net, a.y[layer].get(), b, net,
                     per_net);
    }
    CUDA_CHECK(cudaStreamSynchronize(s));  // a is reused by the next chunk
  }
}

void CudaBackend::predict(int net, const float* images, int count, float* probs, float* logits) {
  Group& g = group();
  check_predict_args(g.cfg, net, count, images);
  const int classes = g.cfg.spec.classes, size = g.cfg.spec.input.size();
  const size_t last = g.cfg.spec.layers.size() - 1;
  Activations& a = saliency_buffers();
  cudaStream_t s = m_compute.get();
  std::vector<float> z(static_cast<size_t>(count) * classes);
  for (int first = 0; first < count; first += g.saliency_chunk) {
    const int b = std::min(g.saliency_chunk, count - first);
    const Plan& plan = g.net.plan(b, a.in_nets, false, s);
    upload_images(a, images + static_cast<size_t>(first) * size, b);
    g.net.forward(plan, a, g.params.get(), s);
    fetch_net_rows(z.data() + static_cast<size_t>(first) * classes, a.y[last].get(), b, net,
                   classes);
    CUDA_CHECK(cudaStreamSynchronize(s));  // a is reused by the next chunk
  }
  if (logits) std::copy(z.begin(), z.end(), logits);
  if (!probs) return;
  for (int b = 0; b < count; ++b) {  // softmax, as the CPU's softmax_xent_forward
    const float* row = z.data() + static_cast<size_t>(b) * classes;
    float* p = probs + static_cast<size_t>(b) * classes;
    const float top = *std::max_element(row, row + classes);
    double sum = 0;
    for (int c = 0; c < classes; ++c) sum += std::exp(static_cast<double>(row[c] - top));
    for (int c = 0; c < classes; ++c)
      p[c] = static_cast<float>(std::exp(static_cast<double>(row[c] - top)) / sum);
  }
}

void CudaBackend::layer_gradient(int net, const float* images, int count, int layer,
                                 const int* units, int at, float* dout) {
  Group& g = group();
  check_gradient_args(g.cfg, net, count, images, layer, units, at, dout);
  const int nets = g.cfg.nets(), size = g.cfg.spec.input.size();
  const size_t at_size =
      at < 0 ? static_cast<size_t>(size) : g.net.shapes()[static_cast<size_t>(at)].size();
  const Shape3 out = g.net.shapes()[static_cast<size_t>(layer)];
  const size_t places = static_cast<size_t>(out.h) * out.w, per_net = places * out.c;
  Activations& a = saliency_buffers();
  cudaStream_t s = m_compute.get();
  std::vector<float> seed;
  for (int first = 0; first < count; first += g.saliency_chunk) {
    const int b = std::min(g.saliency_chunk, count - first);
    const Plan& plan = g.net.plan(b, a.in_nets, true, s, true);
    upload_images(a, images + static_cast<size_t>(first) * size, b);
    g.net.forward(plan, a, g.params.get(), s);
    // d s / d(output), (b, nets, C, H, W): 1 / places over net's channel units[b], else 0.
    seed.assign(static_cast<size_t>(b) * nets * per_net, 0.f);
    for (int i = 0; i < b; ++i) {
      float* channel = seed.data() + (static_cast<size_t>(i) * nets + net) * per_net +
                       static_cast<size_t>(units[first + i]) * places;
      std::fill(channel, channel + places, 1.f / static_cast<float>(places));
    }
    CUDA_CHECK(cudaMemcpyAsync(a.dy[static_cast<size_t>(layer)].get(), seed.data(),
                               seed.size() * sizeof(float), cudaMemcpyHostToDevice, s));
    g.net.backward(plan, a, g.params.get(), nullptr, s, g.saliency_dx.get(), nullptr, layer);
    // (b, rows, at_size) on the device, `net`'s row of each image read back: the input has one
    // row when the networks share it, a layer's output one per network.
    const int rows = at < 0 ? a.in_nets : nets;
    const int row = rows == 1 ? 0 : net;
    const float* from = at < 0 ? g.saliency_dx.get() : a.dy[static_cast<size_t>(at)].get();
    const size_t width = at_size * sizeof(float);
    CUDA_CHECK(cudaMemcpy2DAsync(dout + static_cast<size_t>(first) * at_size, width,
                                 from + static_cast<size_t>(row) * at_size,
                                 width * static_cast<size_t>(rows), width, static_cast<size_t>(b),
                                 cudaMemcpyDeviceToHost, s));
    CUDA_CHECK(cudaStreamSynchronize(s));  // seed and a are reused by the next chunk
  }
}

}  // namespace cs::cuda
