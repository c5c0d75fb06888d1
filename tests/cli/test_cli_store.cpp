// The run store from the command line: a network's weights export, runs deleted and the store
// compacted, reading creates nothing, an empty path is refused, a damaged store is refused before
// any training, and errors say what failed in words (the SQL only with --verbose).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "cli_runner.h"
#include "convscope/checkpoint.h"
#include "convscope/dataset.h"
#include "convscope/store.h"

namespace cs {
namespace {

using namespace cli_test;
namespace fs = std::filesystem;

// A store with one finished run, then every page after the schema page broken.
std::string damaged_store(const TempDir& dir) {
  const std::string path = dir.file("damaged.db");
  write_idx_folder(dir.file("data"), 256, 64);
  const Result r = run_cli({"ensemble", "--data", dir.file("data"), "--arch", "d10", "--nets", "2",
                            "--threads", "1", "--quiet", "--store", path});
  EXPECT_EQ(r.code, 0) << r.err;
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  const auto size = static_cast<size_t>(fs::file_size(path));
  for (size_t page = 16384; page < size; page += 16384) {
    f.seekp(static_cast<std::streamoff>(page));
    f.write("\xff\xff\xff\xff\xff\xff\xff\xff", 8);
  }
  return path;
}

TEST(CliStore, ExportsANetworksWeights) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 128, 32);
  const std::string store = dir.file("runs.db"), out = dir.file("net1.safetensors");
  ASSERT_EQ(run_cli({"ensemble", "--data", dir.file("data"), "--arch", "d10", "--nets", "2",
                     "--threads", "1", "--quiet", "--store", store})
                .code,
            0);
  const Result r = run_cli({"runs", "--store", store, "--export", "1:1", "--to", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("wrote network 1 of run 1 to " + out), std::string::npos) << r.err;
  std::map<std::string, std::string> meta;
  const std::vector<NamedTensor> tensors = read_safetensors(out, &meta);
  ASSERT_EQ(tensors.size(), 2u);
  EXPECT_EQ(tensors[0].name, "fc1.weight");
  EXPECT_EQ(tensors[0].shape, (std::vector<int>{10, 784}));  // PyTorch's [out, in]
  EXPECT_EQ(meta["spec"], "d10");
  const std::vector<NamedTensor> stored = Store(store, StoreAccess::ReadOnly).load_weights(1, 1);
  EXPECT_EQ(tensors[0].data, stored[0].data);

  const Result none = run_cli({"runs", "--store", store, "--export", "1:2", "--to", out});
  EXPECT_EQ(none.code, 1) << none.err;
  EXPECT_NE(none.err.find("run 1 network 2 does not exist"), std::string::npos) << none.err;
  for (const char* bad : {"1", "1:x", ":1", "1:-1"}) {
    const Result r2 = run_cli({"runs", "--store", store, "--export", bad, "--to", out});
    EXPECT_EQ(r2.code, 2) << bad;
    EXPECT_NE(r2.err.find("is not RUN:NET"), std::string::npos) << r2.err;
  }
  EXPECT_EQ(run_cli({"runs", "--store", store, "--export", "1:0"}).code, 2);  // no --to
}

// The store read at its default path ($XDG_DATA_HOME/convscope/convscope.db, --store not given)
// is as safe from --to as one given.
TEST(CliStore, ExportNeverReplacesTheDefaultStore) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 128, 32);
  ASSERT_TRUE(dir.path().is_absolute());  // else the store would be $HOME's, the real one
  const char* old = std::getenv("XDG_DATA_HOME");
  const std::string saved = old ? old : "";
  ::setenv("XDG_DATA_HOME", dir.path().c_str(), 1);  // the children inherit it
  const std::string store = dir.file("convscope/convscope.db");
  const Result made = run_cli({"ensemble", "--data", dir.file("data"), "--arch", "d10", "--nets",
                               "2", "--threads", "1", "--quiet"});
  const Result r = run_cli({"runs", "--export", "1:0", "--to", store});
  if (old)
    ::setenv("XDG_DATA_HOME", saved.c_str(), 1);
  else
    ::unsetenv("XDG_DATA_HOME");
  ASSERT_EQ(made.code, 0) << made.err;
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--to: " + store + " is the file of --store (its default) too"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Store(store, StoreAccess::ReadOnly).list_runs().size(), 1u);
}

TEST(CliStore, DeletesRunsAndCompacts) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 64);
  const std::string store = dir.file("runs.db");
  for (int run = 0; run < 3; ++run)
    ASSERT_EQ(run_cli({"ensemble", "--data", dir.file("data"), "--arch", "d32:relu-d10", "--nets",
                       "4", "--epochs", "2", "--threads", "1", "--quiet", "--store", store})
                  .code,
              0);
  // A run that does not exist, or a list that does not parse: nothing is deleted.
  Result r = run_cli({"runs", "--store", store, "--delete", "1,7"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("no run 7; nothing was deleted"), std::string::npos) << r.err;
  for (const char* bad : {"", "1,", "x", "0", "1;2"}) {
    r = run_cli({"runs", "--store", store, "--delete", bad});
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_NE(r.err.find("is not RUN[,RUN...]"), std::string::npos) << r.err;
  }
  EXPECT_EQ(Store(store, StoreAccess::ReadOnly).list_runs().size(), 3u);

  // While another run trains, --compact is refused, and --delete with it deletes nothing (before,
  // the runs were deleted and the command still failed).
  {
    Store training(store);
    const DatasetPair data = load_idx_folder(dir.file("data"), "x");
    const int64_t open = training.begin_run(
        RunSetup::from(TrainConfig{}, data.train, data.test, {"cpu", "test"}, "test"));
    r = run_cli({"runs", "--store", store, "--delete", "1", "--compact"});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("run " + std::to_string(open) +
                         " is being trained; compact the store once it has stopped"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("; nothing was deleted"), std::string::npos) << r.err;
    EXPECT_EQ(training.list_runs().size(), 4u);
    training.cancel_run(open);
    training.delete_runs({open});  // as it never was
  }
  const uintmax_t before = fs::file_size(store);
  r = run_cli({"runs", "--store", store, "--delete", "1,3,1", "--compact"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("deleted run 1 (4 networks, 2/2 epochs, finished)"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("deleted run 1", r.err.find("deleted run 1") + 1), std::string::npos)
      << "run 1 said once: " << r.err;
  EXPECT_NE(r.err.find("deleted run 3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("compacted " + store), std::string::npos) << r.err;
  EXPECT_LT(fs::file_size(store), before);
  // Without --compact the space goes back too, and the sizes are said.
  ASSERT_EQ(run_cli({"ensemble", "--data", dir.file("data"), "--arch", "d32:relu-d10", "--nets",
                     "4", "--epochs", "2", "--threads", "1", "--quiet", "--store", store})
                .code,
            0);
  const uintmax_t two = fs::file_size(store);
  const int64_t newest = Store(store, StoreAccess::ReadOnly).list_runs().front().id;
  r = run_cli({"runs", "--store", store, "--delete", std::to_string(newest)});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("store " + store + ": "), std::string::npos) << r.err;
  EXPECT_LT(fs::file_size(store), two);
  const std::vector<RunSummary> left = Store(store, StoreAccess::ReadOnly).list_runs();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, 2);
  EXPECT_EQ(Store(store, StoreAccess::ReadOnly).load_run(2).epochs.size(), 2u);
}

// A run without a recorded epoch has no mean accuracy: "-", as in the app, not 0.00%.
TEST(CliStore, ARunWithoutAnEpochHasNoMeanAccuracy) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 64, 10);
  const DatasetPair data = load_idx_folder(dir.file("data"), "x");
  const std::string store = dir.file("runs.db");
  {
    Store s(store);
    s.cancel_run(
        s.begin_run(RunSetup::from(TrainConfig{}, data.train, data.test, {"cpu", "test"}, "test")));
  }
  const Result r = run_cli({"runs", "--store", store});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(" 0/1 +-  cpu "))) << r.out;
  EXPECT_EQ(r.out.find("0.00%"), std::string::npos) << r.out;
}

// A compact while another program reads the store: the rewrite stays in the write-ahead log until
// that one closes the store, which is said (before, only the sizes, the log's counted in).
TEST(CliStore, ACompactWhileAnotherReadsSaysWhenTheSpaceComesBack) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 64, 10);
  const std::string store = dir.file("runs.db");
  ASSERT_EQ(run_cli({"ensemble", "--data", dir.file("data"), "--arch", "d10", "--nets", "2",
                     "--threads", "1", "--quiet", "--store", store})
                .code,
            0);
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open_v2(store.c_str(), &reader, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM runs", nullptr, nullptr, nullptr),
            SQLITE_OK);  // a snapshot held open
  const Result held = run_cli({"runs", "--store", store, "--compact"});
  sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(reader);
  EXPECT_EQ(held.code, 0) << held.err;
  EXPECT_NE(held.err.find("note: others are reading " + store +
                          ": the space comes back to the disk when they close it"),
            std::string::npos)
      << held.err;
  const Result alone = run_cli({"runs", "--store", store, "--compact"});
  EXPECT_EQ(alone.code, 0) << alone.err;
  EXPECT_EQ(alone.err.find("note:"), std::string::npos) << alone.err;
}

TEST(CliStore, ReadingNeverCreates) {
  TempDir dir;
  const Result r = run_cli({"runs", "--store", dir.file("typo/dir/x.db")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no store"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.file("typo")));
}

// Deleting, compacting, continuing a run, resuming a sweep, and flags refused before the work
// starts create no store either.
TEST(CliStore, ChangingOrRefusingNeverCreates) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 64, 16);
  const std::vector<std::vector<std::string>> commands = {
      {"runs", "--compact"},
      {"runs", "--delete", "1"},
      {"runs", "--delete", "abc"},
      {"sweep", "--delete", "1"},
      {"ensemble", "--continue", "3", "--data", dir.file("data")},  // a run to continue
      {"sweep", "--resume", "2"},                                   // a sweep to resume
      {"ensemble", "--data", dir.file("data"), "--arch", "d10", "--nets", "0"},
      {"ensemble", "--data", dir.file("data"), "--arch", "d10", "--threads", "999"},
      {"sweep", "--data", dir.file("data"), "--grid", "lr=0.01", "--threads", "999"},
      {"sweep", "--data", dir.file("data"), "--grid", "lr=0.01", "--rank-timeout", "-1"},
  };
  for (std::vector<std::string> args : commands) {
    args.insert(args.end(), {"--store", dir.file("typo/x.db")});
    const Result r = run_cli(args);
    EXPECT_NE(r.code, 0) << args[0] << " " << args[1];
    EXPECT_FALSE(fs::exists(dir.file("typo"))) << args[0] << " " << args[1] << ": " << r.err;
    if (r.code == 1) {  // not a usage error: the store was looked for
      EXPECT_NE(r.err.find("no store here for " + args[1] + " (nothing was created)"),
                std::string::npos)
          << r.err;
    }
  }
}

TEST(CliStore, EmptyPathIsRefused) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 64, 16);
  for (const char* command : {"runs", "ensemble"}) {
    std::vector<std::string> args{command, "--store", ""};
    if (std::string(command) == "ensemble")
      args.insert(args.end(), {"--data", dir.file("data"), "--arch", "d10", "--nets", "1"});
    const Result r = run_cli(args);
    EXPECT_NE(r.code, 0) << command;
    EXPECT_NE(r.err.find("empty"), std::string::npos) << command << ": " << r.err;
  }
}

TEST(CliStore, DamagedStoreIsRefusedBeforeTraining) {
  TempDir dir;
  const std::string path = damaged_store(dir);
  const Result r = run_cli({"ensemble", "--data", dir.file("data"), "--arch", "d10", "--nets", "2",
                            "--threads", "1", "--quiet", "--store", path});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("damaged store"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("epoch"), std::string::npos) << "it trained: " << r.out;
}

TEST(CliStore, ErrorsInWordsAndSqlOnlyWithVerbose) {
  TempDir dir;
  const std::string path = damaged_store(dir);
  const Result plain = run_cli({"runs", "--store", path});
  EXPECT_EQ(plain.code, 1);
  EXPECT_NE(plain.err.find("damaged store"), std::string::npos) << plain.err;
  EXPECT_EQ(plain.err.find("SELECT"), std::string::npos) << plain.err;
  const Result verbose = run_cli({"runs", "--verbose", "--store", path});
  EXPECT_EQ(verbose.code, 1);
  EXPECT_NE(verbose.err.find("SELECT"), std::string::npos) << verbose.err;
}

}  // namespace
}  // namespace cs
