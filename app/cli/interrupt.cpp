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

// Installs `handler` for the four signals, except one the process was started ignoring, and
// keeps each one's previous action in `previous`.
void handle_unless_ignored(void (*handler)(int), int flags, struct sigaction (&previous)[4]) {
  struct sigaction sa = {};
  sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 4; ++i) {
    sigaction(kSignals[i], nullptr, &previous[i]);
    if (previous[i].sa_handler != SIG_IGN) sigaction(kSignals[i], &sa, nullptr);
  }
}

}  // namespace

void remove_unfinished_writes_on_signals() {
  struct sigaction previous[4];
  handle_unless_ignored(convscope_end_on_signal, SA_RESETHAND, previous);
}

InterruptGuard::InterruptGuard() {
  g_signal.store(0);
  handle_unless_ignored(convscope_on_signal, 0, m_previous);
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
