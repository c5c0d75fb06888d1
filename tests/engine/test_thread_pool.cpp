// The thread pool when the system refuses threads: the constructor throws a clear error instead
// of hanging in the destruction of its half-built state.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "cpu/thread_pool.h"

namespace cs::cpu {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;  // its shadow memory needs an unlimited address space
#else
constexpr bool kAddressSanitizer = false;
#endif

// This process's mapped address space in bytes (VmSize).
rlim_t address_space() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  return 0;
}

TEST(ThreadPool, FailedThreadStartThrowsInsteadOfHanging) {
  if (kAddressSanitizer) GTEST_SKIP() << "needs a limited address space";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(10);  // a hang ends the child with SIGALRM, which fails the test
    // Room for a few thread stacks (8 MB each), not for 128.
    const rlim_t limit = address_space() + (64u << 20);
    const rlimit as{limit, limit};
    setrlimit(RLIMIT_AS, &as);
    try {
      ThreadPool pool(128);
      _exit(3);  // started them all: the limit did not bite
    } catch (const std::exception& e) {
      const bool named = std::strstr(e.what(), "cannot start 128 threads: ") != nullptr;
      if (!named) std::fprintf(stderr, "message: %s\n", e.what());
      _exit(named ? 0 : 2);
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_FALSE(WIFSIGNALED(status))
      << "the child hung or crashed (signal " << WTERMSIG(status) << ")";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: wrong message, 3: no failure";
}

TEST(ThreadPool, RunsEveryTask) {
  ThreadPool pool(4);
  std::vector<int> hits(1000, 0);
  pool.parallel_for(1000, [&](int task, int) { hits[task]++; });
  EXPECT_EQ(std::count(hits.begin(), hits.end(), 1), 1000);
}

}  // namespace
}  // namespace cs::cpu
