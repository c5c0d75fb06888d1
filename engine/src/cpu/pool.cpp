// Pooling over non-overlapping k x k windows. Max pooling keeps the first maximum of a window
// (row-major order) as PyTorch does, and routes the whole gradient to it.
#include "convscope/ops/pool.h"

namespace cs::cpu {

template <typename T>
void maxpool_forward(T* out, int32_t* argmax, const T* inp, int B, int C, int H, int W, int k) {
  const int oh = H / k, ow = W / k;
  for (int p = 0; p < B * C; ++p) {
    const T* plane = inp + static_cast<long long>(p) * H * W;
    const int32_t base = p * H * W;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        int best = oy * k * W + ox * k;
        for (int dy = 0; dy < k; ++dy)
          for (int dx = 0; dx < k; ++dx) {
            const int at = (oy * k + dy) * W + ox * k + dx;
            if (plane[at] > plane[best]) best = at;
          }
        const long long o = (static_cast<long long>(p) * oh + oy) * ow + ox;
        out[o] = plane[best];
        argmax[o] = base + best;
      }
  }
}

template <typename T>
void maxpool_backward(T* dinp, const T* dout, const int32_t* argmax, int B, int C, int H, int W,
                      int k) {
  const long long n = static_cast<long long>(B) * C * (H / k) * (W / k);
  for (long long i = 0; i < n; ++i) dinp[argmax[i]] += dout[i];
}

template <typename T>
void avgpool_forward(T* out, const T* inp, int B, int C, int H, int W, int k) {
  const int oh = H / k, ow = W / k;
  const T scale = T(1) / static_cast<T>(k * k);
  for (int p = 0; p < B * C; ++p) {
    const T* plane = inp + static_cast<long long>(p) * H * W;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        T sum = 0;
        for (int dy = 0; dy < k; ++dy)
          for (int dx = 0; dx < k; ++dx) sum += plane[(oy * k + dy) * W + ox * k + dx];
        out[(static_cast<long long>(p) * oh + oy) * ow + ox] = sum * scale;
      }
  }
}

template <typename T>
void avgpool_backward(T* dinp, const T* dout, int B, int C, int H, int W, int k) {
  const int oh = H / k, ow = W / k;
  const T scale = T(1) / static_cast<T>(k * k);
  for (int p = 0; p < B * C; ++p) {
    T* plane = dinp + static_cast<long long>(p) * H * W;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        const T g = dout[(static_cast<long long>(p) * oh + oy) * ow + ox] * scale;
        for (int dy = 0; dy < k; ++dy)
          for (int dx = 0; dx < k; ++dx) plane[(oy * k + dy) * W + ox * k + dx] += g;
      }
  }
}

template void maxpool_forward<float>(float*, int32_t*, const float*, int, int, int, int, int);
template void maxpool_forward<double>(double*, int32_t*, const double*, int, int, int, int, int);
template void maxpool_backward<float>(float*, const float*, const int32_t*, int, int, int, int,
                                      int);
template void maxpool_backward<double>(double*, const double*, const int32_t*, int, int, int, int,
                                       int);
template void avgpool_forward<float>(float*, const float*, int, int, int, int, int);
template void avgpool_forward<double>(double*, const double*, int, int, int, int, int);
template void avgpool_backward<float>(float*, const float*, int, int, int, int, int);
template void avgpool_backward<double>(double*, const double*, int, int, int, int, int);

}  // namespace cs::cpu
