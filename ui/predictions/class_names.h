// The names a dataset gives its classes, for display. They come from the resource
// :/datasets/<dataset>.labels, one name per line in label order, where <dataset> is the dataset's
// name without its "/train" or "/test" part ("fashion-mnist/test" reads fashion-mnist.labels).
// A dataset without such a file, and any label the file does not name, shows its number.
#pragma once

#include <QMetaType>
#include <QStringList>
#include <string>

class ClassNames {
 public:
  ClassNames() = default;  // numbers only
  explicit ClassNames(QStringList names);

  // The names of the dataset called `datasetName` ("mnist/test", "fashion-mnist/train", …).
  static ClassNames forDataset(const std::string& datasetName);
  // A label file's names: one per line, surrounding spaces trimmed, trailing blank lines dropped.
  // Throws std::invalid_argument, naming the line, when a name within the file is blank.
  static QStringList parse(const QString& text);

  QString name(int label) const;
  // The widest name of labels 0..classes-1 in `metrics`' font, in pixels.
  int widestName(int classes, const class QFontMetrics& metrics) const;
  bool isEmpty() const { return m_names.isEmpty(); }
  bool operator==(const ClassNames& other) const { return m_names == other.m_names; }

 private:
  QStringList m_names;
};

Q_DECLARE_METATYPE(ClassNames)
