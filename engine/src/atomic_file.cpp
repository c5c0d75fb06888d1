#include "convscope/atomic_file.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace cs {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what, int error_number) {
  throw FileError(path + ": " + what, error_number);
}

// Writes all of `bytes` to `fd`; false (errno set) on failure.
bool write_all(int fd, std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) {
      errno = ENOSPC;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// The temporary files being written, for remove_unfinished_writes(). A slot is free, being filled
// by the thread that took it, ready (its path may be deleted), or being deleted by a signal's
// handler; a slot in that last state is never reused (the process is ending).
enum SlotState : int { kFree, kFilling, kReady, kRemoving };
struct PendingSlot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX];
};
static_assert(std::atomic<int>::is_always_lock_free, "read from a signal handler");
std::array<PendingSlot, 16> g_pending;

// Registers one write's temporary file while it exists. More writes at once than slots go
// unregistered: their temporary files may be left by a signal, as before.
class PendingWrite {
 public:
  explicit PendingWrite(const std::string& tmp) {
    if (tmp.size() >= PATH_MAX) return;
    for (PendingSlot& slot : g_pending) {
      int expected = kFree;
      if (!slot.state.compare_exchange_strong(expected, kFilling)) continue;
      std::memcpy(slot.path, tmp.c_str(), tmp.size() + 1);
      slot.state.store(kReady);
      m_slot = &slot;
      return;
    }
  }
  ~PendingWrite() {
    int expected = kReady;
    if (m_slot) m_slot->state.compare_exchange_strong(expected, kFree);
  }
  PendingWrite(const PendingWrite&) = delete;
  PendingWrite& operator=(const PendingWrite&) = delete;

 private:
  PendingSlot* m_slot = nullptr;
};

}  // namespace

void remove_unfinished_writes() noexcept {
  for (PendingSlot& slot : g_pending) {
    int expected = kReady;
    if (slot.state.compare_exchange_strong(expected, kRemoving)) ::unlink(slot.path);
  }
}

void write_file_atomically(const std::string& given, std::string_view bytes) {
  // Through a link to the file it names, as a shell's > writes; never over a pipe, a device or a
  // folder, which a rename would replace.
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(given, ec);
  if (!ec && std::filesystem::exists(st) && !std::filesystem::is_regular_file(st))
    fail(given, "not a regular file (a folder, pipe or device): give a file to write", EINVAL);
  const std::string path = written_path(given);
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec)))
    fail(given, "links in a loop: give a file to write", ELOOP);
  // A temporary file of this write's own: two threads writing one path must not share one, the
  // second truncating the first's (the process's id and a count of its writes).
  static std::atomic<unsigned long> writes{0};
  const std::string tmp =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(writes++);
  const PendingWrite pending(tmp);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    fail(path, "cannot create " + tmp + ": " + std::strerror(err), err);
  }
  const bool written = write_all(fd, bytes) && ::fsync(fd) == 0;
  const int write_errno = errno;
  if (::close(fd) != 0 || !written) {
    const int err = written ? errno : write_errno;
    ::unlink(tmp.c_str());
    fail(path, "cannot write " + tmp + ": " + std::strerror(err), err);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path, std::string("cannot replace the file: ") + std::strerror(err), err);
  }
  // Make the rename itself durable; a failure here leaves a complete file, so it is not fatal.
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::string written_path(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path at = path;
  std::error_code ec;
  // Link by link, also to a file not there yet (weakly_canonical() would stop at the last link);
  // at most 40, as the kernel follows.
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(at, ec)); ++hops) {
    const fs::path to = fs::read_symlink(at, ec);
    if (ec) break;
    at = to.is_absolute() ? to : at.parent_path() / to;
  }
  return at.string();
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec, ec2;
  if (std::filesystem::equivalent(a, b, ec)) return true;
  // The files written (through links), absolute first: weakly_canonical() leaves a relative path
  // that does not exist yet relative.
  const auto resolved = [](const std::string& p, std::error_code& e) {
    const std::filesystem::path whole = std::filesystem::absolute(written_path(p), e);
    return e ? whole : std::filesystem::weakly_canonical(whole, e);
  };
  const std::filesystem::path x = resolved(a, ec), y = resolved(b, ec2);
  return !ec && !ec2 && x == y;
}

}  // namespace cs
