// The validation accuracy of every network of an ensemble, as three Qt Charts: the networks as
// bars sorted by accuracy, with the mean ± one standard deviation and the ensemble vote as lines;
// a histogram; and each class's accuracies as a box over the networks (whiskers at the minimum
// and maximum, the box from the first to the third quartile, the line at the median) with the
// vote's as a point: which digits the networks find hard and how far they differ on them (a click
// on a box asks for that class's images), at the latest epoch or, picked beside the buttons, at
// an earlier one (without the vote there: only the latest epoch's probabilities are kept). Toggle
// buttons switch between them; the chart shown exports to PNG or SVG.
#pragma once

#include <QWidget>

#include "ensemble/ensemble_run.h"

class QButtonGroup;
class QChart;
class CompactChartView;
class QSpinBox;
class QStackedWidget;

class AccuracyCharts : public QWidget {
  Q_OBJECT

 public:
  enum Chart { SortedChart, HistogramChart, ClassChart };

  explicit AccuracyCharts(QWidget* parent = nullptr);

  void setRun(const EnsembleRunPtr& run);  // null clears both charts
  Chart currentChart() const;
  void setCurrentChart(Chart chart);
  CompactChartView* view(Chart chart) const;
  // Bars in a chart (networks, histogram bins, or the classes' boxes), for tests.
  int barCount(Chart chart) const;
  // The epoch the class chart shows (1 .. the run's recorded epochs; the latest when a run opens,
  // and as new epochs come while it was shown); the picker is shown with that chart when there is
  // more than one to pick.
  int classEpoch() const;
  void setClassEpoch(int epoch);
  QSpinBox* classEpochPicker() const { return m_epoch; }

  // The chart shown as a file name's stem: "accuracy-sorted", "accuracy-histogram",
  // "accuracy-by-class".
  QString fileStem() const;
  // The chart shown, as a PNG at twice its size or as an SVG.
  bool exportPng(const QString& path, QString* error = nullptr) const;
  bool exportSvg(const QString& path, QString* error = nullptr) const;

 Q_SIGNALS:
  void exportPngRequested();
  void exportSvgRequested();
  void classActivated(int label);  // a class's box was clicked

 private:
  void fillSorted(const EnsembleRun& run);
  void fillHistogram(const EnsembleRun& run);
  void fillClasses(const EnsembleRun& run);
  void showEpochPicker();
  CompactChartView* newView(const QString& title);

  QButtonGroup* m_toggle;
  QStackedWidget* m_stack;
  CompactChartView* m_sorted;
  CompactChartView* m_histogram;
  CompactChartView* m_classes;
  QSpinBox* m_epoch;
  EnsembleRunPtr m_run;
};
