#include "ensemble/misclassification_filter_model.h"

#include "ensemble/misclassification_model.h"

#include <cmath>
#include <limits>

MisclassificationFilterModel::MisclassificationFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent) {
  setSortRole(MisclassificationModel::SortRole);
  sort(MisclassificationModel::WrongColumn, Qt::DescendingOrder);
}

void MisclassificationFilterModel::setSourceModel(QAbstractItemModel* model) {
  m_source = qobject_cast<const MisclassificationModel*>(model);
  Q_ASSERT(m_source || !model);
  QSortFilterProxyModel::setSourceModel(model);
}

void MisclassificationFilterModel::refilter() {
  Q_EMIT filtersAboutToChange();
  invalidateFilter();
  Q_EMIT filtersChanged();
}

void MisclassificationFilterModel::setTrueLabel(int label) {
  if (label == m_trueLabel) return;
  m_trueLabel = label;
  refilter();
}

void MisclassificationFilterModel::setWrongLabel(int label) {
  if (label == m_wrongLabel) return;
  m_wrongLabel = label;
  refilter();
}

void MisclassificationFilterModel::setMinimumWrong(int count) {
  if (count == m_minimumWrong) return;
  m_minimumWrong = count;
  refilter();
}

void MisclassificationFilterModel::setLabels(int trueLabel, int wrongLabel) {
  if (trueLabel == m_trueLabel && wrongLabel == m_wrongLabel) return;
  m_trueLabel = trueLabel;
  m_wrongLabel = wrongLabel;
  refilter();
}

int MisclassificationFilterModel::imageAt(int row) const {
  return mapToSource(index(row, 0)).row();
}

bool MisclassificationFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex&) const {
  const EnsembleRun& run = *m_source->run();
  const cs::ImageStats& s = run.image(sourceRow);
  if (s.wrong < m_minimumWrong) return false;
  if (m_trueLabel >= 0 && s.label != m_trueLabel) return false;
  if (m_wrongLabel >= 0 && (m_wrongLabel == s.label || m_wrongLabel >= run.classes() ||
                            run.votes(sourceRow, m_wrongLabel) == 0))
    return false;
  return true;
}

bool MisclassificationFilterModel::lessThan(const QModelIndex& left,
                                            const QModelIndex& right) const {
  const int a = left.row(), b = right.row(), column = left.column();
  // Not a number (a mean no network answers) sorts below every number: a strict weak order.
  const auto key = [&](int row) {
    const double v = m_source->sortValue(row, column);
    return std::isnan(v) ? -std::numeric_limits<double>::infinity() : v;
  };
  const double x = key(a), y = key(b);
  if (x != y) return x < y;
  // Ties: the default ranking first in either direction (a descending sort swaps the arguments).
  const EnsembleRun& run = *m_source->run();
  return sortOrder() == Qt::AscendingOrder ? run.rank(a) < run.rank(b) : run.rank(a) > run.rank(b);
}

void MisclassificationFilterModel::writeCsv(QTextStream& out) const {
  out << MisclassificationModel::csvHeader().join(QLatin1Char(',')) << '\n';
  for (int row = 0; row < rowCount(); ++row)
    out << m_source->csvRow(imageAt(row)).join(QLatin1Char(',')) << '\n';
}
