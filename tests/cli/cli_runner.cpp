#include "cli_runner.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace cs::cli_test {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string t = (fs::temp_directory_path() / "convscope-cli-XXXXXX").string();
  if (!mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
  m_path = t;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::permissions(m_path, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(m_path, ec);
}

namespace {

void write_idx(const std::string& path, const std::vector<int>& dims,
               const std::vector<uint8_t>& data) {
  std::ofstream out(path, std::ios::binary);
  const char magic[4] = {0, 0, 0x08, static_cast<char>(dims.size())};
  out.write(magic, 4);
  for (int d : dims) {
    const char be[4] = {static_cast<char>(d >> 24), static_cast<char>(d >> 16),
                        static_cast<char>(d >> 8), static_cast<char>(d)};
    out.write(be, 4);
  }
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

void write_idx_folder(const std::string& dir, int train, int test, int size) {
  fs::create_directories(dir);
  std::mt19937 rng(7);
  for (const auto& [prefix, count] : {std::pair{"train", train}, std::pair{"t10k", test}}) {
    std::vector<uint8_t> images(static_cast<size_t>(count) * size * size), labels(count);
    for (uint8_t& p : images) p = static_cast<uint8_t>(rng());
    for (int i = 0; i < count; ++i) labels[i] = static_cast<uint8_t>(i % 10);
    write_idx(dir + "/" + prefix + "-images-idx3-ubyte", {count, size, size}, images);
    write_idx(dir + "/" + prefix + "-labels-idx1-ubyte", {count}, labels);
  }
}

Process::Process(const std::vector<std::string>& args, long max_file_bytes, bool unprivileged) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
  m_pid = fork();
  if (m_pid < 0) throw std::runtime_error("fork failed");
  if (m_pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {out[0], out[1], err[0], err[1]}) close(fd);
    if (max_file_bytes >= 0) {
      ::signal(SIGXFSZ, SIG_IGN);
      const rlimit limit{static_cast<rlim_t>(max_file_bytes), static_cast<rlim_t>(max_file_bytes)};
      setrlimit(RLIMIT_FSIZE, &limit);
    }
    if (unprivileged && geteuid() == 0 &&
        (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
      _exit(126);
    if (unprivileged && ::access(CONVSCOPE_CLI, X_OK) != 0) {
      constexpr char kSaid[] = "convscope-cli: not to be run by user nobody here\n";
      (void)!::write(2, kSaid, sizeof kSaid - 1);  // async-signal-safe, after fork()
      _exit(kCannotRunUnprivileged);
    }
    std::vector<char*> argv{const_cast<char*>(CONVSCOPE_CLI)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(CONVSCOPE_CLI, argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  m_readers[0] = std::thread([this, fd = out[0]] { drain(fd, &m_out); });
  m_readers[1] = std::thread([this, fd = err[0]] { drain(fd, &m_err); });
}

Process::~Process() {
  if (!m_done) {
    kill(m_pid, SIGKILL);
    waitpid(m_pid, nullptr, 0);
  }
  for (std::thread& t : m_readers)
    if (t.joinable()) t.join();
}

void Process::drain(int fd, std::string* to) {
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n <= 0) continue;
    const std::lock_guard<std::mutex> lock(m_mutex);
    to->append(buf, static_cast<size_t>(n));
  }
  close(fd);
}

std::string Process::out() const {
  const std::lock_guard<std::mutex> lock(m_mutex);
  return m_out;
}

std::string Process::err() const {
  const std::lock_guard<std::mutex> lock(m_mutex);
  return m_err;
}

bool Process::wait_for_output(const std::string& text, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (out().find(text) != std::string::npos) return true;
    if (waitpid(m_pid, nullptr, WNOHANG | WNOWAIT) == m_pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void Process::signal(int sig) {
  kill(m_pid, sig);
}

Result Process::wait(double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  while (!m_done) {
    const pid_t r = waitpid(m_pid, &status, WNOHANG);
    if (r == m_pid) {
      m_done = true;
      m_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    } else if (std::chrono::steady_clock::now() > end) {
      kill(m_pid, SIGKILL);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  for (std::thread& t : m_readers)
    if (t.joinable()) t.join();  // the pipes close when the process ends
  return {m_code, out(), err()};
}

Result run_cli(const std::vector<std::string>& args, double seconds, long max_file_bytes,
               bool unprivileged) {
  Process p(args, max_file_bytes, unprivileged);
  return p.wait(seconds);
}

std::string trained_checkpoint(const TempDir& dir, const std::string& arch) {
  write_idx_folder(dir.file("data"), 256, 60);
  const std::string checkpoint = dir.file("net.safetensors");
  const Result r = run_cli(
      {"train", "--data", dir.file("data"), "--arch", arch, "--quiet", "--save", checkpoint});
  if (r.code != 0)
    throw std::runtime_error("train failed (" + std::to_string(r.code) + "): " + r.err);
  return checkpoint;
}

std::vector<std::vector<std::string>> csv_rows(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::stringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace cs::cli_test
