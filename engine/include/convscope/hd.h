// CS_HD marks small functions shared by the CPU backend and CUDA kernels (no CUDA headers here):
// under nvcc it expands to __host__ __device__, elsewhere to inline.
#pragma once

#ifdef __CUDACC__
#define CS_HD __host__ __device__ __forceinline__
#else
#define CS_HD inline
#endif
