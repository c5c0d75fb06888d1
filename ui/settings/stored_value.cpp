#include "settings/stored_value.h"

#include <QSettings>

namespace stored_value {

std::optional<double> number(const QSettings& q, const QString& key, double lo, double hi) {
  bool ok = false;
  const double v = q.value(key).toDouble(&ok);
  if (!ok || !(v >= lo && v <= hi)) return std::nullopt;
  return v;
}

std::optional<bool> flag(const QSettings& q, const QString& key) {
  const QString text = q.value(key).toString();
  if (text == QStringLiteral("true")) return true;
  if (text == QStringLiteral("false")) return false;
  return std::nullopt;
}

}  // namespace stored_value
