#include "charts/chart_options.h"

#include <QSettings>

#include "settings/stored_value.h"

ChartOptions ChartOptions::load(const QSettings& q) {
  using namespace stored_value;
  ChartOptions o;
  o.smoothing =
      number(q, QStringLiteral("charts/smoothing"), 0, kMaxSmoothing).value_or(o.smoothing);
  o.logLossAxis = flag(q, QStringLiteral("charts/logLossAxis")).value_or(o.logLossAxis);
  o.classAccuracy = flag(q, QStringLiteral("charts/classAccuracy")).value_or(o.classAccuracy);
  o.previousShown = flag(q, QStringLiteral("charts/previousShown")).value_or(o.previousShown);
  return o;
}

void ChartOptions::save(QSettings& q) const {
  q.setValue(QStringLiteral("charts/smoothing"), smoothing);
  q.setValue(QStringLiteral("charts/logLossAxis"), logLossAxis);
  q.setValue(QStringLiteral("charts/classAccuracy"), classAccuracy);
  q.setValue(QStringLiteral("charts/previousShown"), previousShown);
}
