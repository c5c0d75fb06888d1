// The run store's times ("2024-05-01T12:34:56.789Z", in UTC) as every view shows them: in local
// time, whole in texts and tool tips, short in a list's Created column.
#pragma once

#include <QDate>
#include <QString>

namespace store_time {

// "2024-05-01 14:34"; the text itself when it does not parse.
QString full(const QString& iso);
// Short enough for a list's column on a 1366-wide screen: "1 May 14:34" in the year of `today`,
// "2024-05-01" in another; the text itself when it does not parse.
QString brief(const QString& iso, QDate today = QDate::currentDate());

}  // namespace store_time
