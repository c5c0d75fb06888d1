// Signals: SIGINT, SIGTERM and SIGHUP stop train and ensemble cleanly (train saves, the ensemble
// keeps its finished epochs and their weights); a run whose process was killed with SIGKILL is
// marked interrupted the next time the store is opened.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "convscope/checkpoint.h"
#include "convscope/store.h"

namespace cs {
namespace {

using namespace cli_test;

// Starts convscope-cli with `args`, waits until its output shows `progress`, calls
// `while_running`, sends it `sig` and returns how it ended.
Result stop_with(int sig, const std::vector<std::string>& args, const std::string& progress,
                 const std::function<void()>& while_running = {}) {
  Process p(args);
  if (!p.wait_for_output(progress, 60))
    ADD_FAILURE() << "no '" << progress << "' before the time limit: " << p.err();
  else if (while_running)
    while_running();
  p.signal(sig);
  return p.wait(60);
}

class Signals : public testing::TestWithParam<int> {};

TEST_P(Signals, TrainStopsAndSaves) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 64);
  const std::string ck = dir.file("net.safetensors");
  const Result r =
      stop_with(GetParam(),
                {"train", "--data", dir.file("data"), "--arch", "d16:relu-d10", "--batch-size", "1",
                 "--epochs", "100000", "--threads", "1", "--quiet", "--save", ck},
                "epoch 2/");  // 256 steps an epoch: the signal comes within one
  EXPECT_EQ(r.code, 128 + GetParam()) << r.err;
  EXPECT_NE(r.err.find("interrupted"), std::string::npos) << r.err;
  ASSERT_TRUE(std::filesystem::exists(ck)) << r.err;
  const CheckpointMeta meta = read_checkpoint_meta(ck);
  EXPECT_GE(meta.epoch, 2);
  // Every step's loss up to the signal, those since the last drain (every 20) included.
  EXPECT_EQ(static_cast<long long>(meta.history.losses.size()), meta.step);
}

TEST_P(Signals, EnsembleStopsAndKeepsFinishedEpochsWithWeights) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 64);
  const std::string store_path = dir.file("runs.db");
  const Result r =
      stop_with(GetParam(),
                {"ensemble", "--data", dir.file("data"), "--arch", "d16:relu-d10", "--nets", "3",
                 "--epochs", "100000", "--threads", "1", "--quiet", "--store", store_path},
                "epoch 2/");
  EXPECT_EQ(r.code, 128 + GetParam()) << r.err;
  Store store(store_path);
  const std::vector<RunSummary> runs = store.list_runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, RunStatus::Cancelled);
  EXPECT_GE(runs[0].epochs_done, 2);
  for (int net = 0; net < 3; ++net)
    EXPECT_EQ(store.load_weights(runs[0].id, net).size(), 4u) << "network " << net;
}

INSTANTIATE_TEST_SUITE_P(Cli, Signals, testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const testing::TestParamInfo<int>& info) {
                           return std::string(sigabbrev_np(info.param));
                         });

TEST(Signals, KilledEnsembleIsMarkedInterruptedOnNextOpen) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 64);
  const std::string store_path = dir.file("runs.db");
  const Result killed =
      stop_with(SIGKILL,
                {"ensemble", "--data", dir.file("data"), "--arch", "d16:relu-d10", "--nets", "2",
                 "--epochs", "100000", "--threads", "1", "--quiet", "--store", store_path},
                "epoch 1/", [&] {
                  // While the process lives, opening the store leaves its run alone.
                  Store store(store_path);
                  EXPECT_EQ(store.list_runs().at(0).status, RunStatus::Running);
                });
  EXPECT_EQ(killed.code, 128 + SIGKILL);
  const Result r = run_cli({"runs", "--store", store_path});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("interrupted"), std::string::npos) << r.out;
  Store store(store_path);
  EXPECT_EQ(store.list_runs().at(0).status, RunStatus::Interrupted);
}

}  // namespace
}  // namespace cs
