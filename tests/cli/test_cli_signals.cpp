// Signals: SIGINT, SIGTERM, SIGHUP and SIGPIPE stop train and ensemble cleanly (train saves, the
// ensemble keeps its finished epochs and their weights); a run whose process was killed with
// SIGKILL is marked interrupted the next time the store is opened, and `ensemble --continue` trains
// it on to the end the same run has without the kill; runs saved while they trained (train --save,
// the ensemble's place inside an epoch) go on from their last save. A command that a signal ends
// leaves no temporary file behind, and a signal started ignored (nohup) stays ignored.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
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
  // Where it stopped, as the checkpoint holds it.
  const std::string where = meta.epoch_position == 0
                                ? "interrupted after epoch " + std::to_string(meta.epoch)
                                : "interrupted in epoch " + std::to_string(meta.epoch + 1);
  EXPECT_NE(r.err.find(where + ", step " + std::to_string(meta.step) + "\n"), std::string::npos)
      << r.err;
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

// eval does not stop at a signal, it ends, and the CSV it was writing leaves no temporary file. The
// write is held in open() and then write() by a FIFO made where its temporary file goes (the
// process's id, its first write) and never read: 3,000 rows do not fit in a pipe.
TEST_P(Signals, EndAWriteWithoutLeavingItsTemporaryFile) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 3000);
  const std::string ck = dir.file("net.safetensors");
  const Result trained = run_cli({"train", "--data", dir.file("data"), "--arch", "d16:relu-d10",
                                  "--epochs", "1", "--threads", "1", "--quiet", "--save", ck});
  ASSERT_EQ(trained.code, 0) << trained.err;
  const std::string csv = dir.file("top3.csv");
  Process p(
      {"eval", "--checkpoint", ck, "--data", dir.file("data"), "--threads", "1", "--csv", csv});
  const std::string tmp = csv + ".tmp-" + std::to_string(p.pid()) + "-0";
  ASSERT_EQ(::mkfifo(tmp.c_str(), 0600), 0);
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  pollfd written{fd, POLLIN, 0};
  EXPECT_EQ(::poll(&written, 1, 60000), 1) << "eval wrote nothing: " << p.err();
  p.signal(GetParam());
  const Result r = p.wait(60);
  ::close(fd);
  EXPECT_EQ(r.code, 128 + GetParam()) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp));
  EXPECT_FALSE(std::filesystem::exists(csv));
}

INSTANTIATE_TEST_SUITE_P(Cli, Signals, testing::Values(SIGINT, SIGTERM, SIGHUP, SIGPIPE),
                         [](const testing::TestParamInfo<int>& info) {
                           return std::string(sigabbrev_np(info.param));
                         });

// Started ignoring SIGHUP, as `nohup` starts it, train trains on through a logout's SIGHUP.
TEST(Signals, TrainStartedIgnoringSIGHUPTrainsOnThroughIt) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 2048, 64);
  struct sigaction before = {};
  ASSERT_EQ(::sigaction(SIGHUP, nullptr, &before), 0);
  ::signal(SIGHUP, SIG_IGN);  // the child inherits it through fork and exec
  Process p({"train", "--data", dir.file("data"), "--arch", "d16:relu-d10", "--batch-size", "1",
             "--epochs", "100000", "--threads", "1", "--quiet"});
  ASSERT_EQ(::sigaction(SIGHUP, &before, nullptr), 0);
  ASSERT_TRUE(p.wait_for_output("epoch 2/", 60)) << p.err();
  p.signal(SIGHUP);
  // Two epochs that start after the signal (an epoch takes milliseconds: more may have printed).
  const std::string out = p.out();
  const size_t last = out.rfind("epoch ");
  ASSERT_NE(last, std::string::npos);
  const int later = std::stoi(out.substr(last + 6)) + 2;
  EXPECT_TRUE(p.wait_for_output("epoch " + std::to_string(later) + "/", 60)) << p.err();
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(60).code, 128 + SIGTERM);
}

// Ensembles killed with SIGKILL: their data, their store and the flags every command shares.
class KilledEnsemble : public testing::Test {
 protected:
  void SetUp() override { write_idx_folder(m_dir.file("data"), 256, 64); }
  // An ensemble command with `args` and the shared flags.
  std::vector<std::string> ensemble(std::vector<std::string> args) const {
    args.insert(args.begin(), "ensemble");
    args.insert(args.end(),
                {"--data", m_dir.file("data"), "--threads", "1", "--quiet", "--store", m_store});
    return args;
  }
  // Run 1, continued, ends with the weights of run 2, trained without a kill.
  void expect_same_weights() {
    Store store(m_store);
    for (int net = 0; net < 2; ++net)
      EXPECT_EQ(store.load_weights(1, net)[0].data, store.load_weights(2, net)[0].data)
          << "network " << net;
  }
  TempDir m_dir;
  std::string m_store = m_dir.file("runs.db");
};

TEST_F(KilledEnsemble, IsMarkedInterruptedOnNextOpen) {
  const Result killed =
      stop_with(SIGKILL, ensemble({"--arch", "d16:relu-d10", "--nets", "2", "--epochs", "100000"}),
                "epoch 1/", [&] {
                  // While the process lives, opening the store leaves its run alone.
                  Store store(m_store);
                  EXPECT_EQ(store.list_runs().at(0).status, RunStatus::Running);
                });
  EXPECT_EQ(killed.code, 128 + SIGKILL);
  const Result r = run_cli({"runs", "--store", m_store});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("interrupted"), std::string::npos) << r.out;
  Store store(m_store);
  EXPECT_EQ(store.list_runs().at(0).status, RunStatus::Interrupted);
}

TEST_F(KilledEnsemble, ContinuesToTheSameEnd) {
  const auto killed = ensemble({"--arch", "d16:relu-d10", "--nets", "2", "--epochs", "100000"});
  EXPECT_EQ(stop_with(SIGKILL, killed, "epoch 2/").code, 128 + SIGKILL);
  int done = 0;
  {
    Store store(m_store);
    done = store.load_run(1).info.epochs_done;  // each epoch is recorded with its weights
    ASSERT_GE(done, 2);
  }
  const Result r = run_cli(ensemble({"--continue", "1", "--epochs", "1"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string last = "epoch " + std::to_string(done + 1) + "/" + std::to_string(done + 1);
  EXPECT_NE(r.out.find(last), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("epoch 1/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stored as run 1"), std::string::npos) << r.out;

  ASSERT_EQ(run_cli(ensemble({"--arch", "d16:relu-d10", "--nets", "2", "--epochs",
                              std::to_string(done + 1)}))
                .code,
            0);
  {
    Store store(m_store);
    EXPECT_EQ(store.load_run(1).info.status, RunStatus::Finished);
    EXPECT_EQ(store.load_run(1).info.epochs_done, done + 1);
  }
  expect_same_weights();

  const Result refused = run_cli(ensemble({"--continue", "1", "--lr", "0.1"}));
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("--lr: --continue goes on with run 1's 2 x d16:relu-d10"),
            std::string::npos)
      << refused.err;
}

// With --save, train writes its checkpoint while it trains (here after every step): killed, it
// leaves the last one, and --resume from it ends as the same run without the kill.
TEST(Signals, KilledTrainResumesFromItsLastCheckpoint) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 64);
  const auto with = [&](std::vector<std::string> more, bool network = true) {
    std::vector<std::string> args = {"train",     "--data", dir.file("data"),
                                     "--threads", "1",      "--quiet"};
    if (network)  // a resumed run takes the checkpoint's
      args.insert(args.end(), {"--arch", "d16:relu-d10", "--batch-size", "1"});
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  const std::string ck = dir.file("net.safetensors");
  EXPECT_EQ(stop_with(SIGKILL, with({"--epochs", "100000", "--save", ck, "--save-every", "0"}),
                      "epoch 2/")
                .code,
            128 + SIGKILL);
  ASSERT_TRUE(std::filesystem::exists(ck));  // no save at the end: written while it trained
  const CheckpointMeta meta = read_checkpoint_meta(ck);
  EXPECT_GE(meta.step, 2 * 256 - 1);
  const Result resumed = run_cli(with({"--resume", ck, "--epochs", "1", "--save", ck}, false));
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  const std::string ref = dir.file("ref.safetensors");
  ASSERT_EQ(run_cli(with({"--epochs", std::to_string(meta.epoch + 1), "--save", ref})).code, 0);
  const std::vector<NamedTensor> a = read_safetensors(ck), b = read_safetensors(ref);
  ASSERT_EQ(a.size(), b.size());
  for (size_t t = 0; t < a.size(); ++t) EXPECT_EQ(a[t].data, b[t].data) << a[t].name;
}

// While it trains, an ensemble run saves where it stands inside the epoch (here after every
// step): killed early in an epoch, it continues from there, not from the epoch's start, and ends
// as the same run without the kill.
TEST_F(KilledEnsemble, ContinuesFromItsLastSave) {
  const auto killed = ensemble({"--arch", "d16:relu-d10", "--nets", "2", "--epochs", "100000",
                                "--batch-size", "1", "--save-every", "0"});
  StoppedEpoch place;
  const Result r = stop_with(SIGKILL, killed, "epoch 1/", [&] {
    // Killed once it saved a place in the first quarter of an epoch after the first: far from
    // the epoch's end, which removes it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      Store store(m_store, StoreAccess::ReadOnly);
      if (const auto saved = store.load_stopped_epoch(1, false);
          saved && saved->epoch >= 1 && saved->position <= 64) {
        place = *saved;
        return;
      }
    }
    ADD_FAILURE() << "no place saved early in an epoch";
  });
  EXPECT_EQ(r.code, 128 + SIGKILL);
  int at = 0;
  {
    Store store(m_store);
    EXPECT_EQ(store.load_run(1).info.status, RunStatus::Interrupted);
    const std::optional<StoppedEpoch> saved = store.load_stopped_epoch(1, false);
    ASSERT_TRUE(saved);
    EXPECT_EQ(saved->epoch, place.epoch);  // the same epoch, maybe a few steps on
    EXPECT_GE(saved->position, place.position);
    at = saved->position;
  }
  const Result c = run_cli(ensemble({"--continue", "1", "--epochs", "1"}));
  ASSERT_EQ(c.code, 0) << c.err;
  const std::string where = "continued in epoch " + std::to_string(place.epoch + 1) + " after " +
                            std::to_string(at) + " of its images";
  EXPECT_NE(c.err.find(where), std::string::npos) << c.err;

  ASSERT_EQ(run_cli(ensemble({"--arch", "d16:relu-d10", "--nets", "2", "--batch-size", "1",
                              "--epochs", std::to_string(place.epoch + 1)}))
                .code,
            0);
  EXPECT_EQ(Store(m_store).load_run(1).info.epochs_done, place.epoch + 1);
  expect_same_weights();
}

}  // namespace
}  // namespace cs
