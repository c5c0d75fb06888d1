// A chart view in the app's one chart style (a bold title, narrow margins, square corners, the
// legend below with its cut names whole in tool tips, antialiased) that keeps a short chart
// readable: below kCompactHeight it leaves out the chart's and the axes' titles (the legend still
// names the series), and tick labels are never cut to "…", as Qt Charts does by default when a
// chart is short.
#pragma once

#include <QChartView>

class CompactChartView : public QChartView {
  Q_OBJECT

 public:
  static constexpr int kCompactHeight = 240;
  static constexpr int kMinHeight = 158;  // below it Qt Charts elides the axis labels

  explicit CompactChartView(QChart* chart, QWidget* parent = nullptr);

  // The chart's title where it has the height (the chart's own at construction).
  void setTitle(const QString& title);
  const QString& title() const { return m_title; }  // shown or not
  // Applies the rule to the chart's current axes: call it after adding axes.
  void fitToHeight();

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  QString m_title;
};
