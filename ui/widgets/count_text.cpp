#include "widgets/count_text.h"

#include <QLocale>

QString countText(long long n, const QString& one, const QString& many) {
  return QStringLiteral("%1 %2").arg(QLocale().toString(n), n == 1 ? one : many);
}
