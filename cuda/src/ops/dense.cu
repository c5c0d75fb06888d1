// Dense forward and backward as cuBLAS strided-batched GEMMs (one batch entry per network).
// cuBLAS is column-major: it sees a row-major (rows, cols) matrix with row stride ld as its
// transpose, a (cols, rows) matrix with leading dimension ld. With x_n (batch, in), w_n (out, in)
// and dz_n (batch, out) row-major, cuBLAS sees x^T, w^T and dz^T, and per network n computes
//   y^T  (out, batch) = (w^T)^T . x^T     gemm(T, N)
//   dx^T (in, batch)  = w^T . dz^T        gemm(N, N)
//   dw^T (in, out)    = x^T . (dz^T)^T    gemm(N, T)
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

void dense_forward(cublasHandle_t handle, const DenseShape& s, float* y, const float* x,
                   const float* w, const float* b, Activation act, cudaStream_t stream) {
  if (s.batch == 0) return;
  const float one = 1.f, zero = 0.f;
  const long long nin = static_cast<long long>(s.nets) * s.in;
  const long long nout = static_cast<long long>(s.nets) * s.out;
  use_stream(handle, stream);
  CUBLAS_CHECK(cublasSgemmStridedBatched(handle, CUBLAS_OP_T, CUBLAS_OP_N, s.out, s.batch, s.in,
                                         &one, w, s.in, static_cast<long long>(s.out) * s.in, x,
                                         static_cast<int>(nin), s.in, &zero, y,
                                         static_cast<int>(nout), s.out, s.nets));
  bias_activation_forward(y, b, s.batch, s.nets * s.out, 1, act, stream);
}

void dense_backward(cublasHandle_t handle, const DenseShape& s, float* dx, float* dw, float* db,
                    float* dz, const float* dy, const float* y, const float* x, const float* w,
                    Activation act, cudaStream_t stream) {
  if (s.batch == 0 || (!dx && !dw && !db)) return;
  const float one = 1.f, zero = 0.f;
  const long long nin = static_cast<long long>(s.nets) * s.in;
  const long long nout = static_cast<long long>(s.nets) * s.out;
  const long long wsize = static_cast<long long>(s.out) * s.in;
  const float* grad = dy;
  if (act != Activation::None) {
    activation_backward(dz, dy, y, static_cast<size_t>(s.batch) * nout, act, stream);
    grad = dz;
  }
  use_stream(handle, stream);
  if (db) bias_backward(db, grad, s.batch, s.nets * s.out, 1, stream);
  if (dw)
    CUBLAS_CHECK(cublasSgemmStridedBatched(
        handle, CUBLAS_OP_N, CUBLAS_OP_T, s.in, s.out, s.batch, &one, x, static_cast<int>(nin),
        s.in, grad, static_cast<int>(nout), s.out, &zero, dw, s.in, wsize, s.nets));
  if (dx)
    CUBLAS_CHECK(cublasSgemmStridedBatched(handle, CUBLAS_OP_N, CUBLAS_OP_N, s.in, s.batch, s.out,
                                           &one, w, s.in, wsize, grad, static_cast<int>(nout),
                                           s.out, &zero, dx, static_cast<int>(nin), s.in, s.nets));
}

}  // namespace cs::cuda
