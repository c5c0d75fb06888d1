// The Embedding view (a tab beside the charts): the live network's outputs of one layer for the
// first validation images, projected on their two principal components (EmbeddingResult), one
// dot per image coloured by its true class, so that the classes can be seen to pull apart as the
// network learns. It asks the training worker for a new projection when it is shown and after
// every evaluation while it is, for the layer chosen above it (by default the one before the
// output layer). Hovering a dot names its image, its label and the network's prediction;
// clicking it makes the image the probe.
#pragma once

#include <QPointF>
#include <QWidget>
#include <vector>

#include "charts/embedding_types.h"
#include "predictions/class_names.h"

class QChart;
class QComboBox;
class QLabel;
class QPushButton;
class QScatterSeries;
class QValueAxis;
class TrainingSession;
class ViewRefresh;
class ZoomableChartView;

class EmbeddingView : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kImages = 2000;

  explicit EmbeddingView(TrainingSession* session, QWidget* parent = nullptr);

  // What is shown, for tests: the layer, the dots of class `label`, the note under the chart.
  int layer() const { return m_shown.embedding.layer; }
  QList<QPointF> plotted(int label) const;
  QString note() const;
  // The validation image of the dot nearest `point` (chart values) of class `label`'s series; -1
  // when none.
  int imageAt(int label, QPointF point) const;
  // Every image shown, in the order of the projection's rows.
  const std::vector<int>& images() const { return m_shown.embedding.images; }
  // Writes what is shown as convscope-cli embed --features would (embeddingCsv(); atomically);
  // false with `error` set when it cannot.
  bool saveCsv(const QString& path, QString* error) const;

 public Q_SLOTS:
  // Asks for a projection of the chosen layer now (if one is already on its way, once it is back).
  void refresh();

 Q_SIGNALS:
  void probeRequested(int image);

 private:
  void onComputed(const EmbeddingResult& result);
  // A new run, a reset or other data: nothing of the last projection is shown or clicked.
  void clear();
  // Turns the axes of `result` to agree with the projection shown, when it is of the same images:
  // a principal direction's sign is arbitrary, and a picture that mirrors between evaluations
  // would hide how it moved.
  void alignWithShown(EmbeddingResult& result) const;
  int rowAt(int label, QPointF point) const;  // the projection's row of that dot, -1: none
  void draw();
  void askSaveCsv();

  TrainingSession* m_session;
  QComboBox* m_layer;
  QPushButton* m_saveCsv;
  QLabel* m_note;
  QChart* m_chart;
  QValueAxis* m_x;
  QValueAxis* m_y;
  ZoomableChartView* m_view;
  std::vector<QScatterSeries*> m_series;  // one per class, created as classes appear
  std::vector<std::vector<int>> m_rows;   // each series' rows of the projection, as its points
  EmbeddingResult m_shown;                // the projection drawn
  ClassNames m_names;                     // its dataset's, read as it is drawn
  ViewRefresh* m_refresh;
  int m_requestedLayer = -1;  // the layer of the last request (-1: the default)
};
