// Softmax + cross-entropy kernels. Training: one block per network, each thread takes rows of
// the batch, and the block sums the losses in a fixed order (reproducible). Evaluation: one
// thread per (image, network) row, then one block per network for the means.
#include "convscope/label_smoothing.h"
#include "cuda_check.h"
#include "launch.h"
#include "softmax_xent.cuh"

namespace cs::cuda {

namespace {

// Softmax as the CPU computes it: p = exp(z - max) * (1 / sum); loss = log(sum) - (z - max).
struct RowStats {
  float max, sum, inv;
};

__device__ RowStats row_stats(const float* z, int classes) {
  float m = z[0];
  for (int j = 1; j < classes; ++j) m = fmaxf(m, z[j]);
  float s = 0.f;
  for (int j = 0; j < classes; ++j) s += expf(z[j] - m);
  return {m, s, 1.f / s};
}

__device__ __forceinline__ float prob(const float* z, int j, const RowStats& st) {
  return expf(z[j] - st.max) * st.inv;
}

__global__ void softmax_xent_kernel(float* dlogits, float* probs, float* loss, float* hit_rate,
                                    const int* row, const float* logits, const int* labels,
                                    int batch, int nets, int classes, float smoothing) {
  const int n = blockIdx.x;
  const float inv_batch = 1.f / static_cast<float>(batch);
  float total = 0.f, hits = 0.f;
  for (int b = threadIdx.x; b < batch; b += blockDim.x) {
    const size_t at = (static_cast<size_t>(b) * nets + n) * classes;
    const float* z = logits + at;
    const int label = labels[b * nets + n];
    const RowStats st = row_stats(z, classes);
    const float lse = logf(st.sum);
    float row_loss = lse - (z[label] - st.max);
    if (smoothing > 0.f) {  // as the CPU: (1 - e) * loss + e / K * sum of -log p
      float all = 0.f;
      for (int j = 0; j < classes; ++j) all += lse - (z[j] - st.max);
      row_loss = (1.f - smoothing) * row_loss + smoothing / static_cast<float>(classes) * all;
    }
    total += row_loss;
    int best = 0;
    float best_p = -1.f;
    for (int j = 0; j < classes; ++j) {
      const float p = prob(z, j, st);
      if (p > best_p) best = j, best_p = p;  // the first maximum, as std::max_element
      dlogits[at + j] = inv_batch * (p - label_target(j, label, smoothing, classes));
      if (probs) probs[at + j] = p;
    }
    hits += best == label ? 1.f : 0.f;
  }
  total = block_sum(total);
  hits = block_sum(hits);
  if (threadIdx.x == 0) {
    const size_t out = static_cast<size_t>(row ? *row : 0) * nets + n;
    loss[out] = total / static_cast<float>(batch);
    if (hit_rate) hit_rate[out] = hits / static_cast<float>(batch);
  }
}

__global__ void evaluate_kernel(EvalRows out, int first, const float* logits, const int* labels,
                                int batch, int nets, int classes) {
  const int rows = batch * nets;
  for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += gridDim.x * blockDim.x) {
    const int b = r / nets, n = r % nets;
    const float* z = logits + static_cast<size_t>(r) * classes;
    const int label = labels[r];
    const RowStats st = row_stats(z, classes);
    int top[3] = {-1, -1, -1};
    float top_p[3] = {0.f, 0.f, 0.f};
    for (int j = 0; j < classes; ++j) {  // strict > keeps the lower class first on ties
      const float p = prob(z, j, st);
      for (int k = 0; k < 3; ++k) {
        if (top[k] < 0 || p > top_p[k]) {
          for (int q = 2; q > k; --q) top[q] = top[q - 1], top_p[q] = top_p[q - 1];
          top[k] = j, top_p[k] = p;
          break;
        }
      }
    }
    const size_t at = static_cast<size_t>(n) * out.count + first + b;
    for (int k = 0; k < 3; ++k) {
      out.top_labels[at * 3 + k] = static_cast<uint8_t>(top[k] < 0 ? 0 : top[k]);
      out.top_probs[at * 3 + k] = top_p[k];
    }
    out.true_probs[at] = prob(z, label, st);
    out.loss[at] = logf(st.sum) - (z[label] - st.max);
    // No answer (cs::answered(): the best probability is not a number) is no hit.
    out.hit[at] = top[0] == label && !isnan(top_p[0]) ? 1 : 0;
  }
}

__global__ void evaluate_reduce_kernel(float* loss, float* accuracy, EvalRows rows) {
  const int n = blockIdx.x;
  const size_t base = static_cast<size_t>(n) * rows.count;
  float sum_loss = 0.f, sum_hits = 0.f;
  for (int i = threadIdx.x; i < rows.count; i += blockDim.x) {
    sum_loss += rows.loss[base + i];
    sum_hits += rows.hit[base + i];
  }
  sum_loss = block_sum(sum_loss);
  sum_hits = block_sum(sum_hits);
  if (threadIdx.x == 0) {
    loss[n] = sum_loss / static_cast<float>(rows.count);
    accuracy[n] = sum_hits / static_cast<float>(rows.count);
  }
}

}  // namespace

void softmax_xent_forward_backward(float* dlogits, float* probs, float* loss, float* hit_rate,
                                   const int* row, const float* logits, const int* labels,
                                   int batch, int nets, int classes, float smoothing,
                                   cudaStream_t stream) {
  if (batch == 0 || nets == 0) return;
  softmax_xent_kernel<<<nets, kBlock, 0, stream>>>(dlogits, probs, loss, hit_rate, row, logits,
                                                   labels, batch, nets, classes, smoothing);
  CUDA_CHECK_LAUNCH();
}

void softmax_xent_evaluate(const EvalRows& rows, int first, const float* logits, const int* labels,
                           int batch, int nets, int classes, cudaStream_t stream) {
  const size_t n = static_cast<size_t>(batch) * nets;
  if (n == 0) return;
  evaluate_kernel<<<grid_for(n), kBlock, 0, stream>>>(rows, first, logits, labels, batch, nets,
                                                      classes);
  CUDA_CHECK_LAUNCH();
}

void evaluate_reduce(float* loss, float* accuracy, const EvalRows& rows, int nets,
                     cudaStream_t stream) {
  if (nets == 0 || rows.count == 0) return;
  evaluate_reduce_kernel<<<nets, kBlock, 0, stream>>>(loss, accuracy, rows);
  CUDA_CHECK_LAUNCH();
}

}  // namespace cs::cuda
