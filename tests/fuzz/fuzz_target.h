// The fuzz targets' shared part. Each target defines LLVMFuzzerTestOneInput (so it also builds
// with clang's -fsanitize=fuzzer) and counts how its input ended: accepted, or refused with a
// clear error (an exception of the documented type with a message). Anything else is a bug and
// aborts, which the sanitizer build and CTest report.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace fuzz {

struct Counts {
  long accepted = 0, refused = 0;
};
inline Counts& counts() {
  static Counts c;
  return c;
}

[[noreturn]] inline void bug(const std::string& what) {
  std::fprintf(stderr, "fuzz: BUG: %s\n", what.c_str());
  std::abort();
}

// The input as a file in memory (a memfd), for parsers that take a path.
class MemoryFile {
 public:
  MemoryFile(const uint8_t* data, size_t size) {
    m_fd = memfd_create("fuzz", MFD_CLOEXEC);
    if (m_fd < 0 || ::write(m_fd, data, size) != static_cast<ssize_t>(size)) bug("memfd failed");
    m_path = "/proc/self/fd/" + std::to_string(m_fd);
  }
  ~MemoryFile() { ::close(m_fd); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  const std::string& path() const { return m_path; }

 private:
  int m_fd = -1;
  std::string m_path;
};

}  // namespace fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
