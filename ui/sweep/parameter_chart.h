// Accuracy against one swept parameter: every network's final accuracy as a point over the
// parameter's value (configurations that share a value side by side), and the mean of those
// points per value as a line. The parameter is picked in the combo box above the chart.
#pragma once

#include <QWidget>

#include "sweep/sweep_data.h"

class CompactChartView;
class QChart;
class QComboBox;
class QLineSeries;
class QScatterSeries;

class ParameterChart : public QWidget {
  Q_OBJECT

 public:
  explicit ParameterChart(QWidget* parent = nullptr);

  void setSweep(SweepDataPtr sweep);  // keeps the parameter when the new sweep has it
  void setParameter(const QString& name);
  QString parameter() const;

  QComboBox* parameterBox() const { return m_parameter; }
  QChart* chart() const { return m_chart; }
  CompactChartView* view() const { return m_view; }
  QScatterSeries* points() const { return m_points; }  // null when nothing is shown
  QLineSeries* means() const { return m_means; }

 private:
  void rebuild();

  SweepDataPtr m_sweep;
  QComboBox* m_parameter;
  QChart* m_chart;
  CompactChartView* m_view;
  QScatterSeries* m_points = nullptr;
  QLineSeries* m_means = nullptr;
};
