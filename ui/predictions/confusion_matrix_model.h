// A confusion matrix fed with counts: rows are true labels, columns predicted labels. The live
// view counts one network's predictions of the validation set (recount()); the Ensemble view
// gives every network's top-1 counts summed (`perImage` = networks). The diagonal is tinted by its
// share of the row, the other cells by what they show relative to the largest mix-up: counts, or
// shares of the row; in the app's right and wrong colours (ui/widgets/palette.h). Each class's
// precision and recall are in its headers' tool tips and, with F1, in writeCsv(): a
// classification report. The cells show the counts, or each row's shares in percent
// (scikit-learn's normalize="true"), which compare classes of different sizes and an ensemble's
// summed counts at a glance.
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "predictions/class_names.h"

class QTextStream;

class PredictionModel;

class ConfusionMatrixModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Role { CountRole = Qt::UserRole + 1, RowShareRole };
  enum class Cells { Counts, RowPercent };

  explicit ConfusionMatrixModel(QObject* parent = nullptr);

  // (classes, classes) counts, row-major; `perImage` predictions were made of each image. One
  // reset; no counts clear the matrix. Throws std::invalid_argument when the sizes do not fit.
  void setCounts(int classes, std::vector<long long> counts, int perImage = 1);
  // The counts of the predictions' latest evaluation; empty without one.
  void recount(const PredictionModel& predictions);
  // Names for the headers and tooltips (numbers by default); updates the headers.
  void setClassNames(ClassNames names);
  const ClassNames& classNames() const { return m_names; }
  // What the cells show, and what tints the mix-ups; the tool tips and roles stay the same.
  void setCells(Cells cells);
  Cells cells() const { return m_cells; }

  long long count(int trueLabel, int predicted) const;
  int classes() const { return m_classes; }
  // Of the images of class c, the share predicted c; of the predictions of c, the share right. NaN
  // where there are none.
  double recall(int c) const;
  double precision(int c) const;
  // One row a class: class,name,support,predicted,right,precision,recall,f1 (support: the
  // predictions of its images; precision, recall and F1 empty where undefined).
  void writeCsv(QTextStream& out) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

  // At most four characters below 10 billion: 1234 → "1234", 56789 → "57k", 2500000 → "2.5M",
  // 123456789 → "123M".
  static QString compact(long long n);
  // A share of a row in percent, at most four characters: 1 → "100", 0.9714 → "97.1",
  // 0.0004 → "<0.1" (0 is an empty cell).
  static QString percent(double share);

 private:
  long long rowTotal(int trueLabel) const { return m_rowTotals[trueLabel]; }
  long long columnTotal(int predicted) const { return m_columnTotals[predicted]; }
  double rowShare(int trueLabel, int predicted) const;  // 0 for an empty row
  QString headerToolTip(int section, Qt::Orientation orientation) const;
  // 0..1: the diagonal by the share of its row, the rest by count (share of the row, in
  // RowPercent) relative to the largest mix-up's.
  double tint(int trueLabel, int predicted) const;
  QString cellToolTip(int trueLabel, int predicted) const;

  int m_classes = 0;
  int m_perImage = 1;
  std::vector<long long> m_counts;  // (classes, classes) row-major
  std::vector<long long> m_rowTotals;
  std::vector<long long> m_columnTotals;
  long long m_maxOffDiagonal = 0;
  double m_maxOffDiagonalShare = 0;  // of its row
  ClassNames m_names;
  Cells m_cells = Cells::Counts;
};
