// Dense layer as three outer-product GEMMs: out^T = weight · inp^T on transposed copies (a
// dot-product GEMM would end each of the B x OUT elements with a horizontal sum), dinp = dpre ·
// weight, dweight += dpre^T · inp (reading dpre transposed in place).
#include "cpu/ops/dense.h"

#include "cpu/gemm.h"
#include "cpu/ops/activation.h"
#include "cpu/transpose.h"

namespace cs::cpu {

long long dense_scratch_size(int B, int in, int out_features) {
  return static_cast<long long>(B) * (in + out_features);
}

template <typename T>
void dense_forward(T* out, T* scratch, const T* inp, const T* weight, const T* bias, int B, int in,
                   int out_features, Activation act) {
  T* inp_t = scratch;                                   // (IN, B)
  T* out_t = scratch + static_cast<long long>(in) * B;  // (OUT, B)
  transpose(inp_t, B, inp, in, B, in);
  gemm_nn(out_features, B, in, weight, in, 1, inp_t, B, out_t, B, false);
  transpose(out, out_features, out_t, B, out_features, B);
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

template void dense_forward<float>(float*, float*, const float*, const float*, const float*, int,
                                   int, int, Activation);
template void dense_forward<double>(double*, double*, const double*, const double*, const double*,
                                    int, int, int, Activation);
template void dense_backward<float>(float*, float*, float*, float*, const float*, const float*,
                                    const float*, const float*, int, int, int, Activation);
template void dense_backward<double>(double*, double*, double*, double*, const double*,
                                     const double*, const double*, const double*, int, int, int,
                                     Activation);

}  // namespace cs::cpu
