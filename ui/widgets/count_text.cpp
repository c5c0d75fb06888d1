#include "widgets/count_text.h"

#include <QCoreApplication>
#include <QLocale>

QString countText(long long n, const QString& one, const QString& many) {
  return QStringLiteral("%1 %2").arg(QLocale().toString(n), n == 1 ? one : many);
}

QString numberText(double value, int decimals) {
  return QLocale().toString(value, 'f', decimals);
}

QString percentText(double share, int decimals) {
  return numberText(100 * share, decimals) + QLatin1Char('%');
}

QString forgottenText(long long times) {
  const auto tr = [](const char* text) { return QCoreApplication::translate("CountText", text); };
  if (times == 0) return tr("never forgotten");
  return tr("forgotten %1").arg(countText(times, tr("time"), tr("times")));
}

QString sentence(const QString& clause) {
  if (clause.isEmpty()) return {};
  return clause.left(1).toUpper() + clause.mid(1) + QLatin1Char('.');
}
