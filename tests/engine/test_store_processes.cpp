// The run store shared by several processes: concurrent writers, processes that die while their
// run is open, read-only folders and damaged files.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "convscope/store.h"
#include "store_test_util.h"

namespace cs {
namespace {

using namespace store_test;

std::vector<NamedTensor> zero_weights(const NetworkSpec& spec) {
  std::vector<NamedTensor> out;
  for (const ParamInfo& p : spec.params())
    out.push_back({p.name, p.shape, std::vector<float>(static_cast<size_t>(p.size()), 0.5f)});
  return out;
}

int64_t count_rows(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  const int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

// Runs `body` in a child process; its exit status is 0 when body returned normally, 1 when it
// threw (the message goes to stderr).
template <typename Body>
pid_t spawn(Body body) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  try {
    body();
    _exit(0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child %d: %s\n", static_cast<int>(getpid()), e.what());
    _exit(1);
  }
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

TEST(StoreProcesses, FourProcessesWriteOneStore) {
  TempDir dir;
  const std::string path = dir.file("shared.db");
  { Store created(path); }  // created up front, so the children all open an existing store
  constexpr int kProcesses = 4, kRuns = 6, kNets = 4;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p)
    children.push_back(spawn([&, p] {
      Store store(path);
      for (int r = 0; r < kRuns; ++r) {
        const RunSetup setup = make_setup(kNets, 500, 100 * p + r);
        const int64_t id = store.begin_run(setup);
        const EvalResult e = make_eval(kNets, 500, r);
        store.record_epoch(id, make_metrics(1, e), e);
        for (int net = 0; net < kNets; ++net)
          store.save_weights(id, net, zero_weights(setup.group.spec));
        store.finish_run(id);
      }
    }));
  for (pid_t c : children) EXPECT_EQ(wait_exit_code(c), 0) << "a writer failed (see stderr)";
  EXPECT_EQ(count_rows(path, "SELECT count(*) FROM runs WHERE status = 'finished'"),
            kProcesses * kRuns);
  EXPECT_EQ(count_rows(path, "SELECT count(*) FROM networks WHERE weights IS NOT NULL"),
            kProcesses * kRuns * kNets);
}

}  // namespace
}  // namespace cs
