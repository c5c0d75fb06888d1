// Bias + activation, forward and backward. Derivatives from the output: relu' = [y > 0],
// tanh' = 1 - y^2, sigmoid' = y (1 - y).
#include "cpu/ops/activation.h"

#include <cmath>

#include "cpu/simd.h"

namespace cs::cpu {

namespace {

template <typename T>
inline T activate(T x, Activation act) {
  switch (act) {
    case Activation::None:
      return x;
    case Activation::Relu:
      return x > T(0) ? x : T(0);
    case Activation::Tanh:
      return std::tanh(x);
    case Activation::Sigmoid:
      return T(1) / (T(1) + std::exp(-x));
  }
  return x;
}

template <typename T>
inline T derivative(T y, Activation act) {
  switch (act) {
    case Activation::None:
      return T(1);
    case Activation::Relu:
      return y > T(0) ? T(1) : T(0);
    case Activation::Tanh:
      return T(1) - y * y;
    case Activation::Sigmoid:
      return y * (T(1) - y);
  }
  return T(1);
}

// One channel's run of `inner` values; the activation is a template argument so that each loop
// is branch-free (and vectorizes for None and Relu).
template <typename T, Activation A>
void forward_run(T* x, T bias, int inner) {
  for (int i = 0; i < inner; ++i) x[i] = activate(x[i] + bias, A);
}

template <typename T, Activation A>
T backward_run(T* dx, const T* y, int inner) {
  for (int i = 0; i < inner; ++i) dx[i] *= derivative(y[i], A);
  return simd::sum(dx, inner);
}

template <typename T, Activation A>
void forward_all(T* x, const T* bias, int outer, int channels, int inner) {
  for (int o = 0; o < outer; ++o)
    for (int c = 0; c < channels; ++c)
      forward_run<T, A>(x + (static_cast<long long>(o) * channels + c) * inner,
                        bias ? bias[c] : T(0), inner);
}

template <typename T, Activation A>
void backward_all(T* dx, T* dbias, const T* y, int outer, int channels, int inner) {
  for (int o = 0; o < outer; ++o)
    for (int c = 0; c < channels; ++c) {
      const long long at = (static_cast<long long>(o) * channels + c) * inner;
      const T sum = backward_run<T, A>(dx + at, y + at, inner);
      if (dbias) dbias[c] += sum;
    }
}

}  // namespace

template <typename T>
void bias_activation_forward(T* x, const T* bias, int outer, int channels, int inner,
                             Activation act) {
  switch (act) {
    case Activation::None:
      return forward_all<T, Activation::None>(x, bias, outer, channels, inner);
    case Activation::Relu:
      return forward_all<T, Activation::Relu>(x, bias, outer, channels, inner);
    case Activation::Tanh:
      return forward_all<T, Activation::Tanh>(x, bias, outer, channels, inner);
    case Activation::Sigmoid:
      return forward_all<T, Activation::Sigmoid>(x, bias, outer, channels, inner);
  }
}

template <typename T>
void bias_activation_backward(T* dx, T* dbias, const T* y, int outer, int channels, int inner,
                              Activation act) {
  switch (act) {
    case Activation::None:
      return backward_all<T, Activation::None>(dx, dbias, y, outer, channels, inner);
    case Activation::Relu:
      return backward_all<T, Activation::Relu>(dx, dbias, y, outer, channels, inner);
    case Activation::Tanh:
      return backward_all<T, Activation::Tanh>(dx, dbias, y, outer, channels, inner);
    case Activation::Sigmoid:
      return backward_all<T, Activation::Sigmoid>(dx, dbias, y, outer, channels, inner);
  }
}

template void bias_activation_forward<float>(float*, const float*, int, int, int, Activation);
template void bias_activation_forward<double>(double*, const double*, int, int, int, Activation);
template void bias_activation_backward<float>(float*, float*, const float*, int, int, int,
                                              Activation);
template void bias_activation_backward<double>(double*, double*, const double*, int, int, int,
                                               Activation);

}  // namespace cs::cpu
