// The Ensemble view: the stored runs on the left; for the selected run its accuracy figures and
// charts, the aggregated confusion matrix, the misclassification table (filtered by the controls
// above it or by a click on a confusion cell) and the selected image with every network's top-3,
// or (a tab beside it) the run's networks voting on a drawn digit.
// "Train ensemble…" trains a new group on an EnsembleWorker thread, shows its progress with a
// Cancel button, and opens the run as it begins and again as each epoch is recorded (the image
// looked at stays selected) and when it ends; "Continue…" trains a stopped run on the same way.
// The page keeps its state while hidden.
#pragma once

#include <QThread>
#include <QWidget>
#include <memory>

#include "ensemble/ensemble_run.h"
#include "ensemble/ensemble_types.h"
#include "ensemble/validation_images.h"

class CalibrationModel;
class CalibrationView;
class AccuracyCharts;
class ConfusionMatrixModel;
class ConfusionMatrixView;
class EnsembleSummary;
class EnsembleWorker;
class ImageDetailPanel;
class MisclassificationFilterModel;
class MisclassificationModel;
class MisclassificationPanel;
class RunsModel;
class RunsPanel;
class VotePanel;

namespace cs {
class Store;
}

class EnsemblePage : public QWidget {
  Q_OBJECT

 public:
  explicit EnsemblePage(QWidget* parent = nullptr);
  ~EnsemblePage() override;  // cancels a training run (its finished epochs stay stored)

  // The run store to read and train into (default: cs::default_store_path()); refreshes.
  void setStorePath(const QString& path);
  QString storePath() const { return m_storePath; }
  // A dataset the app holds: runs validated on its test set show its images.
  void rememberDataset(const DatasetPtr& data);

  // Loads a stored run (no retraining) and shows it; false, with a message, when it cannot. The
  // run shown, opened again, keeps its selected image.
  bool openRun(qint64 run);
  const EnsembleRunPtr& currentRun() const { return m_run; }
  bool isTraining() const { return m_training; }

  // Writes without asking for a file name (the buttons ask, then call these).
  bool writeCsv(const QString& path, QString* error = nullptr) const;
  bool writeChartPng(const QString& path, QString* error = nullptr) const;
  bool writeChartSvg(const QString& path, QString* error = nullptr) const;

  RunsModel* runsModel() const { return m_runsModel; }
  MisclassificationModel* misclassificationModel() const { return m_model; }
  MisclassificationFilterModel* filterModel() const { return m_proxy; }
  ConfusionMatrixModel* confusionModel() const { return m_confusion; }
  RunsPanel* runsPanel() const { return m_runsPanel; }
  EnsembleSummary* summary() const { return m_summary; }
  AccuracyCharts* charts() const { return m_charts; }
  ConfusionMatrixView* confusionView() const { return m_confusionView; }
  MisclassificationPanel* table() const { return m_table; }
  ImageDetailPanel* detail() const { return m_detail; }
  VotePanel* votePanel() const { return m_vote; }
  CalibrationModel* calibrationModel() const { return m_calibration; }
  CalibrationView* calibrationView() const { return m_calibrationView; }

 public Q_SLOTS:
  void refreshRuns();
  // Asks for the ensemble's size with EnsembleTrainDialog, then trains. `base` gives the
  // architecture, optimizer, batch size and seed; `data` may be null (MNIST is loaded).
  void showTrainDialog(const cs::TrainConfig& base, const DatasetPtr& data);
  // Asks how many more epochs stopped run `run` trains (ContinueRunDialog), then continues it on
  // `data` when the run trained on it, else on its own folder (ValidationImages::folderFor()),
  // its first N training images when the run trained on N. A run that cannot continue (no saved
  // training state, its folder not found) gets a message instead.
  void showContinueDialog(qint64 run, const DatasetPtr& data);
  // Trains without asking (an empty storePath means this page's store).
  void startTraining(EnsembleRequest request);
  void cancelTraining();
  // Deletes a stored run (Store::delete_run; an error for one being trained or continued), closing
  // it when shown.
  void deleteRun(qint64 run);
  // A confusion cell: the table shows the images of `trueLabel` taken for `predicted` (a
  // diagonal cell: all images of the label). The same cell again clears the filter.
  void filterByCell(int trueLabel, int predicted);
  void clearCellFilter();

 Q_SIGNALS:
  // The page's Train ensemble… button: the window answers with showTrainDialog(). Unconnected,
  // the page uses the default configuration on MNIST.
  void trainEnsembleRequested();
  // Continue… for the selected run: the window answers with showContinueDialog() and its data.
  // Unconnected, the page continues the run on its own folder.
  void continueRunRequested(qint64 run);
  void runOpened(qint64 run);
  void runDeleted(qint64 run);
  void trainingFinished(qint64 run, bool cancelled);
  void trainingFailed(qint64 run, const QString& message);
  void statusMessage(const QString& text);

 protected:
  // The first time the page is shown with no run open, it opens the newest one.
  void showEvent(QShowEvent* event) override;

 private:
  void connectWorker();
  cs::Store& store();
  void setRun(EnsembleRunPtr run);
  void showImage(int image);
  // The run's vote calibration and, in the comment, its networks' alone.
  void showCalibration();
  void showError(const QString& title, const QString& message);
  void onTrainClicked();
  void onContinueClicked(qint64 run);
  void onTrainingEnded(qint64 run);
  void exportCsv();
  void exportChart(bool svg);
  QString runFileName(const QString& what, const QString& suffix) const;

  QString m_storePath;
  std::unique_ptr<cs::Store> m_store;
  ValidationImages m_images;
  EnsembleRunPtr m_run;
  RunsModel* m_runsModel;
  MisclassificationModel* m_model;
  MisclassificationFilterModel* m_proxy;
  ConfusionMatrixModel* m_confusion;
  RunsPanel* m_runsPanel;
  EnsembleSummary* m_summary;
  AccuracyCharts* m_charts;
  ConfusionMatrixView* m_confusionView;
  MisclassificationPanel* m_table;
  ImageDetailPanel* m_detail;
  VotePanel* m_vote;
  CalibrationModel* m_calibration;
  CalibrationView* m_calibrationView;
  int m_cellTrue = -1, m_cellPredicted = -1;  // the confusion cell the table is filtered by
  QThread m_thread;
  EnsembleWorker* m_worker = nullptr;  // lives on m_thread
  bool m_training = false;
  qint64 m_continuing = -1;  // the run being continued, while it is
  QString
      m_trainingStore;  // the store the run trains into: shown as it trains when it is this page's
  bool trainingShown() const;
  bool m_shown = false;
};
