// Dense layer as three GEMMs: out = inp · weight^T (dot products along IN), dinp = dpre · weight,
// dweight += dpre^T · inp (an outer-product GEMM reading dpre transposed in place).
#include "cpu/ops/dense.h"

#include "cpu/gemm.h"
#include "cpu/ops/activation.h"

namespace cs::cpu {

template <typename T>
void dense_forward(T* out, const T* inp, const T* weight, const T* bias, int B, int in,
                   int out_features, Activation act) {
  gemm_nt(B, out_features, in, inp, in, weight, in, out, out_features, false);
  bias_activation_forward(out, bias, B, out_features, 1, act);
}

template <typename T>
void dense_backward(T* dinp, T* dweight, T* dbias, T* dpre, const T* dout, const T* out,
                    const T* inp, const T* weight, int B, int in, int out_features,
                    Activation act) {
  const T* grad = bias_activation_backward(dpre, dbias, dout, out, B, out_features, 1, act);
  if (dweight) gemm_nn(out_features, in, B, grad, 1, out_features, inp, in, dweight, in, true);
  if (dinp) gemm_nn(B, in, out_features, grad, out_features, 1, weight, in, dinp, in, false);
}

template void dense_forward<float>(float*, const float*, const float*, const float*, int, int, int,
                                   Activation);
template void dense_forward<double>(double*, const double*, const double*, const double*, int, int,
                                    int, Activation);
template void dense_backward<float>(float*, float*, float*, float*, const float*, const float*,
                                    const float*, const float*, int, int, int, Activation);
template void dense_backward<double>(double*, double*, double*, double*, const double*,
                                     const double*, const double*, const double*, int, int, int,
                                     Activation);

}  // namespace cs::cpu
