// Single-threaded GEMM kernels for the CPU ops (row-major, register-blocked, no packing).
// Instantiated for float (the backend) and double (the gradient checks).
#pragma once

#include <cstdint>

namespace cs::cpu {

// C (M, N) = [C +] A (M, K) · B (K, N).
// A is read as A[i * a_rs + k * a_ks], so A (a_rs = lda, a_ks = 1) and a transposed A^T stored
// (K, M) (a_rs = 1, a_ks = ldm) are both read in place. B is row-major with leading dimension ldb,
// C with ldc. Outer-product tiles: broadcast a column of A, multiply a row of B.
template <typename T>
void gemm_nn(int M, int N, int K, const T* A, int a_rs, int a_ks,  // (M, K) strided
             const T* B, int ldb,                                  // (K, N)
             T* C, int ldc,                                        // (M, N)
             bool accumulate);

// gemm_nn with row k of B starting at B + b_rows[k]: an implicit GEMM whose B rows are shifted
// views of one buffer (a convolution's input plane seen through each kernel tap).
template <typename T>
void gemm_nn_gather_b(int M, int N, int K, const T* A, int a_rs, int a_ks,  // (M, K) strided
                      const T* B, const int32_t* b_rows,  // (K, N), row k at B + b_rows[k]
                      T* C, int ldc,                      // (M, N)
                      bool accumulate);

// gemm_nn with A (i, k) = A[a_rows[i] + a_cols[k]]: an implicit GEMM whose A is read at the sums
// of two offset tables (a convolution's input plane at each tap, for each valid output pixel).
template <typename T>
void gemm_nn_gather_a(int M, int N, int K, const T* A, const int32_t* a_rows,
                      const int32_t* a_cols,  // (M, K), see above
                      const T* B, int ldb,    // (K, N)
                      T* C, int ldc,          // (M, N)
                      bool accumulate);

// C (M, N) = [C +] A (M, K) · B (N, K)^T: rows of A and B are contiguous along K and every
// element is a dot product (vector partial sums along K, one horizontal sum at the end).
template <typename T>
void gemm_nt(int M, int N, int K, const T* A, int lda,  // (M, K)
             const T* B, int ldb,                       // (N, K)
             T* C, int ldc,                             // (M, N)
             bool accumulate);

// gemm_nt with row j of B starting at B + b_rows[j].
template <typename T>
void gemm_nt_gather_b(int M, int N, int K, const T* A, int lda,  // (M, K)
                      const T* B, const int32_t* b_rows,         // (N, K), row j at B + b_rows[j]
                      T* C, int ldc,                             // (M, N)
                      bool accumulate);

}  // namespace cs::cpu
