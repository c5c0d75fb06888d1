// The Calibration view (a tab beside the charts): the reliability diagram of the live run's
// latest evaluation (CalibrationModel). Bars give each bin's accuracy over its range of top-1
// probability, red the gap to the bin's mean confidence, and a dashed diagonal where a network
// that is right as often as it is sure would reach; the note gives the expected and maximum
// calibration errors and the mean confidence against the accuracy, the table the bins. Hover a
// bar for its bin; Save CSV… writes the bins as convscope-cli eval --calibration does. The
// Ensemble view shows its vote's calibration in one too, with a comment comparing the networks.
#pragma once

#include <QList>
#include <QPointF>
#include <QWidget>

class CalibrationModel;
class QAreaSeries;
class QChart;
class QLabel;
class QLineSeries;
class QPushButton;
class QTableView;
class QValueAxis;
class ZoomableChartView;

class CalibrationView : public QWidget {
  Q_OBJECT

 public:
  explicit CalibrationView(CalibrationModel* model, QWidget* parent = nullptr);

  // What is drawn, for tests: the bars' tops ((low, accuracy), (high, accuracy) for each bin with
  // images), the gaps' upper and lower edges, the note, and a bin's tool tip.
  QList<QPointF> bars() const;
  QList<QPointF> gapUpper() const;
  QList<QPointF> gapLower() const;
  QString note() const;
  QString binTip(int row) const;
  // Said in the note when there is nothing to show, and after the figures when there is.
  void setPlaceholderText(const QString& text);
  void setComment(const QString& text);
  // Writes the model's bins as CSV (cs::calibration_csv(), atomically); false with `error` set
  // when it cannot.
  bool saveCsv(const QString& path, QString* error) const;

 private:
  void draw();
  void showBinTip(int row, bool entered);
  void askSaveCsv();

  CalibrationModel* m_model;
  QLabel* m_note;
  QPushButton* m_saveCsv;
  QChart* m_chart;
  QValueAxis* m_x;
  QValueAxis* m_y;
  QList<QAreaSeries*> m_bars;  // one per bin with images, in the model's order
  QList<QAreaSeries*> m_gaps;
  QLineSeries* m_diagonal;
  ZoomableChartView* m_view;
  QTableView* m_table;
  QString m_placeholder;
  QString m_comment;
};
