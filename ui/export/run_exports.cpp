#include "export/run_exports.h"

#include <QAction>
#include <QDir>
#include <QWidget>

#include "charts/layer_stats.h"
#include "charts/training_charts.h"
#include "export/save_file.h"
#include "predictions/confusion_matrix_model.h"
#include "predictions/prediction_model.h"
#include "training/metrics_history.h"
#include "widgets/file_dialogs.h"

RunExports::RunExports(TrainingCharts* charts, const MetricsHistory* history,
                       const PredictionModel* predictions, const ConfusionMatrixModel* confusion,
                       const LayerStats* layerStats, QWidget* dialogParent)
    : QObject(dialogParent),
      m_charts(charts),
      m_history(history),
      m_predictions(predictions),
      m_confusion(confusion),
      m_layerStats(layerStats),
      m_dialogParent(dialogParent),
      m_chartsPng(new QAction(tr("Charts as &PNG…"), this)),
      m_chartsSvg(new QAction(tr("Charts as S&VG…"), this)),
      m_metricsCsv(new QAction(tr("&Metrics as CSV…"), this)),
      m_predictionsCsv(new QAction(tr("P&redictions as CSV…"), this)),
      m_classMetricsCsv(new QAction(tr("Per-&class metrics as CSV…"), this)),
      m_layerStatsCsv(new QAction(tr("&Layer statistics as CSV…"), this)) {
  // Each export: a save dialog, then the write (which reports how it went).
  using Write = bool (RunExports::*)(const QString&);
  const auto exporting = [this](QAction* action, const QString& title, const QString& name,
                                const QString& filter, Write write) {
    connect(action, &QAction::triggered, this, [=, this] {
      const QString path = askSaveFileName(m_dialogParent, title, name, filter);
      if (!path.isEmpty()) (this->*write)(path);
    });
  };
  exporting(m_chartsPng, tr("Export charts as PNG"), QStringLiteral("charts.png"),
            tr("PNG image (*.png)"), &RunExports::writeChartsPng);
  exporting(m_chartsSvg, tr("Export charts as SVG"), QStringLiteral("charts.svg"),
            tr("SVG drawing (*.svg)"), &RunExports::writeChartsSvg);
  exporting(m_metricsCsv, tr("Export metrics"), QStringLiteral("metrics.csv"),
            tr("CSV table (*.csv)"), &RunExports::writeMetricsCsv);
  exporting(m_predictionsCsv, tr("Export predictions"), QStringLiteral("predictions.csv"),
            tr("CSV table (*.csv)"), &RunExports::writePredictionsCsv);
  exporting(m_classMetricsCsv, tr("Export per-class metrics"), QStringLiteral("classes.csv"),
            tr("CSV table (*.csv)"), &RunExports::writeClassMetricsCsv);
  exporting(m_layerStatsCsv, tr("Export layer statistics"), QStringLiteral("layer-statistics.csv"),
            tr("CSV table (*.csv)"), &RunExports::writeLayerStatsCsv);
  connect(m_charts, &TrainingCharts::exportPngRequested, m_chartsPng, &QAction::trigger);
  connect(m_charts, &TrainingCharts::exportSvgRequested, m_chartsSvg, &QAction::trigger);
}

void RunExports::updateActions() {
  for (QAction* a : {m_chartsPng, m_chartsSvg, m_metricsCsv}) a->setEnabled(!m_history->isEmpty());
  m_predictionsCsv->setEnabled(m_predictions->hasEvaluation());
  m_classMetricsCsv->setEnabled(m_predictions->hasEvaluation());
  m_layerStatsCsv->setEnabled(!m_layerStats->isEmpty());
}

bool RunExports::report(bool ok, const QString& path, const QString& error) {
  if (ok)
    Q_EMIT statusMessage(tr("Exported %1").arg(QDir::toNativeSeparators(path)));
  else
    Q_EMIT failed(tr("Export failed"), tr("Could not write %1: %2").arg(path, error));
  return ok;
}

bool RunExports::writeChartsPng(const QString& path) {
  QString error;
  return report(m_charts->exportPng(path, &error), path, error);
}

bool RunExports::writeChartsSvg(const QString& path) {
  QString error;
  return report(m_charts->exportSvg(path, &error), path, error);
}

bool RunExports::writeCsv(const QString& path, const std::function<void(QTextStream&)>& write) {
  QString error;
  return report(saveText(path, write, &error), path, error);
}

bool RunExports::writeMetricsCsv(const QString& path) {
  return writeCsv(path, [this](QTextStream& out) { m_history->writeCsv(out); });
}

bool RunExports::writePredictionsCsv(const QString& path) {
  return writeCsv(path, [this](QTextStream& out) { m_predictions->writeCsv(out); });
}

bool RunExports::writeClassMetricsCsv(const QString& path) {
  return writeCsv(path, [this](QTextStream& out) { m_confusion->writeCsv(out); });
}

bool RunExports::writeLayerStatsCsv(const QString& path) {
  return writeCsv(path, [this](QTextStream& out) { m_layerStats->writeCsv(out); });
}
