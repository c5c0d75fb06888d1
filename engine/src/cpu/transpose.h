// Matrix transpose for the CPU ops (row-major, any leading dimensions).
// Instantiated for float (the backend) and double (the gradient checks).
#pragma once

namespace cs::cpu {

// dst (cols, rows) = src (rows, cols)^T: dst[c * ldd + r] = src[r * lds + c]. Whole square blocks
// of one 32-byte vector a side (8 x 8 floats) are transposed in registers, the rest one by one.
template <typename T>
void transpose(T* dst, long long ldd, const T* src, long long lds, int rows, int cols);

}  // namespace cs::cpu
