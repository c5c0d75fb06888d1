// The pieces the live charts are built of (TrainingCharts): series and axes made alike, a
// zoomable chart of line series over two axes, and the updates that keep a redraw cheap (thinned
// points, a series replaced only when its points changed, round ticks, a fitted log axis).
#pragma once

#include <QList>
#include <QPointF>
#include <QString>
#include <initializer_list>
#include <vector>

namespace cs {
struct Distribution;
}

class QAbstractSeries;
class QBoxSet;
class QChart;
class QColor;
class QLineSeries;
class QLogValueAxis;
class QScatterSeries;
class QValueAxis;
class QXYSeries;
class ZoomableChartView;

namespace chart_parts {

// At most about `maxPoints` of `points`, evenly strided, the last one always kept.
QList<QPointF> thinned(const std::vector<QPointF>& points, int maxPoints);
// Replaces the series' points only when they changed: every replace maps all points again.
void replaceIfChanged(QXYSeries* series, const QList<QPointF>& points);
// The points with y raised to at least `floor` (a log axis has no place for 0).
QList<QPointF> atLeast(QList<QPointF> points, double floor);

// A box plot's box of `d` times `scale` (100: shares as percent): whiskers at the minimum and
// maximum, the box from the first to the third quartile, the line at the median.
QBoxSet* distributionBox(const cs::Distribution& d, double scale, const QString& label);

QLineSeries* lineSeries(const QString& name, const QColor& color, qreal width);
QScatterSeries* markerSeries(const QColor& color);
QValueAxis* valueAxis(const QString& title);
// Adds `series` to `chart` over the axes x and y, which the chart has.
void attach(QChart* chart, QAbstractSeries* series, QValueAxis* x, QValueAxis* y);
// A zoomable chart titled `title` of the `lines` and then the `markers` over the axes x (bottom)
// and y (left); the markers stay out of the legend (their line names them).
ZoomableChartView* chartView(const QString& title, QValueAxis* x, QValueAxis* y,
                             std::initializer_list<QLineSeries*> lines, QScatterSeries* markers);

// Ticks at round multiples of a 1-2-5 step chosen for about `ticks` intervals over [min, max].
void roundTicks(QValueAxis* axis, double max, int ticks);
// From the decade at or below the series' lowest y to the one above their highest.
void fitLogAxis(QLogValueAxis* axis, std::initializer_list<const QXYSeries*> series);
// The same for values from `lo` to `hi` (both above 0).
void fitLogAxis(QLogValueAxis* axis, double lo, double hi);

}  // namespace chart_parts
