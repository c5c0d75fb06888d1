// convscope-cli sweep on one process: a grid becomes one ensemble run per configuration tied by a
// sweep record, the same command again skips what finished, Ctrl+C leaves a sweep that resumes
// (its stopped configuration continuing its run from where it stood in its epoch),
// `ensemble --continue` leaves its runs to it, and a bad grid or architecture is refused before
// any store is created.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "cli_runner.h"
#include "convscope/store.h"
#include "convscope/sweep.h"
#include "current_folder.h"

namespace cs {
namespace {

using namespace cli_test;
namespace fs = std::filesystem;

class CliSweep : public testing::Test {
 protected:
  void SetUp() override { write_idx_folder(m_dir.file("data"), 256, 64, 8); }
  std::vector<std::string> args(const std::string& grid, std::vector<std::string> more = {}) {
    std::vector<std::string> a{"sweep",   "--data", m_dir.file("data"), "--threads", "1",
                               "--store", m_store,  "--grid",           grid};
    a.insert(a.end(), more.begin(), more.end());
    return a;
  }
  TempDir m_dir;
  std::string m_store = m_dir.file("runs.db");
};

TEST_F(CliSweep, GridRunsEveryConfigurationThenResumeSkipsThem) {
  const std::string grid = "arch=d8:relu-d10; lr=0.01,0.02; optimizer=adam,sgd";
  Result r = run_cli(args(grid, {"--nets", "3"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("4 of 4 configurations finished"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("arch=d8:relu-d10;lr=0.02;optimizer=sgd"), std::string::npos) << r.out;
  {
    Store s(m_store, StoreAccess::ReadOnly);
    EXPECT_EQ(s.list_runs().size(), 4u);
    for (const RunSummary& run : s.list_runs()) EXPECT_EQ(run.nets, 3);
  }
  r = run_cli(args(grid, {"--nets", "3"}));  // the same sweep: nothing left to train
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("sweep 1 in"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("4 finished; 0 unit(s)"), std::string::npos) << r.err;
  EXPECT_EQ(Store(m_store, StoreAccess::ReadOnly).list_runs().size(), 4u);
  r = run_cli(args(grid, {"--nets", "2"}));  // other settings: another sweep
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("sweep 2 in"), std::string::npos) << r.err;
  r = run_cli({"sweep", "--show", "1", "--store", m_store});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("sweep 1 ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lr=0.01;optimizer=adam"), std::string::npos) << r.out;
}

// Two processes with the same sweep: the second stops before it trains anything, and the first
// trains each configuration once.
TEST_F(CliSweep, ASweepIsTrainedByOneProcessAtATime) {
  const auto a = args("arch=d8:relu-d10; lr=0.01,0.02", {"--epochs", "100000"});
  Process first(a);
  ASSERT_TRUE(first.wait_for_output("config 0 (run 1) epoch 1/", 60)) << first.err();
  Result r = run_cli(a);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("sweep 1 in " + m_store + " is being trained by another process"),
            std::string::npos)
      << r.err;
  r = run_cli({"sweep", "--show", "1", "--store", m_store});
  EXPECT_NE(r.out.find("0 of 2 configurations finished; being trained now"), std::string::npos)
      << r.out;
  first.signal(SIGINT);
  EXPECT_EQ(first.wait().code, 130);
  r = run_cli({"sweep", "--show", "1", "--store", m_store});
  EXPECT_NE(r.out.find("0 of 2 configurations finished\n"), std::string::npos) << r.out;
  EXPECT_EQ(Store(m_store, StoreAccess::ReadOnly).list_runs().size(), 1u);  // config 0's alone
}

TEST_F(CliSweep, DeleteRemovesASweepWithOrWithoutItsRuns) {
  ASSERT_EQ(run_cli(args("arch=d8:relu-d10; lr=0.01,0.02", {"--nets", "2"})).code, 0);
  ASSERT_EQ(run_cli(args("arch=d8:relu-d10; lr=0.03,0.04", {"--nets", "2"})).code, 0);
  Result r = run_cli({"sweep", "--delete", "1", "--store", m_store});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("deleted sweep 1; its runs (1, 2) deleted too"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("store " + m_store + ": "), std::string::npos) << r.err;  // its size
  r = run_cli({"sweep", "--delete", "2", "--keep-runs", "--store", m_store});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("its runs (3, 4) stay, as runs of no sweep"), std::string::npos) << r.err;
  {
    Store s(m_store, StoreAccess::ReadOnly);
    EXPECT_TRUE(s.list_sweeps().empty());
    const std::vector<RunSummary> runs = s.list_runs();
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0].id, 4);
    EXPECT_EQ(runs[0].sweep.sweep, 0);
  }
  r = run_cli({"sweep", "--delete", "2", "--store", m_store});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("sweep 2 does not exist"), std::string::npos) << r.err;
  EXPECT_EQ(run_cli({"sweep", "--keep-runs", "--store", m_store}).code, 2);
}

TEST_F(CliSweep, InterruptedSweepResumesWithTheSameCommand) {
  write_idx_folder(m_dir.file("data"), 1024, 64, 16);
  const auto a = args("arch=c3x8:relu-m2-d10; lr=0.001,0.002,0.003,0.004", {"--epochs", "3"});
  {
    Process p(a);
    ASSERT_TRUE(p.wait_for_output("epoch 1/3", 60)) << p.err();
    p.signal(SIGINT);
    const Result r = p.wait();
    EXPECT_EQ(r.code, 130) << r.err;
    EXPECT_NE(r.err.find("stopped: sweep 1 keeps"), std::string::npos) << r.err;
  }
  // Stopped in its second epoch (16 steps), configuration 0 kept where it stood there (unless
  // the signal came just between two epochs).
  std::string where = "config 0 continues its run 1 after epoch 1";
  std::string stopped = "config 0 stopped after epoch 1 of 3";  // as --show says
  if (const auto place = Store(m_store, StoreAccess::ReadOnly).load_stopped_epoch(1, false)) {
    EXPECT_EQ(place->epoch, 1);
    where = "config 0 continues its run 1 in epoch 2 after " + std::to_string(place->position) +
            " of its images";
    stopped = "config 0 stopped " + std::to_string(place->position) + " images into epoch 2 of 3";
  }
  const Result shown = run_cli({"sweep", "--show", "1", "--store", m_store});
  EXPECT_NE(shown.out.find(stopped), std::string::npos) << shown.out;
  const Result r = run_cli(a);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("4 of 4 configurations finished"), std::string::npos) << r.out;
  // The stopped configuration goes on from there, in the same run.
  EXPECT_NE(r.err.find(where), std::string::npos) << r.err;
  Store s(m_store, StoreAccess::ReadOnly);
  const SweepRecord sweep = s.load_sweep(1);
  EXPECT_EQ(sweep.finished(), 4);
  EXPECT_EQ(sweep.configs[0].run, 1);
  EXPECT_EQ(s.list_runs().size(), 4u);
}

// A sweep started with a relative --data stores the folder's absolute path: resumed from another
// folder, even one with a "data" of other images, it goes on with its own. (Sweeps stored before
// kept the relative path: DataDirs.AStoredSweepsRelativeFolderIsLookedForHere.)
TEST_F(CliSweep, ARelativeDataFolderIsStoredAbsolute) {
  ASSERT_TRUE(fs::path(m_store).is_absolute());
  const CurrentFolder here(m_dir.path());
  const Result made = run_cli({"sweep", "--data", "./data/", "--threads", "1", "--store", m_store,
                               "--grid", "arch=d8:relu-d10; lr=0.01,0.02", "--epochs", "1"});
  ASSERT_EQ(made.code, 0) << made.err;
  const std::string folder = fs::weakly_canonical(m_dir.file("data")).string();
  const std::string definition = Store(m_store, StoreAccess::ReadOnly).load_sweep(1).definition;
  EXPECT_NE(definition.find('"' + folder + '"'), std::string::npos) << definition;
  fs::create_directory(m_dir.file("elsewhere"));
  write_idx_folder(m_dir.file("elsewhere/data"), 200, 64, 8);
  fs::current_path(m_dir.file("elsewhere"));
  const Result away = run_cli({"sweep", "--resume", "1", "--store", m_store});
  EXPECT_EQ(away.code, 0) << away.err;
  EXPECT_NE(away.err.find("2 finished; 0 unit(s)"), std::string::npos) << away.err;
  Store s(m_store, StoreAccess::ReadOnly);
  EXPECT_EQ(s.load_sweep(1).finished(), 2);
  for (const RunSummary& run : s.list_runs())
    EXPECT_EQ(run.train_name, folder + "/train") << "run " << run.id;
}

// A sweep stored before data folders were named by their absolute path names a relative --data
// as given. The same command does not begin a second sweep beside it: it says to resume that one
// (from its folder, where --resume finds its data) or to give --new.
TEST_F(CliSweep, TheSameCommandOnASweepStoredWithARelativeFolderSaysHowToResumeIt) {
  SweepPlan before;
  before.configs = parse_sweep_grid("arch=d8:relu-d10");
  before.settings = {.nets = 2, .epochs = 1, .batch_size = 64, .seed = 1, .data = "data"};
  Store(m_store).begin_sweep(before.definition(), {before.configs[0].key()});
  const CurrentFolder here(m_dir.path());
  const std::vector<std::string> same{"sweep",           "--data", "data",    "--nets", "2",
                                      "--threads",       "1",      "--store", m_store,  "--grid",
                                      "arch=d8:relu-d10"};
  const Result r = run_cli(same);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--data: sweep 1 in " + m_store +
                       " has these settings on the data folder data, named so before data "
                       "folders were named by their absolute path: resume it with --resume 1 "
                       "from the folder it started in, or give --new"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Store(m_store, StoreAccess::ReadOnly).list_sweeps().size(), 1u);
  const Result resumed = run_cli({"sweep", "--resume", "1", "--threads", "1", "--store", m_store});
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_EQ(Store(m_store, StoreAccess::ReadOnly).load_sweep(1).finished(), 1);
}

// A sweep's runs are compared at the epochs it planned: `ensemble --continue` leaves them to it.
TEST_F(CliSweep, ItsRunsAreNotContinuedAsEnsembles) {
  ASSERT_EQ(run_cli(args("arch=d8:relu-d10; lr=0.01,0.02", {"--nets", "2"})).code, 0);
  const Result r = run_cli({"ensemble", "--continue", "2", "--epochs", "1", "--store", m_store,
                            "--data", m_dir.file("data"), "--threads", "1"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--continue: run 2 trains configuration 1 of sweep 1 and is left to that "
                       "sweep"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("backend:"), std::string::npos) << "refused before the data and backend";
  const RunInfo info = Store(m_store, StoreAccess::ReadOnly).load_run_info(2);
  EXPECT_EQ(info.epochs_done, 1);
  EXPECT_EQ(info.setup.epochs, 1);
  const Result runs = run_cli({"runs", "--store", m_store});  // the list says whose they are
  EXPECT_NE(runs.out.find("d8:relu-d10  (sweep 1, configuration 1)\n"), std::string::npos)
      << runs.out;
}

TEST_F(CliSweep, BadDefinitionsAreRefusedBeforeAnyStoreExists) {
  Result r = run_cli({"sweep", "--store", m_store});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("exactly one of --grid, --file and --resume"), std::string::npos) << r.err;
  r = run_cli(args("rate=0.1"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("unknown sweep parameter 'rate'"), std::string::npos) << r.err;
  r = run_cli(args("arch=c9x4-d10"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("kernel does not fit"), std::string::npos) << r.err;
  r = run_cli(args("arch=d10; lr=-1"));  // a value out of range: the flag's, as train --lr -1
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--grid: configuration 'arch=d10;lr=-1'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(m_store));
  r = run_cli({"sweep", "--data", m_dir.file("data"), "--store", m_store, "--file",
               m_dir.file("missing.json")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("missing.json: no such file"), std::string::npos) << r.err;
  // A hyperparameter no configuration's optimizer uses would be ignored.
  r = run_cli(args("arch=d10; momentum=0.5,0.9"));
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--grid: momentum: no configuration's optimizer uses it (adam does not use "
                       "momentum"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(m_store));
}

}  // namespace
}  // namespace cs
