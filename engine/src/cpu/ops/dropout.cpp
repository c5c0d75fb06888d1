// Dropout's forward and backward are one elementwise rule (dropout_value), the hash per value.
#include "cpu/ops/dropout.h"

namespace cs::cpu {

template <typename T>
void dropout_forward(T* out, const T* inp, const DropoutMask& mask, long long first, long long n) {
  for (long long i = 0; i < n; ++i)
    out[i] = dropout_value(mask, static_cast<uint64_t>(first + i), inp[i]);
}

template <typename T>
void dropout_backward(T* dinp, const T* dout, const DropoutMask& mask, long long first,
                      long long n) {
  dropout_forward(dinp, dout, mask, first, n);
}

template void dropout_forward<float>(float*, const float*, const DropoutMask&, long long,
                                     long long);
template void dropout_forward<double>(double*, const double*, const DropoutMask&, long long,
                                      long long);
template void dropout_backward<float>(float*, const float*, const DropoutMask&, long long,
                                      long long);
template void dropout_backward<double>(double*, const double*, const DropoutMask&, long long,
                                       long long);

}  // namespace cs::cpu
