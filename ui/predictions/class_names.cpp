#include "predictions/class_names.h"

#include <QFile>
#include <QFontMetrics>
#include <QtDebug>
#include <algorithm>
#include <stdexcept>

#include "widgets/app_resources.h"

ClassNames::ClassNames(QStringList names) : m_names(std::move(names)) {}

ClassNames ClassNames::forDataset(const std::string& datasetName) {
  QString base = QString::fromStdString(datasetName).toLower();
  for (const QString& part : {QStringLiteral("/train"), QStringLiteral("/test")})
    if (base.endsWith(part)) base.chop(part.size());
  if (base.isEmpty() || base.contains(QLatin1Char('/'))) return {};
  initAppResources();
  QFile file(QStringLiteral(":/datasets/%1.labels").arg(base));
  if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) return {};
  try {
    return ClassNames(parse(QString::fromUtf8(file.readAll())));
  } catch (const std::invalid_argument& e) {  // a broken file shows numbers, and says why
    qWarning("%s: %s", qPrintable(file.fileName()), e.what());
    return {};
  }
}

QStringList ClassNames::parse(const QString& text) {
  QStringList names = text.split(QLatin1Char('\n'));
  for (QString& name : names) name = name.trimmed();
  while (!names.isEmpty() && names.back().isEmpty()) names.removeLast();
  for (qsizetype i = 0; i < names.size(); ++i)
    if (names[i].isEmpty())
      throw std::invalid_argument("label file: line " + std::to_string(i + 1) +
                                  " is blank (one class name per line, in label order)");
  return names;
}

QString ClassNames::name(int label) const {
  return label >= 0 && label < m_names.size() ? m_names[label] : QString::number(label);
}

int ClassNames::widestName(int classes, const QFontMetrics& metrics) const {
  int widest = 0;
  for (int c = 0; c < classes; ++c) widest = std::max(widest, metrics.horizontalAdvance(name(c)));
  return widest;
}
