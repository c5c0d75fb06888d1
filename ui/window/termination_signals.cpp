#include "window/termination_signals.h"

#include <sys/socket.h>
#include <unistd.h>

#include <QSocketNotifier>
#include <cerrno>
#include <stdexcept>

namespace {

int g_fds[2] = {-1, -1};  // [0] written by the handler, [1] read by the notifier

}  // namespace

TerminationSignals::TerminationSignals(QObject* parent) : QObject(parent) {
  if (g_fds[0] >= 0) throw std::logic_error("TerminationSignals: one instance at a time");
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_fds) != 0)
    throw std::runtime_error("TerminationSignals: socketpair failed");
  m_notifier = new QSocketNotifier(g_fds[1], QSocketNotifier::Read, this);
  connect(m_notifier, &QSocketNotifier::activated, this, &TerminationSignals::readSignal);
  struct sigaction action = {};
  action.sa_handler = &TerminationSignals::handle;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (size_t i = 0; i < std::size(kSignals); ++i) {
    ::sigaction(kSignals[i], nullptr, &m_previous[i]);
    if (m_previous[i].sa_handler != SIG_IGN) ::sigaction(kSignals[i], &action, nullptr);
  }
}

TerminationSignals::~TerminationSignals() {
  for (size_t i = 0; i < std::size(kSignals); ++i)
    ::sigaction(kSignals[i], &m_previous[i], nullptr);
  delete m_notifier;
  for (int& fd : g_fds) {
    ::close(fd);
    fd = -1;
  }
}

QString TerminationSignals::name(int signal) {
  switch (signal) {
    case SIGINT:
      return QStringLiteral("SIGINT");
    case SIGTERM:
      return QStringLiteral("SIGTERM");
    case SIGHUP:
      return QStringLiteral("SIGHUP");
    default:
      return QStringLiteral("signal %1").arg(signal);
  }
}

void TerminationSignals::handle(int signal) {
  const int saved = errno;  // async-signal-safe: one write, errno kept
  const unsigned char byte = static_cast<unsigned char>(signal);
  [[maybe_unused]] const ssize_t n = ::write(g_fds[0], &byte, 1);
  errno = saved;
}

void TerminationSignals::readSignal() {
  unsigned char byte = 0;
  if (::read(g_fds[1], &byte, 1) == 1) Q_EMIT received(byte);
}
