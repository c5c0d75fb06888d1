// Box plots of each configuration's final network accuracies, one box per configuration in the
// order given (the table's sort order): whiskers at the minimum and maximum, the box from the
// first to the third quartile, the line at the median.
#pragma once

#include <QWidget>
#include <vector>

#include "sweep/sweep_data.h"

class CompactChartView;
class QBoxPlotSeries;
class QChart;

class SweepBoxChart : public QWidget {
  Q_OBJECT

 public:
  explicit SweepBoxChart(QWidget* parent = nullptr);

  // Configurations without networks are left out.
  void setConfigs(const std::vector<const SweepConfigResult*>& configs);

  QChart* chart() const { return m_chart; }
  CompactChartView* view() const { return m_view; }
  QBoxPlotSeries* series() const { return m_series; }  // null when nothing is shown

 private:
  QChart* m_chart;
  CompactChartView* m_view;
  QBoxPlotSeries* m_series = nullptr;
};
