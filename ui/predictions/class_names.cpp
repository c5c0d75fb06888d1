#include "predictions/class_names.h"

#include <QDir>
#include <QFile>
#include <QFontMetrics>
#include <QtDebug>
#include <algorithm>
#include <stdexcept>

#include "convscope/dataset.h"
#include "widgets/app_resources.h"

ClassNames::ClassNames(QStringList names, QStringList shortNames)
    : m_names(std::move(names)), m_short(std::move(shortNames)) {}

ClassNames ClassNames::forDataset(const std::string& datasetName) {
  const std::string lower = QString::fromStdString(datasetName).toLower().toStdString();
  // A folder named by its path (as the app, the command line and sweeps name one) goes by its own
  // name: "/usr/share/datasets/fashion-mnist" is fashion-mnist (as runs stored before named it).
  const QString base =
      QDir::cleanPath(QString::fromStdString(cs::dataset_name_of(lower))).section('/', -1);
  if (base.isEmpty()) return {};
  initAppResources();
  QFile file(QStringLiteral(":/datasets/%1.labels").arg(base));
  if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) return {};
  try {
    return parse(QString::fromUtf8(file.readAll()));
  } catch (const std::invalid_argument& e) {  // a broken file shows numbers, and says why
    qWarning("%s: %s", qPrintable(file.fileName()), e.what());
    return {};
  }
}

ClassNames ClassNames::parse(const QString& text) {
  QStringList lines = text.split(QLatin1Char('\n'));
  while (!lines.isEmpty() && lines.back().trimmed().isEmpty()) lines.removeLast();
  QStringList names, shortNames;
  for (qsizetype i = 0; i < lines.size(); ++i) {
    const QString where = QStringLiteral("label file line %1: ").arg(i + 1);
    const QStringList fields = lines[i].split(QLatin1Char('\t'));
    const QString name = fields.front().trimmed();
    const QString shortName = fields.size() > 1 ? fields[1].trimmed() : name;
    if (name.isEmpty())
      throw std::invalid_argument(
          (where + QStringLiteral("no class name (one a line, in label order)")).toStdString());
    if (fields.size() > 1 && (shortName.isEmpty() || shortName.size() > kMaxShortName))
      throw std::invalid_argument(
          (where + QStringLiteral("the short name \"%1\" is not 1 to %2 characters")
                       .arg(shortName)
                       .arg(kMaxShortName))
              .toStdString());
    names << name;
    shortNames << shortName;
  }
  return ClassNames(names, shortNames);
}

QString ClassNames::name(int label) const {
  return label >= 0 && label < m_names.size() ? m_names[label] : QString::number(label);
}

QString ClassNames::shortName(int label) const {
  return label >= 0 && label < m_short.size() ? m_short[label] : name(label);
}

int ClassNames::widestName(int classes, const QFontMetrics& metrics) const {
  int widest = 0;
  for (int c = 0; c < classes; ++c) widest = std::max(widest, metrics.horizontalAdvance(name(c)));
  return widest;
}

int ClassNames::widestShortName(int classes, const QFontMetrics& metrics) const {
  int widest = 0;
  for (int c = 0; c < classes; ++c)
    widest = std::max(widest, metrics.horizontalAdvance(shortName(c)));
  return widest;
}
