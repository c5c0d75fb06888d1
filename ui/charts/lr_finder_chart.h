// The learning-rate finder's chart: each step's loss (faint) and its smoothed loss (strong)
// against the learning rate on a logarithmic axis, which spans the decades of the test's range
// from the start, so the curve grows across it. Once there is a suggestion, a dashed vertical line
// marks it. Drag to zoom, double-click to zoom out.
#pragma once

#include <QList>
#include <QPointF>
#include <QWidget>

#include "training/lr_finder_types.h"

class QLineSeries;
class QLogValueAxis;
class QValueAxis;
class ZoomableChartView;

class LrFinderChart : public QWidget {
  Q_OBJECT

 public:
  explicit LrFinderChart(QWidget* parent = nullptr);

  // A new test from `minLr` to `maxLr`: no points, no marker.
  void start(double minLr, double maxLr);
  void addPoints(const LrFinderPoints& points);
  // The marker at `lr`; 0 removes it.
  void setSuggestion(double lr);

  // What is drawn, for tests: (rate, loss) of each step, raw and smoothed; the marker's ends.
  QList<QPointF> rawPoints() const;
  QList<QPointF> smoothedPoints() const;
  QList<QPointF> markerPoints() const;
  double suggestion() const { return m_suggestion; }
  QPointF rateRange() const;  // (min, max) of the logarithmic axis
  QPointF lossRange() const;
  ZoomableChartView* view() const { return m_view; }

 private:
  // The loss axis over the smoothed loss and the raw loss up to 1.5 times the highest smoothed
  // one (a last spike before divergence would flatten the curve); then the marker across it.
  void fitLossAxis();
  void placeMarker();

  QLogValueAxis* m_x;
  QValueAxis* m_y;
  QLineSeries* m_raw;
  QLineSeries* m_smoothed;
  QLineSeries* m_marker;
  ZoomableChartView* m_view;
  QList<QPointF> m_rawPoints, m_smoothedPoints;  // the series' points, kept to replace them whole
  double m_suggestion = 0;
  double m_smoothedMin = 0, m_smoothedMax = 0, m_rawMin = 0, m_rawMax = 0;  // with points
  bool m_empty = true;
};
