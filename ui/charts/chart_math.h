// The numbers behind the charts, kept apart from Qt Charts so that tests can check them: the
// smoothing of a noisy series, the range an axis fits to its data, and round tick steps.
#pragma once

#include <QPointF>
#include <array>
#include <cstddef>
#include <vector>

class QValueAxis;

namespace chart_math {

// TensorBoard's smoothing: an exponential moving average with weight `weight` (0: none, up to
// 0.999) on the past, debiased so that the first points are not pulled towards zero:
//   ema_i = weight * ema_{i-1} + (1 - weight) * y_i,   smoothed_i = ema_i / (1 - weight^(i+1)).
// A non-finite y is passed through and does not enter the average. x values are kept.
std::vector<QPointF> smoothed(const std::vector<QPointF>& points, double weight);

struct Range {
  double min = 0, max = 1;
};

// The range an axis shows for `values`: their span, padded by `padding` of it on each side (at
// least half of `minSpan` around a flat series), clamped to [lo, hi]. No values: [lo, hi].
Range fitRange(const std::vector<double>& values, double padding, double minSpan, double lo,
               double hi);

// Where the batch accuracy the accuracy axis fits begins, in epochs, when the latest point is at
// epoch `latest`: the latest epoch, or the latest half of the run in its first two epochs. The
// climb from chance at the start would otherwise stretch the axis over 10..100% until the first
// evaluation, and squeeze the values that matter (97.7% and 98.8%) together afterwards.
double recentAccuracyFrom(double latest);

// TensorBoard's distribution of a tensor's values: the value at each of kQuantileBasisPoints of
// the sorted values (nearest rank), i.e. the minimum, the points a normal distribution has at
// -1.5, -1, -0.5, 0, 0.5, 1 and 1.5 standard deviations (6.68% … 93.32%), and the maximum.
constexpr std::array<int, 9> kQuantileBasisPoints{0,    668,  1587, 3085, 5000,
                                                  6915, 8413, 9332, 10000};
using Quantiles = std::array<float, 9>;
// Above this many values the seven inner quantiles come from an evenly strided sample of at most
// this many (a dense layer may have millions of weights); the minimum and maximum from them all.
constexpr size_t kQuantileSample = 65536;
// The quantiles of the finite values (NaN and infinities are left out; none left: all 0).
Quantiles quantiles(const std::vector<float>& values);

// A round tick step (1, 2 or 5 times a power of ten) for about `ticks` intervals over `span`.
double roundStep(double span, int ticks);

// Round multiples of `step` within [min, max].
int ticksWithin(double min, double max, double step);

// Ticks at round multiples of roundStep(max - min, ticks) over [min, max] (a smaller round step
// when that leaves fewer than three), labelled with as many decimals as the step needs; the range
// itself is kept. Zooming keeps labels on every axis this way.
void applyRoundTicks(QValueAxis* axis, double min, double max, int ticks);

// [min, max] on `axis` with round ticks over it (applyRoundTicks), the step and the range changed
// in the order that never lays out more ticks than the old or the new range has: a range widened
// with the old step makes a graphics item per tick (a loaded run's 35,000 steps at the step of a
// fresh run's 10 froze the window for half a minute).
void setRoundRange(QValueAxis* axis, double min, double max, int ticks);

// An accuracy axis in percent over the data's [lo, hi]: padded by `padding` of the span (at least
// 0.1 points across), never past 0 or 100, with round ticks (setRoundRange). For the charts of
// final accuracies (ensembles, sweeps), whose axes had gone to -50..150 for a wide spread.
void fitAccuracyAxis(QValueAxis* axis, double lo, double hi, double padding);

}  // namespace chart_math
