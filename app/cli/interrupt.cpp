#include "interrupt.h"

#include <atomic>
#include <iterator>

namespace cs::cli {

namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
static_assert(std::size(kSignals) == 4, "InterruptGuard::m_previous keeps one handler a signal");
std::atomic<int> g_signal{0};  // the first signal received, 0 for none

extern "C" void convscope_on_signal(int sig) {
  int none = 0;
  g_signal.compare_exchange_strong(none, sig);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_signal.store(0);
  struct sigaction sa = {};
  sa.sa_handler = convscope_on_signal;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 4; ++i) sigaction(kSignals[i], &sa, &m_previous[i]);
}

InterruptGuard::~InterruptGuard() {
  for (int i = 0; i < 4; ++i) sigaction(kSignals[i], &m_previous[i], nullptr);
}

bool InterruptGuard::requested() const {
  return g_signal.load() != 0;
}

int InterruptGuard::exit_code() const {
  return 128 + g_signal.load();
}

}  // namespace cs::cli
