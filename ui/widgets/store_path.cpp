#include "widgets/store_path.h"

#include <QDir>
#include <QFileInfo>

bool sameStorePath(const QString& a, const QString& b) {
  const QFileInfo x(a), y(b);
  if (x.exists() && y.exists()) return x.canonicalFilePath() == y.canonicalFilePath();
  return QDir::cleanPath(x.absoluteFilePath()) == QDir::cleanPath(y.absoluteFilePath());
}
