// The Live training view: the hyperparameter panel, the network inspector, the charts (with the
// "Draw a digit" canvas and its saliency map, the layer statistics, the embedding, the class
// models and the calibration, in tabs beside them), the validation predictions and the confusion
// matrix, as docks around the inspector, wired to one
// TrainingSession. It owns the run's actions (start, pause, …, save, export) for the window's
// menus and tool bar.
#pragma once

#include <QMainWindow>

#include "charts/layer_stats.h"
#include "settings/settings_validator.h"
#include "training/metrics_history.h"
#include "training/training_types.h"

class BestEpochActions;
class CalibrationModel;
class CalibrationView;
class CanvasPanel;
class ConfusionMatrixModel;
class ConfusionMatrixView;
class HyperparameterPanel;
class ClassModelsView;
class EmbeddingView;
class LayerStatsChart;
class LrFinderAction;
class NetworkSummaryAction;
class NetworkInspector;
class PredictionModel;
class PredictionsPanel;
class QDockWidget;
class RecentFiles;
class RunExports;
class SaliencyView;
class TrainingCharts;
class TrainingSession;
class UnsavedRunGuard;

class LiveTrainingView : public QMainWindow {
  Q_OBJECT

 public:
  struct Actions {
    QAction* start;
    QAction* continueRun;
    QAction* pauseResume;
    QAction* step;
    QAction* stop;
    QAction* reset;
    QAction* evaluate;
    QAction* findLearningRate;  // Find learning rate… (LrFinderAction)
    QAction* networkSummary;    // Network summary… (NetworkSummaryAction)
    QAction* rewindToBest;
    QAction* saveBestEpoch;
    QAction* saveCheckpoint;
    QAction* loadCheckpoint;
    QAction* recentCheckpoints;  // the Recent checkpoints submenu
    QAction* exportChartsPng;
    QAction* exportChartsSvg;
    QAction* exportMetricsCsv;
    QAction* exportPredictionsCsv;
    QAction* exportClassMetricsCsv;
    QAction* exportLayerStatsCsv;
  };

  // `data` is the dataset loaded at start-up (null with `dataProblem` saying why).
  LiveTrainingView(DatasetPtr data, const QString& dataProblem, QWidget* parent = nullptr);
  ~LiveTrainingView() override;

  const Actions& actions() const { return m_actions; }
  QList<QAction*> panelToggleActions() const;
  TrainingSession* session() const { return m_session; }
  HyperparameterPanel* panel() const { return m_panel; }
  NetworkInspector* inspector() const { return m_inspector; }
  TrainingCharts* charts() const { return m_charts; }
  LayerStatsChart* layerStatsChart() const { return m_layerChart; }
  EmbeddingView* embeddingView() const { return m_embedding; }
  ClassModelsView* classModelsView() const { return m_classModels; }
  const LayerStats& layerStats() const { return m_layerStats; }
  PredictionsPanel* predictions() const { return m_predictionsPanel; }
  CanvasPanel* canvasPanel() const { return m_canvasPanel; }
  SaliencyView* saliencyView() const { return m_saliency; }
  PredictionModel* predictionModel() const { return m_predictions; }
  ConfusionMatrixModel* confusionModel() const { return m_confusion; }
  CalibrationModel* calibrationModel() const { return m_calibration; }
  CalibrationView* calibrationView() const { return m_calibrationView; }
  const MetricsHistory& history() const { return m_history; }
  // The dataset the next run uses (null while the folder chosen loads, or when it failed) and its
  // folder.
  const DatasetPtr& dataset() const { return m_data; }
  const QString& datasetFolder() const { return m_dataFolder; }

  RunExports* exports() const { return m_exports; }
  LrFinderAction* lrFinder() const { return m_lrFinder; }

  void saveLayout() const;
  // Every panel shown, docked where it starts, at its first-start size.
  void resetLayout();
  // The dock sizes of a first start (1600×1000): settings left, charts right, predictions below.
  void applyDefaultLayout();
  // Makes validation image `index` the probe of every layer view.
  void setProbe(int index);
  // Loads a checkpoint into a paused run, after asking about unsaved training.
  void loadCheckpoint(const QString& path);
  UnsavedRunGuard* unsavedRunGuard() const { return m_guard; }
  // Checkpoints saved or loaded (the Recent checkpoints menu).
  RecentFiles* recentCheckpoints() const { return m_recentCheckpoints; }

 Q_SIGNALS:
  // Something worth a line in the status bar ("Saved checkpoint …").
  void statusMessage(const QString& text);
  // The dataset the next run uses is now `data`, loaded from `folder` (null: it is loading, or
  // failed to load).
  void datasetChanged(const DatasetPtr& data, const QString& folder);

 protected:
  void showEvent(QShowEvent* event) override;
  // Each tab bar of tabbed docks shows its titles whole, with scroll arrows where they do not all
  // fit (QMainWindow elides them: "Layer stati…" on the right at 1366×768).
  void childEvent(QChildEvent* event) override;

 private:
  void createActions();
  void createDocks();
  void placeDocks();
  void connectSession();
  void restoreSettings(DatasetPtr data, const QString& dataProblem);
  RunRequest runRequest() const;
  // Continue, Resume and Step: what is typed in the panel counts (commitTypedValues()), and the
  // guard hears that the run was set training.
  void requestTraining();
  void updateActions();
  void onSettingsChanged(const TrainingSettings& settings);
  // Has the worker make the panel's backend ready while there is no run (a run keeps its own),
  // so that the status bar names it and a problem with it shows before Start. Unless `always`,
  // only when the panel's choice changed: an edit of another field does not try a failing
  // backend again.
  void selectPanelBackend(bool always);
  // No dataset for the next run, the range test, an ensemble or a sweep while `folder` loads, or
  // once it failed to.
  void dropDataset(const QString& folder);
  void onDatasetLoaded(DatasetPtr data, const QString& dir);
  void onRunStarted(const RunInfo& info);
  void onRunCleared();
  void onHistoryTakenBack(const RunHistoryPtr& history);
  void onEvaluated(const EvaluationReport& report);
  // The confusion matrix and the calibration from the validation predictions as they are now.
  void recountPredictions();
  // The panel takes the run's optimizer, batch size, seed and (where it can) network; returns what
  // it cannot show (TrainingSettings::adoptRun()), empty when it shows all.
  QStringList adoptRunSettings(const cs::CheckpointMeta& meta);
  void onCheckpointLoaded(const QString& path, const cs::CheckpointMeta& meta);
  void showError(const QString& title, const QString& message);
  void loadCheckpointFrom();

  TrainingSession* m_session;
  MetricsHistory m_history;
  LayerStats m_layerStats;  // of the live frames and measured steps, for m_layerChart
  PredictionModel* m_predictions;
  ConfusionMatrixModel* m_confusion;
  CalibrationModel* m_calibration;
  HyperparameterPanel* m_panel;
  NetworkInspector* m_inspector;
  TrainingCharts* m_charts;
  LayerStatsChart* m_layerChart;
  EmbeddingView* m_embedding;
  ClassModelsView* m_classModels;
  PredictionsPanel* m_predictionsPanel;
  ConfusionMatrixView* m_confusionView;
  CalibrationView* m_calibrationView;
  CanvasPanel* m_canvasPanel;
  SaliencyView* m_saliency;
  UnsavedRunGuard* m_guard;
  BestEpochActions* m_bestEpoch;
  RunExports* m_exports;
  RecentFiles* m_recentCheckpoints;
  LrFinderAction* m_lrFinder;
  NetworkSummaryAction* m_networkSummary;
  QList<QDockWidget*> m_docks;
  Actions m_actions{};
  DatasetPtr m_data;  // the dataset the next run uses
  QString m_dataFolder;
  bool m_layoutRestored = false;
  bool m_shown = false;
  cs::BackendChoice m_backendAsked = cs::BackendChoice::Auto;  // by selectPanelBackend()
};
