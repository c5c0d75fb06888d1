// The main window: three views (Live training, Ensemble, Sweep) in tabs, switched with Ctrl+1 to
// Ctrl+3 and each keeping its state; the menus and tool bar over the live view's actions; the
// status bar.
#pragma once

#include <QMainWindow>
#include <QPointer>

#include "training/training_types.h"

class EnsemblePage;
class LiveTrainingView;
class RunRecovery;
class ShortcutsDialog;
class SweepPage;
class TaskIndicator;
class QTabWidget;
class TrainingStatusBar;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  enum View { LiveView = 0, EnsembleView = 1, SweepView = 2 };

  // `data`: the dataset loaded at start-up, or null with `dataProblem` saying why.
  MainWindow(DatasetPtr data, const QString& dataProblem, QWidget* parent = nullptr);
  ~MainWindow() override;

  LiveTrainingView* live() const { return m_live; }
  EnsemblePage* ensemble() const { return m_ensemble; }
  SweepPage* sweep() const { return m_sweep; }
  TrainingStatusBar* trainingStatusBar() const { return m_status; }
  TaskIndicator* ensembleTask() const { return m_ensembleTask; }
  TaskIndicator* sweepTask() const { return m_sweepTask; }
  void showView(View view);
  View currentView() const;
  // Help ▸ About: the version, the Qt it runs on, the backend and the run store (what a bug
  // report needs).
  QString aboutText() const;
  // After SIGINT, SIGTERM or SIGHUP there is nobody to ask: an unsaved run goes to the recovery
  // folder (RunRecovery; restored, paused at its step, at the next start), the window's state is
  // saved as on Quit, and the window closes. Returns the checkpoint written ("" if none).
  QString closeForSignal(int signal);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void createMenus();
  void createToolBar();
  void connectStatusBar();
  // The first window, with no geometry saved: 1600 x 1000, or on a smaller screen (a 1366 x 768
  // laptop) maximized, and no larger than the screen's free area where nothing maximizes it;
  // never below the window's minimum size (on a screen smaller than that, it spills off).
  void fitScreen();
  // Training ▸ Train ensemble… and the Ensemble page's button: the live settings, N networks.
  void trainEnsemble();
  // A sweep configuration's run, shown in the Ensemble view.
  void openEnsembleRun(qint64 run);
  void saveWindowState();
  // Quitting while an ensemble or a sweep trains stops it (what it trained is kept, to go on
  // with Continue… or Resume): asked first. True to quit.
  bool confirmStopTasks();

  QTabWidget* m_views;
  LiveTrainingView* m_live;
  EnsemblePage* m_ensemble;
  SweepPage* m_sweep;
  TrainingStatusBar* m_status;
  TaskIndicator* m_ensembleTask;  // the Ensemble and Sweep views' training, in the status bar
  TaskIndicator* m_sweepTask;
  RunRecovery* m_recovery;
  bool m_closingForSignal = false;
  bool m_quitConfirmed = false;  // Quit's questions answered: the next close goes ahead
  bool m_askingToQuit = false;   // inside closeEvent(), asking
  QList<QAction*> m_viewActions;
  QPointer<ShortcutsDialog> m_shortcuts;  // Help ▸ Keyboard shortcuts, while open
};
