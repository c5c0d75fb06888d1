// Dense forward and backward as cuBLAS strided-batched GEMMs (one batch entry per network).
// cuBLAS is column-major: it sees a row-major (rows, cols) matrix with row stride ld as its
// transpose, a (cols, rows) matrix with leading dimension ld. With inp_n (batch, in), weight_n
// (out, in) and dpre_n (batch, out) row-major, cuBLAS sees their transposes, and per network n
// computes (beta 0 writes C, beta 1 adds to it)
//   out^T     (out, batch) = (weight^T)^T . inp^T      gemm(T, N), beta 0
//   dinp^T    (in, batch)  = weight^T . dpre^T         gemm(N, N), beta 0
//   dweight^T (in, out)   += inp^T . (dpre^T)^T        gemm(N, T), beta 1
// Network n's rows are at offset n * features with leading dimension nets * features.
#include <cuda_runtime_api.h>

#include "activation.cuh"
#include "cuda_check.h"
#include "dense.cuh"

namespace cs::cuda {

namespace {

// cublasSetStream() resets the handle's workspace to cuBLAS's own pool (which may allocate, and
// must not during graph capture), so the stream is only set when it changes.
void use_stream(cublasHandle_t handle, cudaStream_t stream) {
  cudaStream_t current = nullptr;
  CUBLAS_CHECK(cublasGetStream(handle, &current));
  if (current != stream) CUBLAS_CHECK(cublasSetStream(handle, stream));
}

}  // namespace

void dense_forward(cublasHandle_t handle, const DenseShape& s, float* out, const float* inp,
                   const float* weight, const float* bias, Activation act, cudaStream_t stream) {
  if (s.batch == 0) return;
  const float one = 1.f, zero = 0.f;
  const long long nin = static_cast<long long>(s.nets) * s.in;
  const long long nout = static_cast<long long>(s.nets) * s.out;
  use_stream(handle, stream);
  CUBLAS_CHECK(cublasSgemmStridedBatched(handle, CUBLAS_OP_T, CUBLAS_OP_N, s.out, s.batch, s.in,
                                         &one, weight, s.in, static_cast<long long>(s.out) * s.in,
                                         inp, static_cast<int>(nin), s.in, &zero, out,
                                         static_cast<int>(nout), s.out, s.nets));
  bias_activation_forward(out, bias, s.batch, s.nets * s.out, 1, act, stream);
}

void dense_backward(cublasHandle_t handle, const DenseShape& s, float* dinp, float* dweight,
                    float* dbias, float* dpre, const float* dout, const float* out,
                    const float* inp, const float* weight, Activation act, cudaStream_t stream) {
  if (s.batch == 0 || (!dinp && !dweight && !dbias)) return;
  const float one = 1.f, zero = 0.f;
  const long long nin = static_cast<long long>(s.nets) * s.in;
  const long long nout = static_cast<long long>(s.nets) * s.out;
  const long long wsize = static_cast<long long>(s.out) * s.in;
  const float* grad =
      bias_activation_backward(dpre, dbias, dout, out, s.batch, s.nets * s.out, 1, act, stream);
  use_stream(handle, stream);
  if (dweight)
    CUBLAS_CHECK(cublasSgemmStridedBatched(
        handle, CUBLAS_OP_N, CUBLAS_OP_T, s.in, s.out, s.batch, &one, inp, static_cast<int>(nin),
        s.in, grad, static_cast<int>(nout), s.out, &one, dweight, s.in, wsize, s.nets));
  if (dinp)
    CUBLAS_CHECK(cublasSgemmStridedBatched(
        handle, CUBLAS_OP_N, CUBLAS_OP_N, s.in, s.batch, s.out, &one, weight, s.in, wsize, grad,
        static_cast<int>(nout), s.out, &zero, dinp, static_cast<int>(nin), s.in, s.nets));
}

}  // namespace cs::cuda
