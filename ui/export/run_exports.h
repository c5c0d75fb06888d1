// The Live training view's File ▸ Export actions: the charts as PNG or SVG, the metrics, the
// validation predictions, the per-class metrics (the confusion matrix's classification report) and
// the layer statistics as CSV. Each action asks for a file name, then
// writes it through save_file.h and reports how it went.
#pragma once

#include <QObject>
#include <functional>

class ConfusionMatrixModel;
class LayerStats;
class MetricsHistory;
class PredictionModel;
class QAction;
class QTextStream;
class QWidget;
class TrainingCharts;

class RunExports : public QObject {
  Q_OBJECT

 public:
  // The sources stay the caller's and outlive this; dialogs open over `dialogParent`.
  RunExports(TrainingCharts* charts, const MetricsHistory* history,
             const PredictionModel* predictions, const ConfusionMatrixModel* confusion,
             const LayerStats* layerStats, QWidget* dialogParent);

  QAction* chartsPng() const { return m_chartsPng; }
  QAction* chartsSvg() const { return m_chartsSvg; }
  QAction* metricsCsv() const { return m_metricsCsv; }
  QAction* predictionsCsv() const { return m_predictionsCsv; }
  QAction* classMetricsCsv() const { return m_classMetricsCsv; }
  QAction* layerStatsCsv() const { return m_layerStatsCsv; }
  // Each action enabled when there is something to write.
  void updateActions();

  // The writes without asking for a file name (the actions ask, then call these).
  bool writeChartsPng(const QString& path);
  bool writeChartsSvg(const QString& path);
  bool writeMetricsCsv(const QString& path);
  bool writePredictionsCsv(const QString& path);
  bool writeClassMetricsCsv(const QString& path);
  bool writeLayerStatsCsv(const QString& path);

 Q_SIGNALS:
  void statusMessage(const QString& text);  // "Exported …"
  void failed(const QString& title, const QString& message);

 private:
  bool report(bool ok, const QString& path, const QString& error);
  // The CSV `write` puts out, saved to `path` (save_file.h) and reported.
  bool writeCsv(const QString& path, const std::function<void(QTextStream&)>& write);

  TrainingCharts* m_charts;
  const MetricsHistory* m_history;
  const PredictionModel* m_predictions;
  const ConfusionMatrixModel* m_confusion;
  const LayerStats* m_layerStats;
  QWidget* m_dialogParent;
  QAction* m_chartsPng;
  QAction* m_chartsSvg;
  QAction* m_metricsCsv;
  QAction* m_predictionsCsv;
  QAction* m_classMetricsCsv;
  QAction* m_layerStatsCsv;
};
