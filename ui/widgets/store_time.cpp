#include "widgets/store_time.h"

#include <QDateTime>
#include <QLocale>

namespace store_time {
namespace {

QDateTime local(const QString& iso) {
  return QDateTime::fromString(iso, Qt::ISODateWithMs).toLocalTime();
}

}  // namespace

QString full(const QString& iso) {
  const QDateTime t = local(iso);
  return t.isValid() ? t.toString(QStringLiteral("yyyy-MM-dd HH:mm")) : iso;
}

QString brief(const QString& iso, QDate today) {
  const QDateTime t = local(iso);
  if (!t.isValid()) return iso;
  return t.date().year() == today.year() ? QLocale().toString(t, QStringLiteral("d MMM HH:mm"))
                                         : t.toString(QStringLiteral("yyyy-MM-dd"));
}

}  // namespace store_time
