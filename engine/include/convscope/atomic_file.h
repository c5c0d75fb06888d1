// Writing a whole file so that it is either complete or not there: a temp file in the same
// folder, every write, fsync and close checked, then a rename over the old file. A full disk or
// any other failure throws FileError naming the file and the reason, and leaves the old file
// (if any) as it was.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "convscope/error.h"

namespace cs {

// A file that cannot be written; `error_number` (errno) makes a full disk ErrorKind::DiskFull.
class FileError : public Error {
 public:
  explicit FileError(const std::string& what, int error_number = 0)
      : Error(error_kind_for_errno(error_number, ErrorKind::File), what) {}
};

// A link is written through (the file it names is replaced, the link stays); a path that is a
// folder, a pipe or a device is refused (FileError), never replaced.
void write_file_atomically(const std::string& path, std::string_view bytes);

// The file a write to `path` replaces: `path`, or the file its links lead to (there or not).
std::string written_path(const std::string& path);

// One file or folder under two names (a link, "./x", another spelling), or, where either is not
// there yet, the same absolute path once "." and ".." are resolved.
bool same_file(const std::string& a, const std::string& b);

// Deletes the temporary files of the writes still under way, for a handler of a signal that ends
// the process (otherwise each leaves its `FILE.tmp-PID-N`). Async-signal-safe: it only reads
// lock-free atomics and calls unlink().
void remove_unfinished_writes() noexcept;

}  // namespace cs
