// convscope-cli eval: the calibration line and --calibration FILE agree with the per-image CSV
// (--csv) binned by hand: every bin's images, right ones and mean top-1 probability, the ECE and
// MCE printed; --bins; the dead units of each ReLU layer; the refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "convscope/checkpoint.h"

namespace cs {
namespace {

using namespace cli_test;

TEST(CliEval, CalibrationAgreesWithTheTopPredictionsBinnedByHand) {
  TempDir dir;
  const std::string checkpoint = trained_checkpoint(dir, "c3x4:relu-m2-d8:relu-d10");
  const std::string preds = dir.file("preds.csv"), bins = dir.file("bins.csv");
  const Result r = run_cli({"eval", "--data", dir.file("data"), "--checkpoint", checkpoint, "--csv",
                            preds, "--calibration", bins, "--bins", "4"});
  ASSERT_EQ(r.code, 0) << r.err;

  // index,label,top1,p1,...: bin each image's p1 into (k/4, (k+1)/4] by hand.
  const auto images = csv_rows(preds);
  ASSERT_EQ(images.size(), 61u);
  std::vector<int> count(4), right(4);
  std::vector<double> sum(4);
  int all_right = 0;
  double all_sum = 0;
  for (size_t i = 1; i < images.size(); ++i) {
    const double p = std::stod(images[i][3]);
    const int k = std::clamp(static_cast<int>(std::ceil(p * 4)) - 1, 0, 3);
    const bool hit = images[i][2] == images[i][1];
    ++count[k];
    right[k] += hit;
    sum[k] += p;
    all_right += hit;
    all_sum += p;
  }
  const auto rows = csv_rows(bins);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"bin", "low", "high", "images", "right",
                                               "confidence", "accuracy", "gap"}));
  double ece = 0, mce = 0;
  for (int k = 0; k < 4; ++k) {
    const auto& row = rows[static_cast<size_t>(k) + 1];
    EXPECT_EQ(std::stoi(row[3]), count[k]) << "bin " << k;
    EXPECT_EQ(std::stoi(row[4]), right[k]) << "bin " << k;
    if (count[k] == 0) {
      // An empty bin's figures are empty (the last of the three dropped by the split).
      ASSERT_EQ(row.size(), 7u) << "bin " << k;
      EXPECT_EQ(row[5] + row[6], "") << "bin " << k;
      continue;
    }
    const double confidence = sum[k] / count[k], accuracy = double(right[k]) / count[k];
    EXPECT_NEAR(std::stod(row[5]), confidence, 1e-5) << "bin " << k;
    EXPECT_NEAR(std::stod(row[6]), accuracy, 1e-9) << "bin " << k;
    ece += std::abs(accuracy - confidence) * count[k] / 60;
    mce = std::max(mce, std::abs(accuracy - confidence));
  }
  // The printed figures, to their two decimals (the per-image CSV rounds p1 to 6 digits).
  const size_t at = r.out.find("calibration: ECE ");
  ASSERT_NE(at, std::string::npos) << r.out;
  double printed[4] = {};
  int printed_bins = 0;
  ASSERT_EQ(std::sscanf(r.out.c_str() + at,
                        "calibration: ECE %lf%% over %d bins, MCE %lf%%; mean confidence %lf%% "
                        "against accuracy %lf%%",
                        &printed[0], &printed_bins, &printed[1], &printed[2], &printed[3]),
            5)
      << r.out;
  EXPECT_EQ(printed_bins, 4);
  EXPECT_NEAR(printed[0], 100 * ece, 0.006);
  EXPECT_NEAR(printed[1], 100 * mce, 0.006);
  EXPECT_NEAR(printed[2], 100 * all_sum / 60, 0.006);
  EXPECT_NEAR(printed[3], 100.0 * all_right / 60, 0.006);
  EXPECT_NE(r.out.find("wrote " + bins), std::string::npos) << r.out;

  // Dead units: conv1's 4 channels and fc1's 8 units, of 60 validation images.
  const size_t dead = r.out.find("dead units (0 on every one of 60 validation images): conv1 ");
  ASSERT_NE(dead, std::string::npos) << r.out;
  int conv_dead = -1, conv_units = 0, fc_dead = -1, fc_units = 0;
  ASSERT_EQ(std::sscanf(r.out.c_str() + dead,
                        "dead units (0 on every one of 60 validation images): conv1 %d of %d, "
                        "fc1 %d of %d",
                        &conv_dead, &conv_units, &fc_dead, &fc_units),
            4)
      << r.out;
  EXPECT_EQ(conv_units, 4);
  EXPECT_EQ(fc_units, 8);
  EXPECT_TRUE(conv_dead >= 0 && conv_dead <= 4 && fc_dead >= 0 && fc_dead <= 8);

  // 15 bins without --bins.
  ASSERT_EQ(run_cli({"eval", "--data", dir.file("data"), "--checkpoint", checkpoint,
                     "--calibration", bins})
                .code,
            0);
  EXPECT_EQ(csv_rows(bins).size(), 16u);
  const Result bad =
      run_cli({"eval", "--data", dir.file("data"), "--checkpoint", checkpoint, "--bins", "0"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--bins"), std::string::npos) << bad.err;
  // Other validation images than its own: evaluated, and said to be.
  EXPECT_EQ(r.err.find("validated on other images"), std::string::npos) << r.err;
  write_idx_folder(dir.file("other"), 64, 40);
  const Result other = run_cli({"eval", "--data", dir.file("other"), "--checkpoint", checkpoint});
  EXPECT_EQ(other.code, 0) << other.err;
  EXPECT_NE(other.err.find("note: " + checkpoint + " was trained on " + dir.file("data") +
                           "/train and validated on other images than these (" + dir.file("other") +
                           "/test); --data names its own"),
            std::string::npos)
      << other.err;
}

// A network whose outputs overflow (its last layer's weights huge) has no top-1 probability that
// is a number: no calibration, said so, rather than an ECE of 0 (perfectly calibrated).
TEST(CliEval, OverflowingOutputsHaveNoCalibration) {
  TempDir dir;
  Checkpoint checkpoint = read_checkpoint(trained_checkpoint(dir, "d10"));
  for (NamedTensor& t : checkpoint.tensors)
    if (t.name == "fc1.weight")
      for (float& w : t.data) w = w < 0 ? -3e38f : 3e38f;
  const std::string huge = dir.file("huge.safetensors");
  save_checkpoint(huge, checkpoint);
  const Result r = run_cli({"eval", "--data", dir.file("data"), "--checkpoint", huge});
  ASSERT_EQ(r.code, 0) << r.err;
  // The per-image CSV says no answer (empty fields, not right); bins without one image are not
  // written as if they were a calibration: exit 1, said why.
  const std::string preds = dir.file("preds.csv"), bins = dir.file("bins.csv");
  const Result files = run_cli({"eval", "--data", dir.file("data"), "--checkpoint", huge, "--csv",
                                preds, "--calibration", bins});
  EXPECT_EQ(files.code, 1) << files.err;
  EXPECT_NE(
      files.err.find("error: --calibration: " + bins + " not written: there is no calibration"),
      std::string::npos)
      << files.err;
  EXPECT_FALSE(std::filesystem::exists(bins));
  const auto rows = csv_rows(preds);
  ASSERT_EQ(rows.size(), 61u);
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 11u) << "row " << i;
    EXPECT_EQ(rows[i][0], std::to_string(i - 1));
    for (size_t f = 2; f < 10; ++f) EXPECT_EQ(rows[i][f], "") << "row " << i << " field " << f;
    EXPECT_EQ(rows[i][10], "0") << "row " << i;
  }
  EXPECT_NE(r.out.find("calibration: none: not one of the 60 images has a top-1 probability that "
                       "is a number in [0, 1]"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("ECE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("loss nan "), std::string::npos) << r.out;  // not "-nan"
}

}  // namespace
}  // namespace cs
