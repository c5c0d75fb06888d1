// Runs convscope-cli as a child process for the CLI tests: a temporary folder, a tiny IDX
// dataset, and the exit code, stdout and stderr of a run (or of a running process to signal).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cs::cli_test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (m_path / name).string(); }
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

// The four standard IDX files in `dir`: random 1 x size x size images, labels i % 10.
void write_idx_folder(const std::string& dir, int train, int test, int size = 28);

struct Result {
  int code = -1;  // exit code, or 128 + signal when killed
  std::string out, err;
};

// A started convscope-cli. `max_file_bytes` >= 0 limits the files it may write (RLIMIT_FSIZE,
// with SIGXFSZ ignored), so that a write fails as on a full disk. `unprivileged`: started by
// root, it runs as nobody, whom file permissions bind; exit code kCannotRunUnprivileged when
// nobody may not run it (its build folder closed to others).
inline constexpr int kCannotRunUnprivileged = 77;
class Process {
 public:
  explicit Process(const std::vector<std::string>& args, long max_file_bytes = -1,
                   bool unprivileged = false);
  ~Process();  // kills it if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return m_pid; }
  std::string out() const;
  std::string err() const;
  // Waits until stdout contains `text`; false after `seconds`, or when the process ended first.
  bool wait_for_output(const std::string& text, double seconds);
  void signal(int sig);
  Result wait(double seconds = 120);  // kills it with SIGKILL after `seconds` (code 128 + 9)

 private:
  void drain(int fd, std::string* to);

  pid_t m_pid = -1;
  mutable std::mutex m_mutex;
  std::string m_out, m_err;  // guarded by m_mutex
  std::thread m_readers[2];
  bool m_done = false;
  int m_code = -1;
};

// Runs convscope-cli to the end.
Result run_cli(const std::vector<std::string>& args, double seconds = 120, long max_file_bytes = -1,
               bool unprivileged = false);

// A network of architecture `arch` trained one epoch on an IDX folder written to dir/data (256
// training and 60 validation images), saved to dir/net.safetensors; its path. Throws
// std::runtime_error with train's stderr when training fails.
std::string trained_checkpoint(const TempDir& dir, const std::string& arch);

// A CSV file's rows split at the commas (no quoting; a trailing empty cell is dropped).
std::vector<std::vector<std::string>> csv_rows(const std::string& path);

}  // namespace cs::cli_test
