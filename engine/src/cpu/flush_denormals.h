// Denormal floats flushed to zero while the CPU backend computes: FTZ (denormal results become
// zero) and DAZ (denormal inputs read as zero) in the x86 MXCSR. Late in training some gradients
// and Adam moments shrink into the denormal range, where x86 arithmetic on them is up to 100
// times slower; PyTorch's peer sets the same with torch.set_flush_denormal(True). Elsewhere this
// is a no-op.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include <pmmintrin.h>
#define CONVSCOPE_MXCSR 1
#endif

namespace cs::cpu {

// Sets FTZ and DAZ on this thread for the scope's lifetime, then puts back those two bits as
// they were (the other MXCSR bits, such as the sticky exception flags, stay as the work left
// them).
class FlushDenormals {
 public:
#ifdef CONVSCOPE_MXCSR
  FlushDenormals() : m_saved(_mm_getcsr() & kBits) {
    _mm_setcsr(_mm_getcsr() | kBits);
  }
  ~FlushDenormals() {
    _mm_setcsr((_mm_getcsr() & ~kBits) | m_saved);
  }
#else
  FlushDenormals() {}
#endif
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

#ifdef CONVSCOPE_MXCSR
 private:
  static constexpr unsigned kBits = _MM_FLUSH_ZERO_ON | _MM_DENORMALS_ZERO_ON;
  unsigned m_saved;
#endif
};

}  // namespace cs::cpu
