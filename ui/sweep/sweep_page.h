// The Sweep view: the sweeps of the run store on the left; for the selected sweep its
// configurations as a sortable table (parameters, networks, median / mean / std of their final
// accuracy, vote accuracy, status), their accuracy distributions as box plots in the table's
// order, accuracy against each swept parameter, and two configurations compared with a bootstrap
// confidence interval. Double-clicking a configuration (or Open in Ensemble view) asks the window
// to show its run. New sweep… runs a sweep locally on a SweepWorker thread with progress and
// Cancel; a cancelled sweep stays resumable (Resume).
#pragma once

#include <QThread>
#include <QWidget>
#include <memory>
#include <string>

#include "sweep/sweep_data.h"
#include "sweep/sweep_types.h"

class ComparisonPanel;
class ParameterChart;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class SweepBoxChart;
class SweepConfigModel;
class SweepListModel;
class SweepListPanel;
class SweepWorker;

namespace cs {
class Store;
}

class SweepPage : public QWidget {
  Q_OBJECT

 public:
  explicit SweepPage(QWidget* parent = nullptr);
  ~SweepPage() override;  // cancels a running sweep (its finished configurations stay stored)

  // The run store to read and run sweeps into (default: cs::default_store_path()); refreshes.
  void setStorePath(const QString& path);
  QString storePath() const { return m_storePath; }
  // The data that sweeps started from New sweep… train on: `data`, loaded from `folder` (null:
  // the worker loads the folder, and says why it cannot; an empty folder is MNIST's). A sweep
  // names its data as the command line does (cs::dataset_name_for()).
  void setDataset(DatasetPtr data, const QString& folder);

  // Loads a stored sweep and shows it; false, with a message, when it cannot.
  bool openSweep(qint64 sweep);
  const SweepDataPtr& currentSweep() const { return m_sweep; }
  int selectedConfig() const;  // the current row's configuration, -1 when none
  void selectConfig(int config);
  bool isRunning() const { return m_running; }

  SweepListModel* listModel() const { return m_listModel; }
  SweepListPanel* listPanel() const { return m_listPanel; }
  SweepConfigModel* configModel() const { return m_configModel; }
  QSortFilterProxyModel* configProxy() const { return m_proxy; }
  QTableView* configTable() const { return m_table; }
  QPushButton* openButton() const { return m_open; }
  SweepBoxChart* boxChart() const { return m_boxChart; }
  ParameterChart* parameterChart() const { return m_paramChart; }
  QTabWidget* chartTabs() const { return m_charts; }
  ComparisonPanel* comparison() const { return m_comparison; }

  QString title() const;  // the header: the open sweep's settings and state

 public Q_SLOTS:
  void refreshSweeps();
  // Refresh: the store's sweeps and the open sweep read again (another process may be training
  // them).
  void refresh();
  // Asks the window to open configuration `config`'s run (nothing for one not begun).
  void openConfig(int config);
  void showNewSweepDialog();
  // Runs without asking (an empty storePath means this page's store).
  void startSweep(SweepRequest request);
  void resumeSweep(qint64 sweep);
  void cancelSweep();
  // Deletes a stored sweep (cs::Store::delete_sweep; an error while it or its run trains), closing
  // it when shown.
  void deleteSweep(qint64 sweep, bool withRuns);

 Q_SIGNALS:
  // Double-click or Open in Ensemble view: the window shows the run in the Ensemble view.
  void openRunRequested(qint64 run);
  void sweepOpened(qint64 sweep);
  void sweepDeleted(qint64 sweep);
  void sweepFinished(qint64 sweep, bool cancelled);
  void sweepFailed(qint64 sweep, const QString& message);
  void statusMessage(const QString& text);

 protected:
  // The first time the page is shown with no sweep open, it opens the newest one.
  void showEvent(QShowEvent* event) override;

 private:
  QWidget* buildContent();
  void connectWorker();
  cs::Store& store();
  void setSweep(SweepDataPtr sweep);
  void updateBoxChart();
  void onSelectionChanged();
  void onRunEnded(qint64 sweep);
  void showError(const QString& title, const QString& message);

  QString m_storePath;
  std::unique_ptr<cs::Store> m_store;
  SweepRunResults m_runResults;  // of m_store's runs, read by earlier loads
  DatasetPtr m_data;
  std::string m_dataName = "mnist";  // m_data's name in a sweep's plan
  QString m_lastGrid;                // New sweep…'s last, for the next
  int m_lastNets = 0, m_lastEpochs = 0;
  SweepDataPtr m_sweep;
  SweepListModel* m_listModel;
  SweepListPanel* m_listPanel;
  SweepConfigModel* m_configModel;
  QSortFilterProxyModel* m_proxy;
  QLabel* m_title;
  QLabel* m_subtitle;  // what to do while no sweep is open
  QTableView* m_table;
  QPushButton* m_open;
  QTabWidget* m_charts;
  SweepBoxChart* m_boxChart;
  ParameterChart* m_paramChart;
  ComparisonPanel* m_comparison;
  QThread m_thread;
  SweepWorker* m_worker = nullptr;  // lives on m_thread
  bool m_running = false;
  QString
      m_runningStore;  // the store the sweep trains into: shown as it trains when it is this page's
  bool runningShown() const;
  bool m_shown = false;
};
