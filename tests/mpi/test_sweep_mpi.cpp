// `mpirun -n K convscope-cli sweep` on this machine's CPU over loopback (--oversubscribe): K ranks
// fill one store that equals the single-rank store for the same seeds, exactly when whole
// configurations are shared out and within 1e-5 when the networks of one configuration are; a
// worker killed mid-sweep leaves a sweep that the same command resumes to the same store, its
// stopped configurations continued from their recorded epochs or the places inside an epoch the
// workers sent (here after every step). A rank on other files than rank 0's trains nothing.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli_runner.h"
#include "convscope/store.h"
#include "sweep_test_util.h"

namespace cs {
namespace {

using cli_test::TempDir;
namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class MpiSweep : public testing::Test {
 protected:
  void SetUp() override {
    // Open MPI refuses to run as root (CI containers) unless told twice.
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    cli_test::write_idx_folder(m_dir.file("data"), 1024, 200);
  }
  // The shell command of `ranks` ranks (0: no mpirun) sweeping into `store`, output to `log`.
  std::string command(int ranks, const std::string& sweep_args, const std::string& store,
                      const std::string& log) const {
    std::string cmd =
        ranks > 0 ? MPIEXEC " -n " + std::to_string(ranks) + " --oversubscribe " : std::string();
    return cmd + CONVSCOPE_CLI + " sweep --data " + m_dir.file("data") + " --threads 1 --store " +
           store + " " + sweep_args + " > " + log + " 2>&1";
  }
  int run(int ranks, const std::string& sweep_args, const std::string& store) {
    const std::string log = store + "." + std::to_string(ranks) + ".log";
    const int status = std::system(command(ranks, sweep_args, store, log).c_str());
    m_log = read_text(log);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  TempDir m_dir;
  std::string m_log;
};

constexpr const char* kFourConfigs =
    "--grid 'lr=0.002,0.004; arch=d16:relu-d10,c3x4:relu-m2-d10' --nets 3";

TEST_F(MpiSweep, ThreeRanksFillOneStoreEqualToOneRank) {
  const std::string one = m_dir.file("one.db"), three = m_dir.file("three.db");
  ASSERT_EQ(run(0, kFourConfigs, one), 0) << m_log;
  ASSERT_EQ(run(3, kFourConfigs, three), 0) << m_log;
  EXPECT_NE(m_log.find("4 unit(s) of work over 3 rank(s)"), std::string::npos) << m_log;
  EXPECT_NE(m_log.find("4 of 4 configurations finished"), std::string::npos) << m_log;
  Store a(one, StoreAccess::ReadOnly), b(three, StoreAccess::ReadOnly);
  EXPECT_EQ(b.list_runs().size(), 4u);  // one store, one run per configuration
  sweep_test::expect_same_sweep(b, a, 0);
}

TEST_F(MpiSweep, NetworkSlicesOverTwoAndThreeRanksEqualOneRank) {
  const std::string args = "--grid 'arch=c3x4:relu-m2-d10' --nets 5 --epochs 2";
  const std::string one = m_dir.file("one.db");
  ASSERT_EQ(run(1, args, one), 0) << m_log;
  Store a(one, StoreAccess::ReadOnly);
  for (int ranks : {2, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const std::string many = m_dir.file(std::to_string(ranks) + ".db");
    ASSERT_EQ(run(ranks, args, many), 0) << m_log;
    EXPECT_NE(m_log.find(std::to_string(ranks) + " unit(s) of work over"), std::string::npos)
        << m_log;
    Store b(many, StoreAccess::ReadOnly);
    sweep_test::expect_same_sweep(b, a, 1e-5);  // the CPU backend's group-versus-single tolerance
  }
}

// Rank 0 alone checks its images against the sweep's runs: a rank reading other files (another
// machine's copy, changed) fails its configurations saying so, and the same command on the same
// files then trains them.
TEST_F(MpiSweep, ARankOnOtherFilesFailsItsConfigurations) {
  cli_test::write_idx_folder(m_dir.file("other"), 1000, 200);
  const std::string grid = "--grid 'lr=0.002,0.004' --nets 2 --epochs 1";
  const std::string store = m_dir.file("other.db"), log = m_dir.file("other.log");
  std::string command = MPIEXEC " --oversubscribe";
  for (const char* data : {"data", "other"}) {  // rank 0, then rank 1 (`:` between the two)
    command += data == std::string("data") ? " -n 1 " : " : -n 1 ";
    command += CONVSCOPE_CLI;
    command += " sweep --data " + m_dir.file(data) + " --threads 1 --store " + store + " " + grid;
  }
  command += " > " + log + " 2>&1";
  const int status = std::system(command.c_str());
  m_log = read_text(log);
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << m_log;
  EXPECT_NE(
      m_log.find("rank 1 read other images than rank 0 ('" + m_dir.file("other") + "/train' and '" +
                 m_dir.file("other") + "/test'): every rank must read the same files"),
      std::string::npos)
      << m_log;
  EXPECT_NE(m_log.find("1 of 2 configurations finished"), std::string::npos) << m_log;
  ASSERT_EQ(run(2, grid, store), 0) << m_log;
  EXPECT_NE(m_log.find("2 of 2 configurations finished"), std::string::npos) << m_log;
}

// The pid of rank `rank` of the sweep writing `store`, or -1.
pid_t find_rank(int rank, const std::string& store) {
  for (const fs::directory_entry& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = read_text(e.path() / "cmdline"), env = read_text(e.path() / "environ");
    for (char& c : cmdline) c = c ? c : ' ';
    if (cmdline.find(" sweep ") == std::string::npos || cmdline.find(store) == std::string::npos ||
        cmdline.find("mpirun") != std::string::npos)
      continue;
    if (env.find("OMPI_COMM_WORLD_RANK=" + std::to_string(rank) + '\0') != std::string::npos)
      return static_cast<pid_t>(std::stoi(name));
  }
  return -1;
}

TEST_F(MpiSweep, KilledRankLeavesAResumableSweep) {
  const std::string sweep =
      "--grid 'lr=0.001,0.002,0.003,0.004,0.005,0.006; "
      "arch=c3x8:relu-m2-d10' --nets 3 --epochs 5 --save-every 0";
  const std::string store = m_dir.file("killed.db"), log = m_dir.file("killed.log");
  const pid_t shell = fork();
  ASSERT_GE(shell, 0);
  if (shell == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + command(3, sweep, store, log)).c_str(), nullptr);
    _exit(127);
  }
  // Rank 1 trains configurations 1 and 4 (round-robin): kill it once an epoch of configuration
  // 4 is stored, so that it has a stopped run to continue.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  pid_t worker = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_text(log).find("config 4 (run") != std::string::npos &&
        (worker = find_rank(1, store)) > 0)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GT(worker, 0) << read_text(log);
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(shell, &status, 0), shell);
  // mpirun may end before the other ranks, stopped by its SIGTERM, have saved and let their runs
  // go: until they have, their runs are rightly still running.
  const auto ranks_left = [&] { return find_rank(0, store) > 0 || find_rank(2, store) > 0; };
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       ranks_left() && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_FALSE(ranks_left()) << "ranks 0 and 2 still run a minute after mpirun ended";
  const std::string killed_log = read_text(log);
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << killed_log;
  EXPECT_NE(killed_log.find("rank 1"), std::string::npos) << killed_log;  // reported
  int finished = 0;
  {
    Store s(store, StoreAccess::ReadOnly);
    const SweepRecord rec = s.load_sweep(s.list_sweeps().front());
    finished = rec.finished();
    EXPECT_GE(finished, 1);
    EXPECT_LT(finished, 6) << killed_log;
    for (const SweepConfigState& c : rec.configs)  // none is left running
      EXPECT_TRUE(c.run < 0 || c.status != RunStatus::Running) << c.key;
  }
  // The same command resumes the sweep (here over two ranks) and trains only what is missing:
  // the configurations stopped after an epoch or a place inside one go on from there, their
  // networks sent by rank 0.
  ASSERT_EQ(run(2, sweep, store), 0) << m_log;
  EXPECT_NE(m_log.find("continues its run"), std::string::npos) << m_log;
  EXPECT_NE(m_log.find(std::to_string(finished) + " finished"), std::string::npos) << m_log;
  EXPECT_NE(m_log.find("6 of 6 configurations finished"), std::string::npos) << m_log;
  const std::string fresh = m_dir.file("fresh.db");
  ASSERT_EQ(run(0, sweep, fresh), 0) << m_log;
  Store a(store, StoreAccess::ReadOnly), b(fresh, StoreAccess::ReadOnly);
  // With fewer configurations left than ranks, the resume shares out networks: within 1e-5.
  sweep_test::expect_same_sweep(a, b, 1e-5);
}

}  // namespace
}  // namespace cs
