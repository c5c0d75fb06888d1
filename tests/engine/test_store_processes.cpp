// The run store shared by several processes: concurrent writers, processes that die while their
// run is open, read-only folders and damaged files.
#include <grp.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
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

// Eight processes find no store, or one of an older version, at the same moment (released together
// by the end of a pipe): one makes or upgrades it, the others find it made, and none fails.
TEST(StoreProcesses, EightProcessesMakeOrUpgradeOneStoreAtOnce) {
  for (const bool older : {false, true}) {
    SCOPED_TRACE(older ? "upgrade" : "create");
    TempDir dir;
    const std::string path = dir.file("shared.db");
    if (older) {
      { Store made(path); }
      raw_sql(path, kToVersion11);
    }
    int go[2];
    ASSERT_EQ(pipe(go), 0);
    std::vector<pid_t> children;
    for (int p = 0; p < 8; ++p)
      children.push_back(spawn([&] {
        close(go[1]);
        char c;
        if (read(go[0], &c, 1) < 0) throw std::runtime_error("no start");  // 0 bytes: go
        Store store(path);
        (void)store.list_runs();
      }));
    close(go[0]);
    close(go[1]);  // every child reads the end at once
    for (pid_t c : children) EXPECT_EQ(wait_exit_code(c), 0) << "an opener failed (see stderr)";
    EXPECT_EQ(count_rows(path, "PRAGMA user_version"), kCurrentVersion);
  }
}

// A stop whose commit fails (the disk fills as the write-ahead log grows) leaves the run open in
// its Store, which marks it interrupted when it closes (not "running" for good, unlocked).
TEST(StoreProcesses, AStopThatCannotCommitLeavesTheRunOpen) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  const pid_t child = spawn([&] {
    Store store(path);
    const RunSetup setup = make_setup(2, 50, 1);
    const int64_t run = store.begin_run(setup);
    StoppedEpoch place;
    place.position = 10;
    place.step = 10;
    place.train_images = 50;
    for (int net = 0; net < 2; ++net)
      place.networks.push_back({zero_weights(setup.group.spec), {0, 10, 50, {}}});
    rlimit saved{};
    getrlimit(RLIMIT_FSIZE, &saved);
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit full{static_cast<rlim_t>(std::filesystem::file_size(path + "-wal")),
                      saved.rlim_max};
    setrlimit(RLIMIT_FSIZE, &full);  // no file grows: the log cannot take the stop
    bool refused = false;
    try {
      store.stop_run(run, place);
    } catch (const StoreError&) {
      refused = true;
    }
    setrlimit(RLIMIT_FSIZE, &saved);
    if (!refused) throw std::runtime_error("the stop was written");
  });
  EXPECT_EQ(wait_exit_code(child), 0) << "see stderr";
  EXPECT_EQ(count_rows(path, "SELECT count(*) FROM runs WHERE status = 'interrupted'"), 1);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const StoreError& e) {
    return e.what();
  }
  return "(no error)";
}

// Runs store_writer (one more run into `path`) as a new program; its exit code, -1 if it did not
// start or exit.
int run_store_writer(const std::string& path) {
  const char* argv[] = {STORE_WRITER, path.c_str(), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, STORE_WRITER, nullptr, nullptr, const_cast<char**>(argv), environ) != 0)
    return -1;
  return wait_exit_code(pid);
}

// A process holds several Stores on one file (the app: the Ensemble and Sweep views, a worker,
// the canvas's vote). SQLite's locks are the process's POSIX locks on the file, which the kernel
// drops when the process closes any descriptor of the file: opening a second Store must not, or
// another process takes the store for unused when it closes, checkpoints it and deletes the WAL
// and its index under the first Store, which then reads "malformed" pages.
TEST(StoreProcesses, ASecondStoreInOneProcessKeepsTheFirstsLocks) {
  TempDir dir;
  const std::string path = dir.file("shared.db");
  make_store(path);
  for (StoreAccess second_access : {StoreAccess::ReadOnly, StoreAccess::ReadWrite}) {
    Store first(path);
    const size_t runs = first.list_runs().size();
    { Store second(path, second_access); }
    ASSERT_EQ(run_store_writer(path), 0) << "see store_writer's message on stderr";
    EXPECT_TRUE(fs::exists(path + "-wal")) << "the other process deleted an open store's WAL";
    std::vector<RunSummary> listed;
    EXPECT_NO_THROW(listed = first.list_runs());
    EXPECT_EQ(listed.size(), runs + 1);
  }
}

// A store opened through a symbolic link and through its real path shares its run locks: a run
// being recorded through one is not taken for a dead writer's through the other.
TEST(StoreProcesses, ALinkToTheStoreSharesItsLocks) {
  TempDir dir;
  const std::string path = dir.file("real.db"), link = dir.file("link.db");
  make_store(path);
  fs::create_symlink(path, link);
  Store writer(link);
  const int64_t run = writer.begin_run(make_setup(2, 20, 1));
  Store other(path);  // opening a writer marks the runs of dead writers interrupted
  EXPECT_EQ(other.load_run_info(run).status, RunStatus::Running);
  EXPECT_THROW(other.continue_run(run, 2), StoreError);
  const EvalResult e = make_eval(2, 20, 1);
  EXPECT_NO_THROW(writer.record_epoch(run, make_metrics(1, e), e));
}

TEST(StoreProcesses, ReadOnlyFolderListsAndRefusesWritesAsReadOnly) {
  TempDir dir;
  const fs::path folder = dir.file("ro");
  fs::create_directory(folder);
  const std::string path = (folder / "s.db").string();
  make_store(path);
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  fs::permissions(dir.file(""), fs::perms::owner_all | fs::perms::others_exec);
  fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                              fs::perms::others_exec);
  const pid_t child = spawn([&] {
    // root may write anywhere: become an ordinary user ("nobody") first.
    if (geteuid() == 0 && (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
      throw std::runtime_error("cannot become nobody");
    Store reader(path, StoreAccess::ReadOnly);
    if (reader.list_runs().size() != 1) throw std::runtime_error("listing failed");
    const std::string write = error_of([&] { Store writer(path); });
    if (write.find("read-only") == std::string::npos || write.find("damaged") != std::string::npos)
      throw std::runtime_error("opening for writing said: " + write);
  });
  EXPECT_EQ(wait_exit_code(child), 0) << "see the child's message on stderr";
  fs::permissions(folder, fs::perms::owner_all);
}

// A pipe, a folder or a device given as the store is refused at once, for reading and for
// writing: SQLite used to wait on a pipe for ever (`runs --store FIFO` hung). The alarm turns such
// a wait into a failure.
TEST(StoreProcesses, APipeAFolderOrADeviceIsNoStore) {
  TempDir dir;
  const std::string fifo = dir.file("fifo.db");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string link = dir.file("link.db");
  fs::create_symlink(fifo, link);
  ::alarm(60);
  for (const std::string& path : {fifo, link, dir.file(""), std::string("/dev/null")})
    for (const StoreAccess access : {StoreAccess::ReadOnly, StoreAccess::ReadWrite}) {
      const std::string why = error_of([&] { Store store(path, access); });
      EXPECT_NE(why.find("not a store file"), std::string::npos) << path << ": " << why;
    }
  ::alarm(0);
  EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST(StoreProcesses, DamagedStoreIsRefusedForWritingAndLeftAlone) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  make_store(path);
  // Break every page after the first (the schema page), so the open checks pass but the tables
  // do not: what `runs` used to report only as "malformed" later.
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  constexpr size_t kPage = 16384;
  ASSERT_GT(bytes.size(), 3 * kPage);
  for (size_t page = kPage; page < bytes.size(); page += kPage)
    std::fill_n(bytes.begin() + static_cast<ptrdiff_t>(page), 16, '\xff');
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  const std::string message = error_of([&] { Store writer(path); });
  EXPECT_NE(message.find("damaged store"), std::string::npos) << message;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(std::string(std::istreambuf_iterator<char>(in), {}) == bytes) << "the file changed";
}

TEST(StoreProcesses, ReadingNeverCreates) {
  TempDir dir;
  const std::string path = dir.file("typo/dir/x.db");
  const std::string message = error_of([&] { Store reader(path, StoreAccess::ReadOnly); });
  EXPECT_NE(message.find("no store"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir.file("typo")));
  for (StoreAccess access : {StoreAccess::ReadOnly, StoreAccess::ReadWrite})
    EXPECT_NE(error_of([&] { Store s("", access); }).find("empty"), std::string::npos);
}

TEST(StoreProcesses, ErrorsSayWhatFailedInWordsAndKeepTheSqlAsDetail) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  make_store(path);
  {
    Store reader(path, StoreAccess::ReadOnly);
    const std::string message = error_of([&] { reader.begin_run(make_setup(1, 10, 1)); });
    EXPECT_NE(message.find("read-only"), std::string::npos) << message;
  }
  Store writer(path);
  const int64_t id = writer.begin_run(make_setup(1, 10, 1));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE net_epochs", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const EvalResult e = make_eval(1, 10, 1);
  try {
    writer.record_epoch(id, make_metrics(1, e), e);
    ADD_FAILURE() << "recorded into a missing table";
  } catch (const StoreError& err) {
    const std::string what = err.what();
    EXPECT_EQ(what.find("INSERT"), std::string::npos) << what;
    EXPECT_NE(what.find("net_epochs"), std::string::npos) << what;
    EXPECT_NE(err.detail().find("INSERT INTO net_epochs"), std::string::npos) << err.detail();
  }
}

}  // namespace
}  // namespace cs
