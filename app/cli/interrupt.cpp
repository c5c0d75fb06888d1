#include "interrupt.h"

#include <atomic>
#include <iterator>

#include "convscope/atomic_file.h"

namespace cs::cli {

namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
static_assert(std::size(kSignals) == 4, "InterruptGuard::m_previous keeps one handler a signal");
std::atomic<int> g_signal{0};  // the first signal received, 0 for none

extern "C" void convscope_on_signal(int sig) {
  int none = 0;
  g_signal.compare_exchange_strong(none, sig);
}

// SA_RESETHAND has put the default action back: raising the signal again ends the process with it
// once this handler returns.
extern "C" void convscope_end_on_signal(int sig) {
  remove_unfinished_writes();
  raise(sig);
}

}  // namespace

void remove_unfinished_writes_on_signals() {
  struct sigaction sa = {};
  sa.sa_handler = convscope_end_on_signal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (const int sig : kSignals) {
    struct sigaction previous = {};
    sigaction(sig, nullptr, &previous);
    if (previous.sa_handler != SIG_IGN) sigaction(sig, &sa, nullptr);
  }
}

InterruptGuard::InterruptGuard() {
  g_signal.store(0);
  struct sigaction sa = {};
  sa.sa_handler = convscope_on_signal;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 4; ++i) {
    sigaction(kSignals[i], nullptr, &m_previous[i]);
    if (m_previous[i].sa_handler != SIG_IGN) sigaction(kSignals[i], &sa, nullptr);
  }
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
