// describe(): every exception in words (see error.h).
#include "convscope/error.h"

#include <cerrno>
#include <filesystem>
#include <new>
#include <system_error>

namespace cs {

std::string error_title(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Usage:
      return "Invalid command line";
    case ErrorKind::InvalidInput:
      return "Invalid training setup";
    case ErrorKind::Architecture:
      return "Invalid architecture";
    case ErrorKind::Data:
      return "Dataset error";
    case ErrorKind::Checkpoint:
      return "Checkpoint error";
    case ErrorKind::Store:
      return "Run store error";
    case ErrorKind::File:
      return "File error";
    case ErrorKind::DiskFull:
      return "Disk full";
    case ErrorKind::OutOfMemory:
      return "Out of memory";
    case ErrorKind::Backend:
      return "Backend error";
    case ErrorKind::Divergence:
      return "Training diverged";
    case ErrorKind::Other:
      break;
  }
  return "Error";
}

ErrorKind error_kind_for_errno(int error_number, ErrorKind otherwise) {
  return error_number == ENOSPC || error_number == EDQUOT ? ErrorKind::DiskFull : otherwise;
}

namespace {

// `otherwise`, or DiskFull for an errno-style code that says the disk is full.
ErrorKind kind_of(const std::error_code& code, ErrorKind otherwise) {
  const bool posix =
      code.category() == std::generic_category() || code.category() == std::system_category();
  return posix ? error_kind_for_errno(code.value(), otherwise) : otherwise;
}

}  // namespace

ErrorText describe(const std::exception& e) {
  ErrorText t;
  t.message = e.what();
  if (const auto* error = dynamic_cast<const Error*>(&e)) {
    t.kind = error->kind();
    t.detail = error->detail();
  } else if (dynamic_cast<const std::bad_alloc*>(&e)) {
    t.kind = ErrorKind::OutOfMemory;
    t.message = "the network, batch size or group is too large for this machine";
  } else if (const auto* fs = dynamic_cast<const std::filesystem::filesystem_error*>(&e)) {
    t.kind = kind_of(fs->code(), ErrorKind::File);
  } else if (const auto* sys = dynamic_cast<const std::system_error*>(&e)) {
    t.kind = kind_of(sys->code(), ErrorKind::Other);
  }
  t.title = error_title(t.kind);
  return t;
}

}  // namespace cs
