#include "interrupt.h"

#include <atomic>
#include <csignal>

namespace cs::cli {

namespace {
std::atomic<bool> g_requested{false};
extern "C" void convscope_on_sigint(int) {
  g_requested.store(true);
}
}  // namespace

InterruptGuard::InterruptGuard() {
  g_requested.store(false);
  m_previous = std::signal(SIGINT, convscope_on_sigint);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, m_previous);
}

bool InterruptGuard::requested() const {
  return g_requested.load();
}

}  // namespace cs::cli
