// The names a dataset gives its classes, for display. They come from the resource
// :/datasets/<dataset>.labels, where <dataset> is the dataset's name without its "/train" or
// "/test" part and any folders before its last ("fashion-mnist/test" and
// "/usr/share/datasets/fashion-mnist/test" read fashion-mnist.labels): one line per class in label
// order, its name, then optionally a tab and a short name of at most five characters for narrow
// places (matrix columns, probability bars). A dataset without such a file, and any label the
// file does not name, shows its number.
#pragma once

#include <QMetaType>
#include <QStringList>
#include <string>

class QFontMetrics;

class ClassNames {
 public:
  static constexpr int kMaxShortName = 5;

  ClassNames() = default;  // numbers only
  // `shortNames` may be empty or shorter (the names stand in).
  explicit ClassNames(QStringList names, QStringList shortNames = {});

  // The names of the dataset called `datasetName` ("mnist/test", "fashion-mnist/train", …).
  static ClassNames forDataset(const std::string& datasetName);
  // A label file's text (see above); surrounding spaces are trimmed and trailing blank lines
  // dropped. Throws std::invalid_argument, naming the line, for a blank name within the file or a
  // short name longer than kMaxShortName.
  static ClassNames parse(const QString& text);

  QString name(int label) const;
  QString shortName(int label) const;
  // The widest name (or short name) of labels 0..classes-1 in `metrics`' font, in pixels.
  int widestName(int classes, const QFontMetrics& metrics) const;
  int widestShortName(int classes, const QFontMetrics& metrics) const;
  bool isEmpty() const { return m_names.isEmpty(); }
  bool operator==(const ClassNames& other) const {
    return m_names == other.m_names && m_short == other.m_short;
  }

 private:
  QStringList m_names;
  QStringList m_short;
};

Q_DECLARE_METATYPE(ClassNames)
