// The training charts' view options that a user sets and expects back in the next session: the
// training loss's smoothing, the logarithmic loss axis, the accuracy of each class, and whether
// the previous run is drawn. The window keeps them in the application's settings ("charts/").
#pragma once

#include "training/metrics_history.h"

class QSettings;

struct ChartOptions {
  static constexpr double kMaxSmoothing = 0.99;  // the slider's end

  double smoothing = MetricsHistory::kSmoothing;  // the weight of the past in the moving average
  bool logLossAxis = false;
  bool classAccuracy = false;  // the accuracy chart draws each class's validation accuracy
  bool previousShown = true;   // the run before this one, dashed and gray

  bool operator==(const ChartOptions&) const = default;

  // The stored options; the default for each one missing or unreadable (a smoothing outside
  // [0, kMaxSmoothing] included).
  static ChartOptions load(const QSettings& q);
  void save(QSettings& q) const;
};
