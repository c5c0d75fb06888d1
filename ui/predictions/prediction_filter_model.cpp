#include "predictions/prediction_filter_model.h"

#include <cmath>

#include "predictions/prediction_model.h"

bool needsPredictions(PredictionFilter filter) {
  return filter != PredictionFilter::All && filter != PredictionFilter::TrueLabel;
}

bool needsHistory(PredictionFilter filter) {
  return filter == PredictionFilter::Forgotten || filter == PredictionFilter::NeverLearned;
}

PredictionFilterModel::PredictionFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
  setDynamicSortFilter(true);
}

void PredictionFilterModel::setPredictionModel(PredictionModel* model) {
  m_source = model;
  setSourceModel(model);
  sort(0, Qt::AscendingOrder);
}

void PredictionFilterModel::setFilter(PredictionFilter filter, int trueLabel, int predictedLabel) {
  if (filter == m_filter && trueLabel == m_trueLabel && predictedLabel == m_predictedLabel) return;
  m_filter = filter;
  m_trueLabel = trueLabel;
  m_predictedLabel = predictedLabel;
  invalidateFilter();
}

void PredictionFilterModel::setOrder(PredictionOrder order) {
  if (order == m_order) return;
  m_order = order;
  invalidate();
  sort(0, Qt::AscendingOrder);
}

bool PredictionFilterModel::filterAcceptsRow(int row, const QModelIndex&) const {
  if (!m_source) return true;
  const bool evaluated = m_source->hasEvaluation();
  switch (m_filter) {
    case PredictionFilter::All:
      return true;
    case PredictionFilter::Misclassified:
      return evaluated && !m_source->correct(row);
    case PredictionFilter::TrueLabel:
      return m_source->trueLabel(row) == m_trueLabel;
    case PredictionFilter::PredictedLabel:
      return m_source->answered(row) && m_source->predicted(row) == m_predictedLabel;
    case PredictionFilter::ConfusionCell:  // as ConfusionMatrixModel counts
      return m_source->answered(row) && m_source->trueLabel(row) == m_trueLabel &&
             m_source->predicted(row) == m_predictedLabel;
    case PredictionFilter::Forgotten:
      return m_source->timesForgotten(row) > 0;
    case PredictionFilter::NeverLearned:
      return m_source->neverLearned(row);
  }
  return true;
}

double PredictionFilterModel::sortKey(int row) const {
  if (!m_source->hasEvaluation()) return 0;
  switch (m_order) {
    case PredictionOrder::Index:
      return 0;
    case PredictionOrder::MostConfident:
      return -m_source->probability(row);
    case PredictionOrder::LeastConfident:
      return m_source->probability(row);
    case PredictionOrder::HighestLoss:
      return -m_source->loss(row);
    case PredictionOrder::MostForgotten:
      return -m_source->timesForgotten(row);
    case PredictionOrder::LearnedLatest:  // never learned (-1) first
      return m_source->neverLearned(row) ? -1e9 : -m_source->firstLearned(row);
    case PredictionOrder::StableLatest:  // wrong now (-1) first
      return m_source->stableSince(row) < 0 ? -1e9 : -m_source->stableSince(row);
  }
  return 0;
}

bool PredictionFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const {
  if (!m_source) return left.row() < right.row();
  // A key that is no number (a probability or loss of a network that overflowed) ranks last: NaN
  // compares false with everything, which no sort can take.
  const auto key = [this](int row) {
    const double k = sortKey(row);
    return std::isnan(k) ? HUGE_VAL : k;
  };
  const double a = key(left.row()), b = key(right.row());
  return a != b ? a < b : left.row() < right.row();  // ties (and Index order) by image index
}
