#include "run_locks.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "convscope/store.h"

namespace cs {

namespace {

// Beside the database file itself, as SQLite places its own files: a store opened through a
// symbolic link and through its real path has one lock file.
std::string lock_path(const std::string& store_path) {
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::weakly_canonical(store_path, ec);
  return (ec ? store_path : real.string()) + "-runs";
}

struct flock byte_lock(short type, int64_t byte) {
  struct flock fl = {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = static_cast<off_t>(byte);
  fl.l_len = 1;
  return fl;
}

}  // namespace

RunLocks::RunLocks(const std::string& store_path, bool read_only) : m_path(lock_path(store_path)) {
  if (read_only) {
    m_fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    m_unknown = m_fd < 0 && errno != ENOENT;
    return;
  }
  m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_fd < 0)
    throw StoreError(m_path + ": cannot open the run lock file: " + std::strerror(errno));
}

RunLocks::~RunLocks() {
  if (m_fd >= 0) ::close(m_fd);
}

void RunLocks::acquire(int64_t run) {
  if (!try_acquire(run))
    throw StoreError(m_path + ": cannot lock run " + std::to_string(run) +
                     ": another process holds it");
}

bool RunLocks::try_acquire(int64_t byte) {
  struct flock fl = byte_lock(F_WRLCK, byte);
  if (::fcntl(m_fd, F_OFD_SETLK, &fl) == 0) return true;
  if (errno == EAGAIN || errno == EACCES) return false;
  throw StoreError(m_path + ": cannot take a lock: " + std::strerror(errno));
}

void RunLocks::release(int64_t byte) {
  struct flock fl = byte_lock(F_UNLCK, byte);
  ::fcntl(m_fd, F_OFD_SETLK, &fl);
}

bool RunLocks::held_elsewhere(int64_t byte) const {
  if (m_fd < 0) return m_unknown;
  struct flock fl = byte_lock(F_WRLCK, byte);
  if (::fcntl(m_fd, F_OFD_GETLK, &fl) != 0) return true;  // unknown: assume alive
  return fl.l_type != F_UNLCK;
}

}  // namespace cs
