// A full disk for the export tests: while it lives, this process may not grow any file beyond
// `bytes` (RLIMIT_FSIZE; SIGXFSZ is ignored so a write fails with EFBIG instead of killing us).
#pragma once

#include <signal.h>
#include <sys/resource.h>

class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &m_saved);
    m_savedHandler = ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{bytes, m_saved.rlim_max};
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &m_saved);
    ::signal(SIGXFSZ, m_savedHandler);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit m_saved{};
  sighandler_t m_savedHandler = nullptr;
};
