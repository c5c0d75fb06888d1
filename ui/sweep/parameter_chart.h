// Accuracy against one swept parameter: every network's final accuracy as a point over the
// parameter's value, and the mean of those points per value as a line. Where other parameters
// are swept too, the configurations that share their values are a group, in a colour of its own
// named in the legend ("optimizer=sgd"), side by side within each value and with a line of its
// own. The parameter is picked in the combo box above the chart. An unfinished configuration's
// networks are plotted at their latest epoch, and the title then says "Latest" and how many.
#pragma once

#include <QList>
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
  // Per group, in the legend's order; empty when nothing is shown.
  const QList<QScatterSeries*>& points() const { return m_points; }
  const QList<QLineSeries*>& means() const { return m_means; }

 private:
  void rebuild();

  SweepDataPtr m_sweep;
  QComboBox* m_parameter;
  QChart* m_chart;
  CompactChartView* m_view;
  QList<QScatterSeries*> m_points;
  QList<QLineSeries*> m_means;
};
