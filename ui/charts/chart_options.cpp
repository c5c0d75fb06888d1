#include "charts/chart_options.h"

#include <QSettings>

namespace {

bool flag(const QSettings& q, const QString& key, bool fallback) {
  const QVariant v = q.value(key);
  if (!v.isValid()) return fallback;
  const QString text = v.toString();
  if (text == QStringLiteral("true")) return true;
  if (text == QStringLiteral("false")) return false;
  return fallback;
}

}  // namespace

ChartOptions ChartOptions::load(const QSettings& q) {
  ChartOptions o;
  bool ok = false;
  const double smoothing = q.value(QStringLiteral("charts/smoothing")).toDouble(&ok);
  if (ok && smoothing >= 0 && smoothing <= kMaxSmoothing) o.smoothing = smoothing;
  o.logLossAxis = flag(q, QStringLiteral("charts/logLossAxis"), o.logLossAxis);
  o.classAccuracy = flag(q, QStringLiteral("charts/classAccuracy"), o.classAccuracy);
  o.previousShown = flag(q, QStringLiteral("charts/previousShown"), o.previousShown);
  return o;
}

void ChartOptions::save(QSettings& q) const {
  q.setValue(QStringLiteral("charts/smoothing"), smoothing);
  q.setValue(QStringLiteral("charts/logLossAxis"), logLossAxis);
  q.setValue(QStringLiteral("charts/classAccuracy"), classAccuracy);
  q.setValue(QStringLiteral("charts/previousShown"), previousShown);
}
