// Ctrl+C (SIGINT), SIGTERM, SIGHUP and SIGPIPE (its output piped to a reader that has gone, as
// `| head` does) during a long command: the first one asks the command to stop at the next step
// (it then saves or records what it has); the handlers are restored when the guard goes away. A
// signal the process was started ignoring (`nohup` ignores SIGHUP) stays ignored.
#pragma once

#include <signal.h>

namespace cs::cli {

// For the whole process: a signal that ends it (those four, outside an InterruptGuard) first
// deletes the temporary files of the writes under way, then ends it as the signal would have.
void remove_unfinished_writes_on_signals();

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  bool requested() const;
  int exit_code() const;  // 128 + the signal, as a shell reports a process the signal ended

 private:
  struct sigaction m_previous[4];
};

}  // namespace cs::cli
