// Softmax with the max subtracted; the loss is computed as log-sum-exp minus the true logit so
// that it stays finite when the true class's probability underflows (and, smoothed, as
// (1 - e) times that plus e / K times the sum over the classes of log-sum-exp minus the logit).
#include "cpu/ops/softmax_xent.h"

#include <algorithm>
#include <cmath>

#include "convscope/label_smoothing.h"

namespace cs::cpu {

template <typename T>
void softmax_xent_forward(T* probs, T* losses, const T* logits, const int32_t* labels, int B,
                          int classes, T smoothing) {
  for (int b = 0; b < B; ++b) {
    const T* z = logits + static_cast<long long>(b) * classes;
    T* p = probs + static_cast<long long>(b) * classes;
    const T zmax = *std::max_element(z, z + classes);
    T sum = 0;
    for (int j = 0; j < classes; ++j) {
      p[j] = std::exp(z[j] - zmax);
      sum += p[j];
    }
    const T inv = T(1) / sum;
    for (int j = 0; j < classes; ++j) p[j] *= inv;
    const T lse = std::log(sum);
    losses[b] = lse - (z[labels[b]] - zmax);
    if (smoothing > 0) {
      T all = 0;  // sum over the classes of -log p
      for (int j = 0; j < classes; ++j) all += lse - (z[j] - zmax);
      losses[b] = (T(1) - smoothing) * losses[b] + smoothing / static_cast<T>(classes) * all;
    }
  }
}

template <typename T>
void softmax_xent_backward(T* dlogits, const T* probs, const int32_t* labels, int B, int classes,
                           T scale, T smoothing) {
  for (int b = 0; b < B; ++b) {
    T* d = dlogits + static_cast<long long>(b) * classes;
    const T* p = probs + static_cast<long long>(b) * classes;
    for (int j = 0; j < classes; ++j)
      d[j] = scale * (p[j] - label_target(j, labels[b], smoothing, classes));
  }
}

template void softmax_xent_forward<float>(float*, float*, const float*, const int32_t*, int, int,
                                          float);
template void softmax_xent_forward<double>(double*, double*, const double*, const int32_t*, int,
                                           int, double);
template void softmax_xent_backward<float>(float*, const float*, const int32_t*, int, int, float,
                                           float);
template void softmax_xent_backward<double>(double*, const double*, const int32_t*, int, int,
                                            double, double);

}  // namespace cs::cpu
