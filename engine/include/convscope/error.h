// The one error base of Convscope and the one way to put any exception into words.
//
// Every exception the engine throws for the user derives from cs::Error: DataError, SpecError,
// CheckpointError, StoreError, FileError, BackendError (and the CUDA module's CudaError),
// DivergenceError, InputError; the CLI's UsageError too. Each carries a kind, a message for the
// user (what()) and, where there is one, a detail only a developer needs (an SQL statement).
//
// describe() turns any exception into a title, a message and the detail. The CLI, the training
// worker and the ensemble worker all use it, so one failure reads the same everywhere.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace cs {

enum class ErrorKind {
  Usage,         // a bad command-line flag
  InvalidInput,  // a training setup that cannot run: an empty dataset, a wrong image shape, ...
  Architecture,  // an impossible network specification
  Data,          // a bad or unreadable data file
  Checkpoint,    // a bad or unwritable checkpoint
  Store,         // the run store
  File,          // a file that cannot be read or written
  DiskFull,      // no space left on the device (or over the disk quota)
  OutOfMemory,   // host or GPU memory ran out
  Backend,       // the backend itself failed (a device error)
  Divergence,    // the loss became NaN or infinite
  Other,         // anything else
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, std::string detail = {})
      : std::runtime_error(message), m_kind(kind), m_detail(std::move(detail)) {}
  ErrorKind kind() const { return m_kind; }
  // What only a developer needs (SQLite's message and the statement); empty when none.
  const std::string& detail() const { return m_detail; }

 private:
  ErrorKind m_kind;
  std::string m_detail;
};

// An exception in words: `title` names the kind of failure ("Run store error"), `message` says
// what failed for the user, `detail` is for a developer (empty when none).
struct ErrorText {
  ErrorKind kind = ErrorKind::Other;
  std::string title, message, detail;
};

// cs::Error by its kind; std::bad_alloc as OutOfMemory; std::filesystem::filesystem_error and
// std::system_error as DiskFull when the disk is full (ENOSPC, EDQUOT), else as File and Other;
// any other std::exception as Other with its what().
ErrorText describe(const std::exception& e);
std::string error_title(ErrorKind kind);  // "Run store error", "Out of memory", ...
// ErrorKind::DiskFull for ENOSPC and EDQUOT, else `otherwise`.
ErrorKind error_kind_for_errno(int error_number, ErrorKind otherwise);
// The kind of a failed write as its caller reports it: a full disk stays DiskFull, any other
// failure becomes the caller's `otherwise` (a checkpoint's, the store's).
inline ErrorKind disk_full_or(const Error& failed_write, ErrorKind otherwise) {
  return failed_write.kind() == ErrorKind::DiskFull ? ErrorKind::DiskFull : otherwise;
}

}  // namespace cs
