// Softmax with the max subtracted; the loss is computed as log-sum-exp minus the true logit so
// that it stays finite when the true class's probability underflows.
#include "cpu/ops/softmax_xent.h"

#include <algorithm>
#include <cmath>

namespace cs::cpu {

template <typename T>
void softmax_xent_forward(T* probs, T* losses, const T* logits, const int32_t* labels, int B,
                          int classes) {
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
    losses[b] = std::log(sum) - (z[labels[b]] - zmax);
  }
}

template <typename T>
void softmax_xent_backward(T* dlogits, const T* probs, const int32_t* labels, int B, int classes,
                           T scale) {
  for (int b = 0; b < B; ++b) {
    T* d = dlogits + static_cast<long long>(b) * classes;
    const T* p = probs + static_cast<long long>(b) * classes;
    for (int j = 0; j < classes; ++j) d[j] = scale * (p[j] - (j == labels[b] ? T(1) : T(0)));
  }
}

template void softmax_xent_forward<float>(float*, float*, const float*, const int32_t*, int, int);
template void softmax_xent_forward<double>(double*, double*, const double*, const int32_t*, int,
                                           int);
template void softmax_xent_backward<float>(float*, const float*, const int32_t*, int, int, float);
template void softmax_xent_backward<double>(double*, const double*, const int32_t*, int, int,
                                            double);

}  // namespace cs::cpu
