#include "convscope/calibration.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "convscope/sweep_stats.h"

namespace cs {

Calibration calibrate(std::span<const float> confidence, std::span<const uint8_t> right, int bins) {
  if (bins < 1) throw std::invalid_argument("calibration needs at least one bin");
  if (confidence.size() != right.size())
    throw std::invalid_argument("calibration: " + std::to_string(confidence.size()) +
                                " probabilities but " + std::to_string(right.size()) + " outcomes");
  Calibration c;
  c.bins.resize(static_cast<size_t>(bins));
  for (int b = 0; b < bins; ++b) {
    c.bins[static_cast<size_t>(b)].low = static_cast<double>(b) / bins;
    c.bins[static_cast<size_t>(b)].high = static_cast<double>(b + 1) / bins;
  }
  std::vector<double> sums(static_cast<size_t>(bins), 0.0);
  for (size_t i = 0; i < confidence.size(); ++i) {
    const double p = confidence[i];
    if (!(p >= 0 && p <= 1)) {  // NaN too
      ++c.left_out;
      continue;
    }
    // (low, high]: ceil(p · bins) - 1, so a probability on a bin's upper edge stays in that bin.
    const int b = std::clamp(static_cast<int>(std::ceil(p * bins)) - 1, 0, bins - 1);
    CalibrationBin& bin = c.bins[static_cast<size_t>(b)];
    ++bin.count;
    bin.right += right[i] ? 1 : 0;
    sums[static_cast<size_t>(b)] += p;
    ++c.count;
    c.right += right[i] ? 1 : 0;
    c.confidence += p;
  }
  if (c.count == 0) return c;
  c.confidence /= c.count;
  for (size_t b = 0; b < c.bins.size(); ++b) {
    CalibrationBin& bin = c.bins[b];
    if (bin.count == 0) continue;
    bin.confidence = sums[b] / bin.count;
    const double gap = std::abs(bin.gap());
    c.ece += gap * bin.count / c.count;
    c.mce = std::max(c.mce, gap);
  }
  return c;
}

Calibration calibrate(const EvalResult& eval, int net, std::span<const uint8_t> labels, int bins) {
  if (net < 0 || net >= eval.nets)
    throw std::invalid_argument("calibration: no network " + std::to_string(net) +
                                " in a result of " + std::to_string(eval.nets));
  const size_t count = static_cast<size_t>(eval.count);
  if (labels.size() != count)
    throw std::invalid_argument("calibration: " + std::to_string(labels.size()) + " labels for " +
                                std::to_string(count) + " images");
  const size_t first = static_cast<size_t>(net) * count;
  if (eval.top_probs.size() < 3 * (first + count) || eval.top_labels.size() < 3 * (first + count))
    throw std::invalid_argument("calibration: the result holds no top-1 of every image");
  std::vector<float> confidence(count);
  std::vector<uint8_t> right(count);
  for (size_t i = 0; i < count; ++i) {
    confidence[i] = eval.top_probs[3 * (first + i)];
    right[i] = eval.top_labels[3 * (first + i)] == labels[i];
  }
  return calibrate(confidence, right, bins);
}

EnsembleCalibration calibrate_ensemble(const EvalResult& eval, const EnsembleStats& stats,
                                       int bins) {
  const size_t count = static_cast<size_t>(stats.count);
  if (stats.nets != eval.nets || stats.count != eval.count || stats.vote_probs.size() != count ||
      stats.images.size() != count || eval.top_probs.size() != 3 * count * eval.nets)
    throw std::invalid_argument("calibration: the ensemble statistics are not of this result");
  EnsembleCalibration e;
  std::vector<uint8_t> labels(count), right(count);
  for (size_t i = 0; i < count; ++i) {
    labels[i] = stats.images[i].label;
    right[i] = stats.images[i].vote == stats.images[i].label;
  }
  e.vote = calibrate(stats.vote_probs, right, bins);
  for (int net = 0; net < eval.nets; ++net) {  // none for a network without a probability
    const Calibration c = calibrate(eval, net, labels, bins);
    e.net_ece.push_back(c.count > 0 ? c.ece : std::numeric_limits<double>::quiet_NaN());
  }
  double top3 = 0;  // of the images whose three are numbers in [0, 1], as calibrate() counts
  size_t counted = 0;
  for (size_t i = 0; i + 2 < eval.top_probs.size(); i += 3) {
    const float* p = eval.top_probs.data() + i;
    if (!(p[0] >= 0 && p[0] <= 1 && p[1] >= 0 && p[1] <= 1 && p[2] >= 0 && p[2] <= 1)) continue;
    top3 += static_cast<double>(p[0]) + p[1] + p[2];
    ++counted;
  }
  if (counted > 0) e.outside_top3 = 1 - top3 / static_cast<double>(counted);
  const Distribution d = describe_distribution(e.net_ece);
  const double none = std::numeric_limits<double>::quiet_NaN();
  e.mean_net_ece = d.n > 0 ? d.mean : none;
  e.min_net_ece = d.n > 0 ? d.min : none;
  e.max_net_ece = d.n > 0 ? d.max : none;
  return e;
}

ConfidenceGap confidence_gap(double confidence, double accuracy, int decimals) {
  const double points = 100 * (confidence - accuracy), scale = std::pow(10.0, decimals);
  if (std::round(std::abs(points) * scale) == 0) return {};
  return {points > 0 ? 1 : -1, std::abs(points)};
}

std::string confidence_gap_text(double confidence, double accuracy, int decimals) {
  const ConfidenceGap gap = confidence_gap(confidence, accuracy, decimals);
  if (gap.sign == 0) return "as confident as it is right";
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << (gap.sign > 0 ? "overconfident by " : "underconfident by ") << gap.points << " points";
  return out.str();
}

std::string calibration_csv(const Calibration& c) {
  std::ostringstream out;
  out.precision(9);
  out << "bin,low,high,images,right,confidence,accuracy,gap\n";
  for (size_t b = 0; b < c.bins.size(); ++b) {
    const CalibrationBin& bin = c.bins[b];
    out << b << ',' << bin.low << ',' << bin.high << ',' << bin.count << ',' << bin.right;
    if (bin.count > 0)
      out << ',' << bin.confidence << ',' << bin.accuracy() << ',' << bin.gap() << '\n';
    else
      out << ",,,\n";
  }
  return out.str();
}

}  // namespace cs
