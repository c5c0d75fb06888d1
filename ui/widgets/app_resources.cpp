#include "widgets/app_resources.h"

#include <QDir>
#include <QFile>
#include <QString>
#include <QtGlobal>

void initAppResources() {
  static const bool registered = [] {
    Q_INIT_RESOURCE(convscope);
    return true;
  }();
  Q_UNUSED(registered);
}

QString pageStyleSheet() {
  initAppResources();
  QFile file(QStringLiteral(":/ensemble_page.qss"));
  if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
    qWarning("Cannot read %s: %s", qPrintable(file.fileName()), qPrintable(file.errorString()));
    return {};
  }
  return QString::fromUtf8(file.readAll());
}

QString displayPath(const QString& path) {
  const QString home = QDir::homePath();
  if (path == home || path.startsWith(home + QLatin1Char('/')))
    return QDir::toNativeSeparators(QStringLiteral("~") + path.mid(home.size()));
  return QDir::toNativeSeparators(path);
}
