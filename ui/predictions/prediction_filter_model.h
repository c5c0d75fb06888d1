// Which validation images the grid shows and in what order: all, the misclassified ones, one true
// digit, one predicted digit, one confusion-matrix cell, the ones forgotten at least once or the
// ones never learned; by index, confidence, loss, or from the learning history: times forgotten,
// the pass first learned (latest first, never learned before all) or the pass stable since
// (wrong now first, then the most recently settled).
#pragma once

#include <QSortFilterProxyModel>

class PredictionModel;

enum class PredictionFilter {
  All,
  Misclassified,
  TrueLabel,
  PredictedLabel,
  ConfusionCell,
  Forgotten,
  NeverLearned
};
enum class PredictionOrder {
  Index,
  MostConfident,
  LeastConfident,
  HighestLoss,
  MostForgotten,
  LearnedLatest,
  StableLatest
};

// Whether the filter needs predictions / a learning history to show anything.
bool needsPredictions(PredictionFilter filter);
bool needsHistory(PredictionFilter filter);

class PredictionFilterModel : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  explicit PredictionFilterModel(QObject* parent = nullptr);

  void setPredictionModel(PredictionModel* model);
  // `trueLabel` / `predictedLabel` are used by the filters that name them.
  void setFilter(PredictionFilter filter, int trueLabel = -1, int predictedLabel = -1);
  PredictionFilter filter() const { return m_filter; }
  int filterTrueLabel() const { return m_trueLabel; }
  int filterPredictedLabel() const { return m_predictedLabel; }
  void setOrder(PredictionOrder order);
  PredictionOrder order() const { return m_order; }

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
  bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

 private:
  double sortKey(int row) const;  // ascending key: higher-ranked rows compare smaller

  const PredictionModel* m_source = nullptr;
  PredictionFilter m_filter = PredictionFilter::All;
  int m_trueLabel = -1;
  int m_predictedLabel = -1;
  PredictionOrder m_order = PredictionOrder::Index;
};
