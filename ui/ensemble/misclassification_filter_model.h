// Which rows of the misclassification table show, and in what order. Filters: a true label, a
// wrong label (images that at least one network took for it) and a minimum wrong count. Sorting
// compares the run's raw numbers (no QVariant) and breaks ties by the default ranking, most often
// wrong first in either direction; the default order is wrong count descending, which is that
// ranking (ties by lower mean true probability, then index).
#pragma once

#include <QSortFilterProxyModel>
#include <QTextStream>

class MisclassificationModel;

class MisclassificationFilterModel : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  explicit MisclassificationFilterModel(QObject* parent = nullptr);

  // `model` must be a MisclassificationModel.
  void setSourceModel(QAbstractItemModel* model) override;

  // -1 (any) or a label. Each re-filters at once.
  void setTrueLabel(int label);
  void setWrongLabel(int label);
  void setMinimumWrong(int count);  // 0 shows every image
  // Both labels at once (one re-filter): a confusion-matrix cell.
  void setLabels(int trueLabel, int wrongLabel);
  int trueLabel() const { return m_trueLabel; }
  int wrongLabel() const { return m_wrongLabel; }
  int minimumWrong() const { return m_minimumWrong; }

  // The source row behind proxy row `row`.
  int imageAt(int row) const;

  // Every shown row, in the shown order, with a header line (see MisclassificationModel::csvRow).
  void writeCsv(QTextStream& out) const;

 Q_SIGNALS:
  void filtersAboutToChange();  // the rows are still the old ones
  void filtersChanged();

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
  bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

 private:
  void refilter();

  const MisclassificationModel* m_source = nullptr;
  int m_trueLabel = -1;
  int m_wrongLabel = -1;
  int m_minimumWrong = 0;
};
