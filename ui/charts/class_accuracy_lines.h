// The accuracy chart's line of each class (TrainingCharts, "Accuracy of each class" in its context
// menu): at every validation pass of the live run, the share of each class's images network 0
// got right (its recall, cs::LearningHistory::class_accuracy() of the run's learning history,
// which is network 0's; the live run has one network), one line per class in its category colour
// and named by its short name. The overall accuracy hides which classes the network learns first
// and which lag; these show it.
#pragma once

#include <QList>
#include <QObject>
#include <QPointF>
#include <vector>

#include "predictions/class_names.h"
#include "training/training_types.h"

class QChart;
class QLineSeries;
class QValueAxis;

class ClassAccuracyLines : public QObject {
  Q_OBJECT

 public:
  static constexpr int kMarkedPasses = 12;  // up to this many passes, each is marked

  // The lines go on `chart`, over its axes `x` (epochs) and `y` (percent).
  ClassAccuracyLines(QChart* chart, QValueAxis* x, QValueAxis* y, QObject* parent = nullptr);

  // The run's learning history and its classes' names; null clears the lines.
  void setHistory(HistoryPtr history, int classes, ClassNames names);
  void setShown(bool shown);
  bool shown() const { return m_shown; }

  // Draws the lines (none while not shown); adds the accuracies drawn to `fit` (percent) and
  // raises `epochMax` to the last pass's epoch, rounded up.
  void update(std::vector<double>* fit, double* epochMax);

  // Class c's points (epoch, percent), for tests; empty while not shown.
  QList<QPointF> points(int c) const;

 private:
  QChart* m_chart;
  QValueAxis* m_x;
  QValueAxis* m_y;
  HistoryPtr m_history;
  int m_classes = 0;
  // m_history's class_accuracy(m_classes), once per history and only while the lines are shown
  std::vector<double> m_shares;
  ClassNames m_names;
  std::vector<QLineSeries*> m_lines;  // one per class, added as classes appear
  bool m_shown = false;
};
