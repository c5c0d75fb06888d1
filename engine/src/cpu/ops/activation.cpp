// Bias + activation, forward and backward. Derivatives from the output: relu' = [out > 0],
// tanh' = 1 - out^2, sigmoid' = out (1 - out).
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
void forward_run_in_place(T* out, T bias, int inner) {
  for (int i = 0; i < inner; ++i) out[i] = activate(out[i] + bias, A);
}

template <typename T, Activation A>
void forward_all(T* out, const T* bias, int outer, int channels, int inner) {
  if (inner == 1 && bias) {  // dense layers: along each sample's row of channels
    for (int o = 0; o < outer; ++o) {
      T* __restrict row = out + static_cast<long long>(o) * channels;
      for (int c = 0; c < channels; ++c) row[c] = activate(row[c] + bias[c], A);
    }
    return;
  }
  for (int o = 0; o < outer; ++o)
    for (int c = 0; c < channels; ++c)
      forward_run_in_place<T, A>(out + (static_cast<long long>(o) * channels + c) * inner,
                                 bias ? bias[c] : T(0), inner);
}

// inner 1 (dense layers): each sample's row of channels at a time, so that the loops run along
// the channels; a sum per value would cost more than the value.
template <typename T, Activation A>
void backward_rows(T* dpre, T* __restrict dbias, const T* dout, const T* __restrict out, int outer,
                   int channels) {
  for (int o = 0; o < outer; ++o) {
    const long long at = static_cast<long long>(o) * channels;
    if constexpr (A != Activation::None) {
      T* __restrict d = dpre + at;
      if (dpre == dout)
        for (int c = 0; c < channels; ++c) d[c] *= derivative(out[at + c], A);
      else
        for (int c = 0; c < channels; ++c) d[c] = dout[at + c] * derivative(out[at + c], A);
    }
    const T* g = (A == Activation::None ? dout : dpre) + at;  // d's values: no __restrict
    if (dbias)
      for (int c = 0; c < channels; ++c) dbias[c] += g[c];
  }
}

// Returns the buffer of d(pre-activation): dout itself for None, whose derivative is 1.
template <typename T, Activation A>
const T* backward_all(T* dpre, T* dbias, const T* dout, const T* out, int outer, int channels,
                      int inner) {
  const T* grad = A == Activation::None ? dout : dpre;
  if (inner == 1) {
    backward_rows<T, A>(dpre, dbias, dout, out, outer, channels);
    return grad;
  }
  for (int o = 0; o < outer; ++o)
    for (int c = 0; c < channels; ++c) {
      const long long at = (static_cast<long long>(o) * channels + c) * inner;
      if constexpr (A != Activation::None) {
        if (dpre == dout)  // in place: a loop the compiler vectorizes without an overlap check
          for (int i = 0; i < inner; ++i) dpre[at + i] *= derivative(out[at + i], A);
        else
          for (int i = 0; i < inner; ++i) dpre[at + i] = dout[at + i] * derivative(out[at + i], A);
      }
      if (dbias) dbias[c] += simd::sum(grad + at, inner);
    }
  return grad;
}

// f.template operator()<A>() with act as the template argument A: each kernel is instantiated per
// activation, so that its loops are branch-free.
template <typename F>
decltype(auto) with_activation(Activation act, F f) {
  switch (act) {
    case Activation::None:
      break;
    case Activation::Relu:
      return f.template operator()<Activation::Relu>();
    case Activation::Tanh:
      return f.template operator()<Activation::Tanh>();
    case Activation::Sigmoid:
      return f.template operator()<Activation::Sigmoid>();
  }
  return f.template operator()<Activation::None>();
}

}  // namespace

template <typename T>
void bias_activation_forward(T* out, const T* bias, int outer, int channels, int inner,
                             Activation act) {
  with_activation(act,
                  [&]<Activation A>() { forward_all<T, A>(out, bias, outer, channels, inner); });
}

template <typename T>
const T* bias_activation_backward(T* dpre, T* dbias, const T* dout, const T* out, int outer,
                                  int channels, int inner, Activation act) {
  return with_activation(act, [&]<Activation A>() {
    return backward_all<T, A>(dpre, dbias, dout, out, outer, channels, inner);
  });
}

template void bias_activation_forward<float>(float*, const float*, int, int, int, Activation);
template void bias_activation_forward<double>(double*, const double*, int, int, int, Activation);
template const float* bias_activation_backward<float>(float*, float*, const float*, const float*,
                                                      int, int, int, Activation);
template const double* bias_activation_backward<double>(double*, double*, const double*,
                                                        const double*, int, int, int, Activation);

}  // namespace cs::cpu
