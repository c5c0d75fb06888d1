#include "settings/stored_value.h"

#include <QSettings>
#include <algorithm>
#include <cmath>

namespace stored_value {

std::optional<double> number(const QSettings& q, const QString& key, double lo, double hi) {
  bool ok = false;
  const double v = q.value(key).toDouble(&ok);
  if (!ok || !(v >= lo && v <= hi)) return std::nullopt;
  return v;
}

double clamped(const QSettings& q, const QString& key, double fallback, double lo, double hi) {
  bool ok = false;
  const double v = q.value(key).toDouble(&ok);
  return ok && !std::isnan(v) ? std::clamp(v, lo, hi) : fallback;
}

int clamped(const QSettings& q, const QString& key, int fallback, int lo, int hi) {
  const double v = clamped(q, key, static_cast<double>(fallback), static_cast<double>(lo),
                           static_cast<double>(hi));
  return static_cast<int>(std::lround(v));
}

std::optional<bool> flag(const QSettings& q, const QString& key) {
  const QString text = q.value(key).toString();
  if (text == QStringLiteral("true")) return true;
  if (text == QStringLiteral("false")) return false;
  return std::nullopt;
}

}  // namespace stored_value
