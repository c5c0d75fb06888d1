// Shared by the chart tests.
#pragma once

#include <QValueAxis>
#include <cmath>

namespace chart_test {

// Ticks of a dynamic-tick axis inside its range.
inline int ticksShown(const QValueAxis* axis) {
  if (axis->tickType() != QValueAxis::TicksDynamic) return axis->tickCount();
  const double step = axis->tickInterval();
  double first = axis->tickAnchor() + std::ceil((axis->min() - axis->tickAnchor()) / step) * step;
  int n = 0;
  for (double t = first; t <= axis->max() + 1e-9 * step; t += step) ++n;
  return n;
}

}  // namespace chart_test
