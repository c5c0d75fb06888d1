// Which runs and sweeps of a store have a living writer. A process that records a run, or trains
// a sweep, holds a lock on one byte of a file beside the database ("<store>-runs"; byte offset =
// run id, or sweep_byte() for a sweep). The kernel drops the
// lock when the process ends, however it ends, so a run marked "running" whose byte is not locked
// belongs to a process that is gone. Unlike a stored pid, the lock cannot be fooled by pid reuse.
// The locks are open-file-description locks (F_OFD_*): two Stores in one process see each other's.
#pragma once

#include <cstdint>
#include <string>

namespace cs {

class RunLocks {
 public:
  // Writing: creates the lock file (throws StoreError). Read-only: opens it if it exists (no
  // file means no living writer) and only answers held_elsewhere.
  RunLocks(const std::string& store_path, bool read_only);
  ~RunLocks();
  RunLocks(const RunLocks&) = delete;
  RunLocks& operator=(const RunLocks&) = delete;

  // A sweep's byte: past any run's.
  static int64_t sweep_byte(int64_t sweep) { return (int64_t{1} << 48) + sweep; }

  void acquire(int64_t run);  // throws StoreError, also when held elsewhere
  // False when held elsewhere; throws StoreError when the lock cannot be asked for.
  bool try_acquire(int64_t byte);
  void release(int64_t byte);
  bool held_elsewhere(int64_t byte) const;  // by another Store, in this process or another

 private:
  std::string m_path;
  int m_fd = -1;
  bool m_unknown = false;  // read-only and the file could not be opened: assume alive
};

}  // namespace cs
