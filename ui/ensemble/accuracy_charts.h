// The validation accuracy of every network of an ensemble, as two Qt Charts: the networks as bars
// sorted by accuracy, with the mean ± one standard deviation and the ensemble vote as lines, and
// a histogram. Two toggle buttons switch between them; the chart shown exports to PNG or SVG.
#pragma once

#include <QWidget>

#include "ensemble/ensemble_run.h"

class QButtonGroup;
class QChart;
class CompactChartView;
class QStackedWidget;

class AccuracyCharts : public QWidget {
  Q_OBJECT

 public:
  enum Chart { SortedChart, HistogramChart };

  explicit AccuracyCharts(QWidget* parent = nullptr);

  void setRun(const EnsembleRunPtr& run);  // null clears both charts
  Chart currentChart() const;
  void setCurrentChart(Chart chart);
  CompactChartView* view(Chart chart) const;
  // Bars in a chart (networks, or histogram bins), for tests.
  int barCount(Chart chart) const;

  // The chart shown, as a PNG at twice its size or as an SVG.
  bool exportPng(const QString& path, QString* error = nullptr) const;
  bool exportSvg(const QString& path, QString* error = nullptr) const;

 Q_SIGNALS:
  void exportPngRequested();
  void exportSvgRequested();

 private:
  void fillSorted(const EnsembleRun& run);
  void fillHistogram(const EnsembleRun& run);
  CompactChartView* newView(const QString& title);

  QButtonGroup* m_toggle;
  QStackedWidget* m_stack;
  CompactChartView* m_sorted;
  CompactChartView* m_histogram;
};
