// Calibration: how far a network's confidence can be trusted (Guo et al., "On Calibration of
// Modern Neural Networks", ICML 2017). The validation images are sorted by the probability of
// their top-1 class into equal-width bins over [0, 1]; a calibrated network is right in each bin
// as often as it is confident there. The reliability diagram draws each bin's accuracy against
// its mean confidence; the expected calibration error (ECE) is the mean of the bins' gaps
// |accuracy - confidence| weighted by their images, the maximum calibration error (MCE) the
// largest gap of a bin with images.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "convscope/backend.h"
#include "convscope/ensemble.h"

namespace cs {

constexpr int kCalibrationBins = 15;  // Guo et al.'s

struct CalibrationBin {
  double low = 0, high = 0;  // the bin holds top-1 probabilities in (low, high]; the first, 0 too
  int count = 0;             // images in it
  int right = 0;             // of them, the ones whose top-1 class is their label
  double confidence = 0;     // their mean top-1 probability (0 for an empty bin)
  double accuracy() const { return count ? static_cast<double>(right) / count : 0; }
  // accuracy - confidence: below 0 the network is overconfident there.
  double gap() const { return accuracy() - confidence; }
};

// None when no image was binned (count 0: every top-1 probability left out); its figures are
// then 0 and mean nothing.
struct Calibration {
  std::vector<CalibrationBin> bins;  // in order, from 0
  int count = 0;                     // images binned
  int right = 0;                     // of them, the ones right
  int left_out = 0;                  // images whose top-1 probability is not a number in [0, 1]
  double confidence = 0;             // mean top-1 probability of the images binned
  double ece = 0;                    // Σ bins count / images · |gap|
  double mce = 0;                    // max over bins with images of |gap|
  double accuracy() const { return count ? static_cast<double>(right) / count : 0; }
};

// How far the confidence misses the accuracy (both shares), as a text with `decimals` decimals
// shows it: `points` = |confidence − accuracy| in percentage points, `sign` +1 when the confidence
// is above (overconfident), −1 below, 0 when the gap reads as 0.
struct ConfidenceGap {
  int sign = 0;
  double points = 0;
};
ConfidenceGap confidence_gap(double confidence, double accuracy, int decimals);
// The same in words, for the command line: "overconfident by 0.10 points", "underconfident by
// 1.20 points", "as confident as it is right".
std::string confidence_gap_text(double confidence, double accuracy, int decimals);

// From each image's top-1 probability and whether that class is its label (equal sizes).
// Throws std::invalid_argument for fewer than one bin or sizes that differ.
Calibration calibrate(std::span<const float> confidence, std::span<const uint8_t> right,
                      int bins = kCalibrationBins);

// Network `net`'s top-1 predictions in `eval` against the validation labels (eval.count of
// them). Throws std::invalid_argument for a network outside the result or labels that do not fit.
Calibration calibrate(const EvalResult& eval, int net, std::span<const uint8_t> labels,
                      int bins = kCalibrationBins);

// An ensemble's calibration: its vote's (the class of the highest probability averaged over the
// networks, that probability its confidence; EnsembleStats) beside each network's alone.
// Averaging lowers the confidence where the networks disagree: it mends overconfident networks
// (Lakshminarayanan et al., "Simple and Scalable Predictive Uncertainty Estimation using Deep
// Ensembles", NeurIPS 2017) and makes underconfident ones, such as the reference network after
// one epoch on MNIST, more so. Only each network's top 3 are stored, so the vote's confidence is
// a lower bound: low by at most the mean probability outside the networks' top 3
// (`outside_top3`).
struct EnsembleCalibration {
  Calibration vote;
  std::vector<double> net_ece;  // (N) each network's ECE; NaN where none of its top-1s is a number
  // Over the networks that have one; NaN when none has (every network's outputs overflowed).
  double mean_net_ece = 0, min_net_ece = 0, max_net_ece = 0;
  // 1 − the top 3's probabilities, averaged over networks and images (those with numbers in
  // [0, 1])
  double outside_top3 = 0;
};

// `stats` is compute_ensemble_stats() of `eval` (its labels are the images'). Throws
// std::invalid_argument when they do not fit.
EnsembleCalibration calibrate_ensemble(const EvalResult& eval, const EnsembleStats& stats,
                                       int bins = kCalibrationBins);

// One row per bin, empty ones too: "bin,low,high,images,right,confidence,accuracy,gap" (an empty
// bin's confidence, accuracy and gap are empty).
std::string calibration_csv(const Calibration& c);

}  // namespace cs
