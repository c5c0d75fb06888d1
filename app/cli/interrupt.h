// Ctrl+C during a long command: the first press asks the command to stop at the next step
// (it then saves or records what it has); the handler is restored when the guard goes away.
#pragma once

namespace cs::cli {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  bool requested() const;

 private:
  void (*m_previous)(int);
};

}  // namespace cs::cli
