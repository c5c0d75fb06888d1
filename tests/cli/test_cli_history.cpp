// convscope-cli train --eval-every N --history-csv FILE: the history has one pass every N steps
// and one at each epoch's end, and its last pass is what the saved network predicts; --save
// keeps the run's metric history with the weights; --patience and --save-best.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "cli_runner.h"
#include "convscope/checkpoint.h"
#include "convscope/dataset.h"

namespace cs {
namespace {

using namespace cli_test;
namespace fs = std::filesystem;

TEST(CliHistory, EvalEveryAndHistoryCsv) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 256, 40);  // labels i % 10
  const std::string history = dir.file("history.csv"), ckpt = dir.file("net.safetensors"),
                    preds = dir.file("preds.csv");
  // 256 / 32 = 8 steps per epoch, 2 epochs: passes at steps 3, 6, 8 (end), 9, 12, 15, 16 (end).
  const Result r = run_cli({"train", "--data", dir.file("data"), "--arch", "d10", "--threads", "1",
                            "--quiet", "--batch-size", "32", "--epochs", "2", "--eval-every", "3",
                            "--history-csv", history, "--save", ckpt});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("history: 7 evaluation(s) of 40 images"), std::string::npos) << r.err;

  const auto rows = csv_rows(history);
  ASSERT_EQ(rows.size(), 1u + 40u * 7u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"image", "eval_index", "step", "top1", "correct"}));
  const std::vector<std::string> steps = {"3", "6", "8", "9", "12", "15", "16"};
  std::map<int, int> last_top1;  // image -> top-1 at the last pass
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 5u) << "row " << i;
    const int image = std::stoi(rows[i][0]), pass = std::stoi(rows[i][1]);
    EXPECT_EQ(image, static_cast<int>((i - 1) / 7));
    EXPECT_EQ(pass, static_cast<int>((i - 1) % 7));
    EXPECT_EQ(rows[i][2], steps[pass]) << "row " << i;
    const int top1 = std::stoi(rows[i][3]);
    EXPECT_EQ(rows[i][4], top1 == image % 10 ? "1" : "0") << "row " << i;
    if (pass == 6) last_top1[image] = top1;
  }

  // The checkpoint has the run's metric history: every step's loss and every pass.
  const RunHistory saved = read_checkpoint_meta(ckpt).history;
  ASSERT_EQ(saved.losses.size(), 16u);
  for (size_t s = 0; s < saved.losses.size(); ++s)
    EXPECT_EQ(saved.losses[s].step, static_cast<long long>(s));
  ASSERT_EQ(saved.evaluations.size(), steps.size());
  for (size_t p = 0; p < steps.size(); ++p) {
    EXPECT_EQ(std::to_string(saved.evaluations[p].step), steps[p]) << "pass " << p;
    EXPECT_EQ(saved.evaluations[p].epoch_end, steps[p] == "8" || steps[p] == "16") << "pass " << p;
  }
  EXPECT_GT(saved.evaluations.back().train_loss, 0);

  // The last pass ran after the last step: the saved weights predict the same top-1.
  const Result e =
      run_cli({"eval", "--data", dir.file("data"), "--checkpoint", ckpt, "--csv", preds});
  ASSERT_EQ(e.code, 0) << e.err;
  const auto evals = csv_rows(preds);
  ASSERT_EQ(evals.size(), 41u);
  for (int image = 0; image < 40; ++image)
    EXPECT_EQ(std::stoi(evals[image + 1][2]), last_top1[image]) << "image " << image;
}

TEST(CliHistory, ResumeContinuesTheRunAsIfNeverStopped) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 192, 30);  // 6 steps of 32 an epoch
  // A learning-rate schedule, random shifts and label smoothing too: the resumed run takes them
  // from the checkpoint.
  const std::vector<std::string> common = {"train",
                                           "--data",
                                           dir.file("data"),
                                           "--arch",
                                           "c3x2:relu-m2-d10",
                                           "--threads",
                                           "2",
                                           "--quiet",
                                           "--batch-size",
                                           "32",
                                           "--seed",
                                           "5",
                                           "--lr-schedule",
                                           "warmup:0.5+cosine:2",
                                           "--augment-shift",
                                           "2",
                                           "--label-smoothing",
                                           "0.1"};
  const auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> argv = common;
    argv.insert(argv.end(), more.begin(), more.end());
    return run_cli(argv);
  };
  const std::string whole = dir.file("whole.safetensors"), half = dir.file("half.safetensors"),
                    rest = dir.file("rest.safetensors");
  const std::string whole_csv = dir.file("whole.csv"), rest_csv = dir.file("rest.csv");
  const std::string whole_metrics = dir.file("whole-metrics.csv"),
                    rest_metrics = dir.file("rest-metrics.csv");
  ASSERT_EQ(with({"--epochs", "2", "--save", whole, "--history-csv", whole_csv, "--metrics",
                  whole_metrics})
                .code,
            0);
  ASSERT_EQ(with({"--epochs", "1", "--save", half}).code, 0);
  const Result r = run_cli({"train", "--data", dir.file("data"), "--threads", "2", "--quiet",
                            "--resume", half, "--epochs", "1", "--save", rest, "--history-csv",
                            rest_csv, "--metrics", rest_metrics});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("resumed " + half + " after epoch 1, step 6"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("epoch 2/2"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(", batch 32, random shift \u00b12 px, label smoothing 0.1, 2 epoch(s)"),
            std::string::npos)
      << r.err;

  // The same weights and optimizer state, bit for bit, and the same history, as one run of 2.
  std::map<std::string, std::string> md_whole, md_rest;
  const std::vector<NamedTensor> a = read_safetensors(whole, &md_whole);
  const std::vector<NamedTensor> b = read_safetensors(rest, &md_rest);
  ASSERT_EQ(a.size(), b.size());
  for (size_t t = 0; t < a.size(); ++t) {
    EXPECT_EQ(a[t].name, b[t].name);
    EXPECT_EQ(a[t].data, b[t].data) << a[t].name;
  }
  EXPECT_EQ(md_rest["lr_schedule"], "warmup:0.5+cosine:2");
  EXPECT_EQ(md_rest["augment_shift"], "2");
  EXPECT_EQ(md_rest["label_smoothing"], "0.1");
  EXPECT_EQ(md_rest["step"], "12");
  EXPECT_EQ(md_rest["epoch"], "2");
  const RunHistory hw = read_checkpoint_meta(whole).history,
                   hr = read_checkpoint_meta(rest).history;
  ASSERT_EQ(hr.losses.size(), 12u);
  for (size_t s = 0; s < hr.losses.size(); ++s) {
    EXPECT_EQ(hr.losses[s].step, hw.losses[s].step);
    EXPECT_EQ(hr.losses[s].loss, hw.losses[s].loss) << "step " << s;
  }
  ASSERT_EQ(hr.evaluations.size(), 2u);
  EXPECT_EQ(hr.evaluations[1].val_loss, hw.evaluations[1].val_loss);
  // Every image's top-1 at both passes, the first from the checkpoint: the same as one run's.
  EXPECT_EQ(csv_rows(rest_csv), csv_rows(whole_csv));
  EXPECT_EQ(csv_rows(rest_csv).size(), 1u + 30u * 2u);
  // --metrics has both epochs, the one before the resume without its time (not kept).
  const auto whole_rows = csv_rows(whole_metrics), rest_rows = csv_rows(rest_metrics);
  ASSERT_EQ(whole_rows.size(), 3u);
  ASSERT_EQ(rest_rows.size(), 3u);
  for (size_t row = 0; row < 3; ++row) {
    ASSERT_EQ(rest_rows[row].size(), 7u) << "row " << row;
    for (size_t column = 0; column < 7; ++column) {
      if (column == 5) continue;  // the time
      EXPECT_EQ(rest_rows[row][column], whole_rows[row][column]) << row;
    }
  }
  EXPECT_EQ(rest_rows[1][0], "1");
  EXPECT_EQ(rest_rows[1][5], "");
  EXPECT_GT(std::stod(rest_rows[2][5]), 0);
  // Resumed at another rate: the epoch before keeps the rate it trained at (before, the new one
  // was written for every epoch).
  const std::string faster_metrics = dir.file("faster-metrics.csv");
  const Result faster =
      run_cli({"train", "--data", dir.file("data"), "--threads", "2", "--quiet", "--resume", half,
               "--epochs", "1", "--lr", "0.004", "--metrics", faster_metrics});
  ASSERT_EQ(faster.code, 0) << faster.err;
  const auto faster_rows = csv_rows(faster_metrics);
  ASSERT_EQ(faster_rows.size(), 3u);
  EXPECT_EQ(faster_rows[1][6], whole_rows[1][6]);
  EXPECT_NEAR(std::stod(faster_rows[2][6]) / std::stod(whole_rows[2][6]), 4, 1e-4);

  // The checkpoint decides the network: flags that would change it are refused.
  const Result arch =
      run_cli({"train", "--data", dir.file("data"), "--quiet", "--resume", half, "--arch", "d10"});
  EXPECT_EQ(arch.code, 2) << arch.err;
  EXPECT_NE(arch.err.find("--arch: --resume continues the checkpoint's run, with its network "
                          "(c3x2:relu-m2-d10)"),
            std::string::npos)
      << arch.err;
  const Result shift = run_cli(
      {"train", "--data", dir.file("data"), "--quiet", "--resume", half, "--augment-shift", "1"});
  EXPECT_EQ(shift.code, 2) << shift.err;
  EXPECT_NE(shift.err.find("--augment-shift: --resume continues"), std::string::npos) << shift.err;
  const Result smoothing = run_cli(
      {"train", "--data", dir.file("data"), "--quiet", "--resume", half, "--label-smoothing", "0"});
  EXPECT_EQ(smoothing.code, 2) << smoothing.err;
  EXPECT_NE(smoothing.err.find("--label-smoothing: --resume continues the checkpoint's run, with "
                               "its network (c3x2:relu-m2-d10), optimizer (adam), batch size, "
                               "random shift, label smoothing and seed"),
            std::string::npos)
      << smoothing.err;
  const Result missing =
      run_cli({"train", "--data", dir.file("data"), "--quiet", "--resume", dir.file("none")});
  EXPECT_EQ(missing.code, 1) << missing.err;
  EXPECT_NE(missing.err.find(dir.file("none")), std::string::npos) << missing.err;
}

// The default MNIST is "mnist" however --data names its folder: the app then knows a checkpoint's
// validation images (and restores its learning history) whichever way it was trained.
TEST(CliHistory, TheDefaultMnistIsNamedMnistHoweverItsFolderIsGiven) {
  const std::string dir = default_mnist_dir();
  if (!idx_folder_installed(dir))
    GTEST_SKIP() << "MNIST not installed in " << dir << " (run scripts/fetch-mnist.sh)";
  TempDir tmp;
  for (const std::string& given : {dir, dir + "/../" + fs::path(dir).filename().string()}) {
    const std::string ck = tmp.file("net.safetensors");
    const Result r = run_cli({"train", "--data", given, "--limit-train", "64", "--arch", "d10",
                              "--quiet", "--save", ck});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(read_checkpoint_meta(ck).dataset, "mnist/train") << given;
  }
  write_idx_folder(tmp.file("other"), 64, 16);
  const std::string ck = tmp.file("other.safetensors");
  const Result r = run_cli({"train", "--data", tmp.file("other"), "--quiet", "--save", ck});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_checkpoint_meta(ck).dataset, tmp.file("other") + "/train");
}

// --patience ends a run that stopped improving, saying after which epoch and why; --save-best
// keeps the checkpoint of the epoch with the lowest validation loss, as --metrics lists them.
TEST(CliHistory, PatienceStopsEarlyAndSaveBestKeepsTheBestEpoch) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 128, 40, 8);  // random images: nothing to learn
  const std::string best = dir.file("best.safetensors"), metrics = dir.file("metrics.csv");
  const Result r = run_cli({"train",        "--data",       dir.file("data"),
                            "--arch",       "d32:relu-d10", "--optimizer",
                            "sgd",          "--lr",         "0.3",
                            "--batch-size", "16",           "--epochs",
                            "100",          "--patience",   "2",
                            "--save-best",  best,           "--metrics",
                            metrics,        "--threads",    "1",
                            "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = csv_rows(metrics);  // a header, then one row an epoch
  ASSERT_GE(rows.size(), 4u);
  const int epochs = static_cast<int>(rows.size()) - 1;
  ASSERT_LT(epochs, 100) << "it did not stop early";
  int lowest = 1;
  for (int e = 1; e <= epochs; ++e)
    if (std::stod(rows[e][3]) < std::stod(rows[lowest][3])) lowest = e;
  EXPECT_EQ(epochs, lowest + 2);
  EXPECT_NE(r.err.find("stopped early after epoch " + std::to_string(epochs) +
                       ": no validation loss below epoch " + std::to_string(lowest) + "'s ("),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(") in the 2 epochs since"), std::string::npos) << r.err;
  const CheckpointMeta saved = read_checkpoint_meta(best);
  EXPECT_EQ(saved.epoch, lowest);
  EXPECT_EQ(saved.epoch_position, 0);
}

// --metrics names each epoch's learning rate, that of its last step: halved every epoch here.
TEST(CliHistory, MetricsNameEachEpochsLearningRate) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 64, 16, 8);
  const std::string metrics = dir.file("metrics.csv");
  const Result r = run_cli({"train",
                            "--data",
                            dir.file("data"),
                            "--arch",
                            "d16:relu-d10",
                            "--optimizer",
                            "sgd",
                            "--lr",
                            "0.1",
                            "--lr-schedule",
                            "step:1:0.5",
                            "--batch-size",
                            "16",
                            "--epochs",
                            "3",
                            "--metrics",
                            metrics,
                            "--threads",
                            "1",
                            "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = csv_rows(metrics);
  ASSERT_EQ(rows.size(), 4u);
  ASSERT_EQ(rows[0].back(), "lr");
  for (int e = 1; e <= 3; ++e)
    EXPECT_NEAR(std::stod(rows[e].back()), 0.1 * std::pow(0.5, e - 1), 1e-7) << "epoch " << e;
}

TEST(CliHistory, RefusesANegativeEvalEvery) {
  TempDir dir;
  write_idx_folder(dir.file("data"), 64, 10);
  const Result r = run_cli(
      {"train", "--data", dir.file("data"), "--arch", "d10", "--quiet", "--eval-every", "-2"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("eval-every"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cs
