// The live charts: training loss per step (raw, faint, and smoothed over it, with a Smoothing
// slider as in TensorBoard) with the validation loss of every evaluation on the same axes, and
// validation (and training) accuracy per epoch on an axis fitted to them. A timer redraws them
// from the MetricsHistory when it changed; zoom with the mouse; export to PNG and SVG. Above them,
// a one-line warning while the last evaluation says the network is not learning. The loss axis
// can be logarithmic (context menu), for a loss that spans decades or spiked early. The run before
// this one stays on both charts, dashed and gray, for comparison, keyed by the smoothing slider
// ("╌ previous run (adam lr=0.003)": what set it apart), until the context menu hides it. Where
// the learning rate moves (a schedule, a rate set while paused) the loss chart also draws the rate
// of each step, on an axis at its right. The accuracy chart's context menu draws the validation
// accuracy of each class instead of the training accuracies (ClassAccuracyLines).
#pragma once

#include <QList>
#include <QPointF>
#include <QTimer>
#include <QWidget>

#include "charts/chart_options.h"
#include "predictions/class_names.h"
#include "training/metrics_history.h"
#include "training/training_types.h"

class ClassAccuracyLines;
class ElidedLabel;
class QChart;
class QLayout;
class QSlider;
class QLineSeries;
class QLogValueAxis;
class QScatterSeries;
class QValueAxis;
class ZoomableChartView;

class TrainingCharts : public QWidget {
  Q_OBJECT

 public:
  // Per series; longer histories are thinned (about one point per pixel of a wide chart: every
  // redraw maps and strokes each point, on the UI thread, while training runs).
  static constexpr int kMaxPlottedPoints = 1200;
  static constexpr int kRefreshMs = 500;
  // Up to this many steps, the smoothed loss and batch accuracy mark each point.
  static constexpr size_t kMarkedSteps = 20;
  static constexpr int kSmoothingSteps = 100;      // the slider's resolution: 0.00 .. 0.99
  static constexpr double kAccuracyPadding = 0.1;  // of the accuracies' span, each side
  static constexpr double kMinAccuracySpan = 1.0;  // percentage points

  explicit TrainingCharts(const MetricsHistory* history, QWidget* parent = nullptr);

  // Redraws now if the history changed since the last redraw (the timer calls this).
  void refresh();
  void resetZoom();
  bool exportPng(const QString& path, QString* error = nullptr);
  bool exportSvg(const QString& path, QString* error = nullptr);

  // The weight of the past in the loss's moving average, 0 .. 0.99 (the slider).
  double smoothing() const;
  void setSmoothing(double weight);

  // The view options a user sets (ChartOptions); optionsChanged() says when one changes.
  ChartOptions options() const;
  void setOptions(const ChartOptions& options);

  // Plotted point counts, for tests and the smoke check.
  int plottedLossPoints() const;
  int plottedEvaluationPoints() const;
  QList<QPointF> plottedSmoothedLoss() const;
  QList<QPointF> plottedLearningRates() const;  // empty and hidden under a constant rate
  QPointF accuracyRange() const;                // (min, max) of the accuracy axis
  QString warning() const;                      // the warning shown above the charts ("" when none)

  // The loss on a base-10 logarithmic axis (from the decade below the lowest loss plotted to the
  // one above the highest) instead of a linear one from 0.
  void setLogLossAxis(bool on);
  bool logLossAxis() const { return m_logLoss; }
  QPointF lossRange() const;  // (min, max) of the loss axis in use

  // The run's learning history (null: none yet) and its classes, for the accuracy of each class.
  void setLearningHistory(HistoryPtr history, int classes, ClassNames names);
  // The validation accuracy of each class on the accuracy chart, in place of the training
  // accuracies (the context menu's "Accuracy of each class").
  void setClassAccuracyShown(bool shown);
  bool classAccuracyShown() const;
  QList<QPointF> plottedClassAccuracy(int c) const;

  // The current run's description ("c5x8:… · adam lr=0.001 · batch 64"), which names it once it
  // is the previous run.
  void setRunDescription(const QString& description);
  // The current run becomes the previous one (before its history is cleared for the next); a run
  // without a step or evaluation leaves the one before in place.
  void keepPrevious();
  void setPreviousShown(bool shown);
  bool previousShown() const { return m_previousShown; }
  QString previousName() const;  // "╌ previous run (adam lr=0.003)" while shown, else ""
  QList<QPointF> plottedPreviousLoss() const;
  QList<QPointF> plottedPreviousAccuracy() const;
  // "adam lr=0.003": the fields of `previous` (a run description, fields joined by " · ") that
  // `current` does not have, and "no shift" ("no label smoothing") when only `current` has a
  // random shift (a label smoothing); "" when none.
  static QString differingFields(const QString& previous, const QString& current);

 Q_SIGNALS:
  void exportPngRequested();
  void exportSvgRequested();
  void optionsChanged();

 private:
  void buildLossChart();
  void buildAccuracyChart();
  QLayout* buildSmoothingRow();
  void addContextActions(ZoomableChartView* view);
  void redraw();

  void showWarning();
  void addPreviousAction(ZoomableChartView* view);

  const MetricsHistory* m_history;
  ElidedLabel* m_warning = nullptr;  // one line (the window must fit 1280x720), whole in its tip
  long long m_drawnRevision = -1;
  QTimer m_timer;
  ZoomableChartView* m_lossView = nullptr;
  ZoomableChartView* m_accuracyView = nullptr;
  QSlider* m_smoothing = nullptr;
  QLineSeries* m_rawLoss = nullptr;
  QLineSeries* m_smoothLoss = nullptr;
  QLineSeries* m_valLoss = nullptr;
  QScatterSeries* m_valLossPoints = nullptr;
  QLineSeries* m_valAccuracy = nullptr;
  QScatterSeries* m_valAccuracyPoints = nullptr;
  QLineSeries* m_trainAccuracy = nullptr;
  QLineSeries* m_batchAccuracy = nullptr;
  QValueAxis* m_lossX = nullptr;
  QValueAxis* m_lossY = nullptr;
  QLogValueAxis* m_lossLogY = nullptr;  // in place of m_lossY while m_logLoss
  QLineSeries* m_learningRate = nullptr;
  QValueAxis* m_rateAxis = nullptr;  // on the loss chart's right
  bool m_logLoss = false;
  QValueAxis* m_accuracyX = nullptr;
  QValueAxis* m_accuracyY = nullptr;
  ClassAccuracyLines* m_classLines = nullptr;
  MetricsHistory m_previous;  // empty until a run is kept
  QString m_runDescription, m_previousDescription;
  bool m_previousShown = true;
  QLineSeries* m_previousLoss = nullptr;      // smoothed, as the current run's
  QLineSeries* m_previousAccuracy = nullptr;  // validation
  ElidedLabel* m_previousNote = nullptr;      // its key, by the smoothing slider
};
