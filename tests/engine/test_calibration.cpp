// cs::calibrate(): images binned by their top-1 probability into (low, high] bins, each bin's
// accuracy and mean confidence, the expected and maximum calibration errors worked out by hand,
// probabilities that are not numbers in [0, 1] left out, network `net` of a real evaluation,
// the refusals, and the CSV.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "convscope/calibration.h"
#include "convscope/cpu_backend.h"
#include "synthetic_data.h"

namespace cs {
namespace {

TEST(Calibration, BinsByTopProbabilityAndWeighsEachBinsGapByItsImages) {
  // 5 bins: (0, 0.2] (the first with 0 too), (0.2, 0.4], ..., (0.8, 1].
  const std::vector<float> p = {0.0f, 0.2f, 0.25f, 0.5f, 0.5f, 0.5f, 0.5f, 0.9f, 1.0f};
  const std::vector<uint8_t> right = {0, 1, 0, 1, 1, 1, 0, 1, 1};
  const Calibration c = calibrate(p, right, 5);
  ASSERT_EQ(c.bins.size(), 5u);
  EXPECT_DOUBLE_EQ(c.bins[1].low, 0.2);
  EXPECT_DOUBLE_EQ(c.bins[1].high, 0.4);
  // 0.2f is a little above 0.2, so in bin 1 with 0.25; 0 in bin 0.
  EXPECT_EQ(c.bins[0].count, 1);
  EXPECT_EQ(c.bins[0].right, 0);
  EXPECT_EQ(c.bins[1].count, 2);
  EXPECT_EQ(c.bins[1].right, 1);
  EXPECT_NEAR(c.bins[1].confidence, 0.225, 1e-7);
  EXPECT_EQ(c.bins[2].count, 4);
  EXPECT_DOUBLE_EQ(c.bins[2].accuracy(), 0.75);
  EXPECT_EQ(c.bins[3].count, 0);
  EXPECT_EQ(c.bins[3].confidence, 0);
  EXPECT_EQ(c.bins[4].count, 2);
  EXPECT_NEAR(c.bins[4].gap(), 1 - 0.95, 1e-7);
  EXPECT_EQ(c.count, 9);
  EXPECT_EQ(c.right, 6);
  EXPECT_EQ(c.left_out, 0);
  EXPECT_NEAR(c.confidence, (0.2 + 0.25 + 4 * 0.5 + 0.9 + 1.0) / 9, 1e-7);
  // Gaps: bin 0 |0 - 0| = 0, bin 1 |0.5 - 0.225| = 0.275, bin 2 |0.75 - 0.5| = 0.25,
  // bin 4 |1 - 0.95| = 0.05.
  EXPECT_NEAR(c.ece, (2 * 0.275 + 4 * 0.25 + 2 * 0.05) / 9, 1e-7);
  EXPECT_NEAR(c.mce, 0.275, 1e-7);
}

TEST(Calibration, ANetworkRightAsOftenAsItIsSureIsCalibrated) {
  // 10 images at 0.7, 7 of them right; 4 at 0.25, 1 of them right.
  std::vector<float> p(10, 0.7f);
  std::vector<uint8_t> right = {1, 1, 1, 1, 1, 1, 1, 0, 0, 0};
  p.insert(p.end(), {0.25f, 0.25f, 0.25f, 0.25f});
  right.insert(right.end(), {0, 1, 0, 0});
  const Calibration c = calibrate(p, right);
  EXPECT_EQ(c.bins.size(), static_cast<size_t>(kCalibrationBins));
  EXPECT_NEAR(c.ece, 0, 1e-7);
  EXPECT_NEAR(c.mce, 0, 1e-7);
  // Always sure, right half the time: a gap of 0.5 everywhere.
  const Calibration sure =
      calibrate(std::vector<float>(6, 1.f), std::vector<uint8_t>{1, 0, 1, 0, 1, 0});
  EXPECT_DOUBLE_EQ(sure.ece, 0.5);
  EXPECT_DOUBLE_EQ(sure.mce, 0.5);
  EXPECT_DOUBLE_EQ(sure.bins.back().gap(), -0.5);
  EXPECT_EQ(sure.bins.back().count, 6);
}

TEST(Calibration, ProbabilitiesThatAreNotInTheUnitIntervalAreLeftOut) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Calibration c =
      calibrate(std::vector<float>{nan, 1.5f, -0.1f, 0.9f}, std::vector<uint8_t>{1, 1, 1, 1}, 10);
  EXPECT_EQ(c.left_out, 3);
  EXPECT_EQ(c.count, 1);
  EXPECT_EQ(c.bins[8].count, 1);  // 0.9f is just below 0.9: (0.8, 0.9]
  EXPECT_NEAR(c.ece, 0.1, 1e-7);
  const Calibration none = calibrate(std::vector<float>{nan}, std::vector<uint8_t>{0});
  EXPECT_EQ(none.count, 0);
  EXPECT_EQ(none.ece, 0);
}

TEST(Calibration, AProbabilityOnABinsUpperEdgeStaysInThatBin) {
  // 4 bins: 0.5 and 0.25 are exact in float, so they close bins 1 and 0.
  const Calibration c =
      calibrate(std::vector<float>{0.5f, 0.25f, 0.75f, 1.f}, std::vector<uint8_t>{1, 1, 1, 1}, 4);
  for (int b = 0; b < 4; ++b) EXPECT_EQ(c.bins[static_cast<size_t>(b)].count, 1) << "bin " << b;
  EXPECT_EQ(c.bins[1].confidence, 0.5);
  EXPECT_EQ(c.bins[2].confidence, 0.75);
}

TEST(Calibration, SaysWhichWayTheConfidenceMisses) {
  EXPECT_EQ(confidence_gap_text(0.9884, 0.9874, 2), "overconfident by 0.10 points");
  EXPECT_EQ(confidence_gap_text(0.9661, 0.9781, 2), "underconfident by 1.20 points");
  EXPECT_EQ(confidence_gap_text(0.97, 0.97002, 2), "as confident as it is right");
  EXPECT_EQ(confidence_gap_text(0.97, 0.9702, 1), "as confident as it is right");
  EXPECT_EQ(confidence_gap_text(0.97, 0.9702, 2), "underconfident by 0.02 points");
  const ConfidenceGap gap = confidence_gap(0.9884, 0.9874, 2);
  EXPECT_EQ(gap.sign, 1);
  EXPECT_NEAR(gap.points, 0.1, 1e-9);
  EXPECT_EQ(confidence_gap(0.97, 0.97004, 2).sign, 0);
}

TEST(Calibration, RefusesNoBinsAndSizesThatDiffer) {
  EXPECT_THROW(calibrate(std::vector<float>{0.5f}, std::vector<uint8_t>{1}, 0),
               std::invalid_argument);
  EXPECT_THROW(calibrate(std::vector<float>{0.5f}, std::vector<uint8_t>{1, 0}),
               std::invalid_argument);
}

TEST(Calibration, TakesOneNetworkOfAnEvaluation) {
  const Dataset train = test::synthetic(64, 1), val = test::synthetic(40, 2);
  auto backend = test::cpu_backend("c3x4:relu-d8:relu-d4", train, val, {3, 4});
  backend->begin_epoch(0);
  for (int first = 0; first < 64; first += 16) backend->train_step(first, 16);
  EvalResult r;
  backend->evaluate(r);
  for (int net = 0; net < 2; ++net) {
    const Calibration c = calibrate(r, net, val.labels);
    EXPECT_EQ(c.count, 40);
    EXPECT_NEAR(c.accuracy(), r.accuracy[static_cast<size_t>(net)], 1e-6);
    double sum = 0;
    int binned = 0;
    for (int i = 0; i < 40; ++i) sum += r.top_probs[3 * (static_cast<size_t>(net) * 40 + i)];
    for (const CalibrationBin& bin : c.bins) binned += bin.count;
    EXPECT_EQ(binned, 40);
    EXPECT_NEAR(c.confidence, sum / 40, 1e-6);
  }
  EXPECT_NE(calibrate(r, 0, val.labels).confidence, calibrate(r, 1, val.labels).confidence);
  EXPECT_THROW(calibrate(r, 2, val.labels), std::invalid_argument);
  EXPECT_THROW(calibrate(r, 0, std::vector<uint8_t>(39)), std::invalid_argument);
}

TEST(Calibration, AnEnsembleHasItsVotesCalibrationBesideEachNetworks) {
  // Two networks, two images of class 0 (3 classes).
  EvalResult r;
  r.nets = 2;
  r.count = 2;
  r.top_labels = {0, 1, 2, 1, 0, 2, 0, 1, 2, 0, 1, 2};
  // Network 1 leaves 0.1 of image 1 outside its top 3.
  r.top_probs = {0.9f, 0.1f, 0, 0.9f, 0.1f, 0, 0.7f, 0.3f, 0, 0.6f, 0.3f, 0};
  r.true_probs = {0.9f, 0.1f, 0.7f, 0.6f};
  r.loss = {0, 0};
  r.accuracy = {0.5f, 1};
  const std::vector<uint8_t> labels = {0, 0};
  const EnsembleStats stats = compute_ensemble_stats(r, labels, 3);
  const EnsembleCalibration e = calibrate_ensemble(r, stats);
  // Network 0: both at 0.9, one right: 0.4. Network 1: right at 0.7 and at 0.6, in two bins:
  // (0.3 + 0.4) / 2.
  ASSERT_EQ(e.net_ece.size(), 2u);
  EXPECT_NEAR(e.net_ece[0], 0.4, 1e-6);
  EXPECT_NEAR(e.net_ece[1], 0.35, 1e-6);
  EXPECT_NEAR(e.mean_net_ece, 0.375, 1e-6);
  EXPECT_NEAR(e.min_net_ece, 0.35, 1e-6);
  EXPECT_NEAR(e.max_net_ece, 0.4, 1e-6);
  // The vote: image 0 class 0 at (0.9 + 0.7) / 2, right; image 1 class 1 at (0.9 + 0.3) / 2,
  // wrong: (0.2 + 0.6) / 2.
  EXPECT_EQ(e.vote.count, 2);
  EXPECT_EQ(e.vote.right, 1);
  EXPECT_NEAR(e.vote.confidence, (0.8 + 0.6) / 2, 1e-6);
  EXPECT_NEAR(e.vote.ece, 0.4, 1e-6);
  EXPECT_NEAR(e.outside_top3, 0.1 / 4, 1e-6);
  // An image whose probabilities are not numbers is left out of it, as calibrate() leaves it.
  EvalResult broken = r;
  broken.top_probs[9] = std::nanf("");
  EXPECT_NEAR(calibrate_ensemble(broken, stats).outside_top3, 0, 1e-6);
  // A network none of whose top-1s is a number has no ECE (not 0, perfectly calibrated), and
  // the summary is of the others.
  EvalResult none = r;
  none.top_probs[0] = none.top_probs[3] = std::nanf("");  // network 0's two images
  const EnsembleCalibration without = calibrate_ensemble(none, stats);
  EXPECT_TRUE(std::isnan(without.net_ece[0]));
  EXPECT_NEAR(without.mean_net_ece, 0.35, 1e-6);
  EXPECT_NEAR(without.min_net_ece, 0.35, 1e-6);
  // Nor, when no network has one, has their summary (not 0).
  none.top_probs[6] = none.top_probs[9] = std::nanf("");  // network 1's
  const EnsembleCalibration neither = calibrate_ensemble(none, stats);
  EXPECT_TRUE(std::isnan(neither.mean_net_ece));
  EXPECT_TRUE(std::isnan(neither.min_net_ece) && std::isnan(neither.max_net_ece));
  EnsembleStats other = stats;
  other.vote_probs.pop_back();
  EXPECT_THROW(calibrate_ensemble(r, other), std::invalid_argument);
}

TEST(Calibration, CsvHasEveryBinAndLeavesAnEmptyBinsFiguresEmpty) {
  const Calibration c =
      calibrate(std::vector<float>{0.3f, 0.35f, 0.9f}, std::vector<uint8_t>{1, 0, 1}, 4);
  std::istringstream in(calibration_csv(c));
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "bin,low,high,images,right,confidence,accuracy,gap");
  EXPECT_EQ(lines[1], "0,0,0.25,0,0,,,");
  EXPECT_EQ(lines[2].substr(0, 17), "1,0.25,0.5,2,1,0.");
  double confidence = 0, accuracy = 0, gap = 0;
  ASSERT_EQ(
      std::sscanf(lines[2].c_str(), "1,0.25,0.5,2,1,%lf,%lf,%lf", &confidence, &accuracy, &gap), 3);
  EXPECT_NEAR(confidence, 0.325, 1e-7);
  EXPECT_EQ(accuracy, 0.5);
  EXPECT_NEAR(gap, 0.175, 1e-7);
  EXPECT_EQ(lines[3], "2,0.5,0.75,0,0,,,");
}

}  // namespace
}  // namespace cs
