// The Layer statistics panel: one line per layer with weights over the run's steps, on a
// logarithmic axis, of the statistic chosen above it (LayerStats: the update ratio of one step,
// the gradient's RMS, the weights' RMS), the steps axis from the first point shown; or, for one
// layer chosen beside it, the distribution of its weights or of its gradient over the steps
// (DistributionChart). A timer redraws it when the statistics changed; drag to zoom,
// double-click to zoom out.
#pragma once

#include <QList>
#include <QPointF>
#include <QTimer>
#include <QWidget>
#include <vector>

class DistributionChart;
class LayerStats;
class QChart;
class QComboBox;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QStackedWidget;
class QValueAxis;
class ZoomableChartView;

class LayerStatsChart : public QWidget {
  Q_OBJECT

 public:
  enum Statistic { UpdateRatio, GradientRms, WeightRms, WeightDistribution, GradientDistribution };
  static constexpr int kRefreshMs = 500;
  static constexpr int kMaxPlottedPoints = 1200;  // per layer, as the training charts'

  explicit LayerStatsChart(const LayerStats* stats, QWidget* parent = nullptr);

  Statistic statistic() const;
  void setStatistic(Statistic statistic);
  // The layer a distribution is drawn for (an index into LayerStats' layers).
  int distributionLayer() const;
  void setDistributionLayer(int layer);
  DistributionChart* distributionChart() const { return m_distribution; }
  // Redraws now if the statistics changed since the last redraw (the timer calls this).
  void refresh();

  // What is drawn, for tests: the layers' names and each one's points.
  QStringList plottedLayers() const;
  QList<QPointF> plottedPoints(int layer) const;
  QPointF valueRange() const;  // (min, max) of the logarithmic axis
  QPointF stepRange() const;   // (min, max) of the steps axis

 private:
  void redraw();
  void redrawDistribution();
  void rebuildSeries();
  void showStatistic();

  const LayerStats* m_stats;
  QComboBox* m_statistic;
  QComboBox* m_layer;  // shown for the distributions
  QLabel* m_note;
  QStackedWidget* m_stack;  // m_view, or m_distribution
  ZoomableChartView* m_view;
  DistributionChart* m_distribution;
  QChart* m_chart;
  QValueAxis* m_x;
  QLogValueAxis* m_y;
  std::vector<QLineSeries*> m_series;  // one per layer
  long long m_drawnRevision = -1;
  QTimer m_timer;
};
