#include "charts/chart_math.h"

#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace chart_math {

std::vector<QPointF> smoothed(const std::vector<QPointF>& points, double weight) {
  weight = std::clamp(weight, 0.0, 0.999);
  std::vector<QPointF> out;
  out.reserve(points.size());
  double ema = 0, debias = 1;  // debias: weight^(finite points so far)
  for (const QPointF& p : points) {
    if (!std::isfinite(p.y())) {
      out.push_back(p);
      continue;
    }
    ema = weight * ema + (1 - weight) * p.y();
    debias *= weight;
    out.emplace_back(p.x(), ema / (1 - debias));
  }
  return out;
}

Range fitRange(const std::vector<double>& values, double padding, double minSpan, double lo,
               double hi) {
  double min = hi, max = lo;
  for (double v : values)
    if (std::isfinite(v)) {
      min = std::min(min, v);
      max = std::max(max, v);
    }
  if (min > max) return {lo, hi};
  double pad = padding * (max - min);
  if (max - min + 2 * pad < minSpan) pad = (minSpan - (max - min)) / 2;
  Range r{std::max(lo, min - pad), std::min(hi, max + pad)};
  // Clamped at one end: the span goes to the other, as far as the bounds allow.
  if (r.max - r.min < minSpan) {
    if (r.min == lo) r.max = std::min(hi, lo + minSpan);
    if (r.max == hi) r.min = std::max(lo, hi - minSpan);
  }
  return r;
}

double recentAccuracyFrom(double latest) {
  return std::max(latest - 1, latest / 2);
}

double roundStep(double span, int ticks) {
  const double raw = std::max(span, 1e-12) / std::max(1, ticks);
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  return raw <= decade       ? decade
         : raw <= 2 * decade ? 2 * decade
         : raw <= 5 * decade ? 5 * decade
                             : 10 * decade;
}

int ticksWithin(double min, double max, double step) {
  return static_cast<int>(std::floor(max / step + 1e-9) - std::ceil(min / step - 1e-9)) + 1;
}

void applyRoundTicks(QValueAxis* axis, double min, double max, int ticks) {
  double step = roundStep(max - min, ticks);
  // Fewer than three labels say little: the next smaller round step (5 → 2 → 1 → 0.5 …).
  while (ticksWithin(min, max, step) < 3 && step > 1e-9 * std::max(1.0, std::abs(max))) {
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    step *= mantissa > 4 ? 0.4 : 0.5;
  }
  // Only what changed: a chart re-lays out its axis on every set.
  const double anchor = std::ceil(min / step - 1e-9) * step;
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  const QString format = QStringLiteral("%.%1f").arg(decimals);
  if (axis->tickType() != QValueAxis::TicksDynamic) axis->setTickType(QValueAxis::TicksDynamic);
  if (axis->tickAnchor() != anchor) axis->setTickAnchor(anchor);
  if (axis->tickInterval() != step) axis->setTickInterval(step);
  if (axis->labelFormat() != format) axis->setLabelFormat(format);
}

void setRoundRange(QValueAxis* axis, double min, double max, int ticks) {
  const bool wider = max - min > axis->max() - axis->min();
  if (wider) applyRoundTicks(axis, min, max, ticks);  // the larger step first
  if (axis->min() != min || axis->max() != max) axis->setRange(min, max);
  if (!wider) applyRoundTicks(axis, min, max, ticks);
}

void fitAccuracyAxis(QValueAxis* axis, double lo, double hi, double padding) {
  const Range r = fitRange({lo, hi}, padding, 0.1, 0, 100);
  setRoundRange(axis, r.min, r.max, 5);
}

Quantiles quantiles(const std::vector<float>& values) {
  const size_t stride = (values.size() + kQuantileSample - 1) / kQuantileSample;
  std::vector<float> sample;
  sample.reserve(std::min(values.size(), kQuantileSample));
  float lo = HUGE_VALF, hi = -HUGE_VALF;
  for (size_t i = 0; i < values.size(); ++i) {
    const float v = values[i];
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    if (i % stride == 0) sample.push_back(v);
  }
  Quantiles q{};
  if (sample.empty()) return q;
  // Ascending ranks: each nth_element partitions only what lies above the one before.
  auto from = sample.begin();
  for (size_t k = 0; k < q.size(); ++k) {
    const size_t rank = static_cast<size_t>(
        std::lround(kQuantileBasisPoints[k] / 10000.0 * static_cast<double>(sample.size() - 1)));
    const auto at = sample.begin() + static_cast<std::ptrdiff_t>(rank);
    std::nth_element(from, at, sample.end());
    q[k] = *at;
    from = at;
  }
  q.front() = lo;
  q.back() = hi;
  return q;
}

}  // namespace chart_math
