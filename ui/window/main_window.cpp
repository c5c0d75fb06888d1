#include "window/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>

#include "convscope/trainer.h"
#include "ensemble/ensemble_page.h"
#include "ensemble/runs_panel.h"
#include "predictions/prediction_model.h"
#include "settings/hyperparameter_panel.h"
#include "sweep/sweep_list_panel.h"
#include "sweep/sweep_page.h"
#include "training/training_session.h"
#include "window/live_training_view.h"
#include "window/run_recovery.h"
#include "window/shortcuts_dialog.h"
#include "window/task_indicator.h"
#include "window/training_status_bar.h"
#include "window/unsaved_run_guard.h"

MainWindow::MainWindow(DatasetPtr data, const QString& dataProblem, QWidget* parent)
    : QMainWindow(parent),
      m_views(new QTabWidget),
      m_live(new LiveTrainingView(std::move(data), dataProblem)),
      m_ensemble(new EnsemblePage),
      m_sweep(new SweepPage),
      m_status(new TrainingStatusBar),
      m_ensembleTask(new TaskIndicator(tr("Ensemble"))),
      m_sweepTask(new TaskIndicator(tr("Sweep"))),
      m_recovery(new RunRecovery(m_live, this)) {
  setWindowTitle(QStringLiteral("Convscope"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/convscope.svg")));
  m_views->setDocumentMode(true);
  m_views->addTab(m_live, QIcon(QStringLiteral(":/icons/live.svg")), tr("Live training"));
  m_views->addTab(m_ensemble, QIcon(QStringLiteral(":/icons/ensemble.svg")), tr("Ensemble"));
  m_views->addTab(m_sweep, QIcon(QStringLiteral(":/icons/sweep.svg")), tr("Sweep"));
  setCentralWidget(m_views);
  setStatusBar(m_status);
  createMenus();
  createToolBar();
  connectStatusBar();
  connect(m_views, &QTabWidget::currentChanged, this, [this](int index) {
    if (index >= 0 && index < m_viewActions.size()) m_viewActions[index]->setChecked(true);
  });
  QSettings q;
  if (!restoreGeometry(q.value(QStringLiteral("window/geometry")).toByteArray())) fitScreen();
  showView(static_cast<View>(q.value(QStringLiteral("window/view"), LiveView).toInt()));
  m_recovery->restorePending();  // queued after the dataset, as a Load checkpoint would be
  m_recovery->startAutosave(cs::kSaveEverySeconds * 1000);
}

MainWindow::~MainWindow() {
  // The views first: the live view's worker removes its autosave while RunRecovery (the first
  // child, so the first deleted) still holds the autosave's lock. Released before, another
  // instance starting then could take the file for a crashed one's and restore a discarded run.
  delete takeCentralWidget();
}

void MainWindow::fitScreen() {
  const QSize preferred(1600, 1000);
  const QSize room = screen()->availableGeometry().size();
  const QSize least = minimumSizeHint().expandedTo(minimumSize());
  resize(preferred.boundedTo(room).expandedTo(least));
  // Maximized only where the window's minimum fits: a maximized window on a smaller screen would
  // be squeezed below it, its panels over one another.
  const bool smaller = room.width() < preferred.width() || room.height() < preferred.height();
  if (smaller && room.width() >= least.width() && room.height() >= least.height())
    setWindowState(windowState() | Qt::WindowMaximized);
}

void MainWindow::trainEnsemble() {
  // The dataset of the next run, whose settings the ensemble takes (not the run shown, which may
  // be of another).
  const DatasetPtr& data = m_live->dataset();
  if (!data) {
    m_status->showMessage(
        tr("Train ensemble needs a dataset: %1").arg(m_live->panel()->datasetInfo().problem),
        15000);
    return;
  }
  showView(EnsembleView);
  const cs::Shape3 shape = data->train.shape;
  const int classes = data->train.classes;
  m_live->panel()->commitTypedValues();  // a rate typed in the live view and not entered counts
  m_ensemble->showTrainDialog(m_live->panel()->settings().trainConfig(shape, classes), data);
}

void MainWindow::openEnsembleRun(qint64 run) {
  showView(EnsembleView);
  m_ensemble->refreshRuns();  // the sweep may have added the run since the list was read
  m_ensemble->openRun(run);
}

void MainWindow::showView(View view) {
  m_views->setCurrentIndex(view == EnsembleView || view == SweepView ? view : LiveView);
}

MainWindow::View MainWindow::currentView() const {
  const int index = m_views->currentIndex();
  return index == EnsembleView || index == SweepView ? static_cast<View>(index) : LiveView;
}

void MainWindow::createMenus() {
  const LiveTrainingView::Actions& a = m_live->actions();
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(a.loadCheckpoint);
  file->addAction(a.recentCheckpoints);
  file->addActions({a.saveCheckpoint, a.saveBestEpoch});
  file->addSeparator();
  QMenu* exports = file->addMenu(QIcon(QStringLiteral(":/icons/export.svg")), tr("&Export"));
  exports->addActions({a.exportChartsPng, a.exportChartsSvg});
  exports->addSeparator();
  exports->addActions(
      {a.exportMetricsCsv, a.exportPredictionsCsv, a.exportClassMetricsCsv, a.exportLayerStatsCsv});
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* training = menuBar()->addMenu(tr("&Training"));
  training->addActions({a.start, a.continueRun, a.pauseResume, a.step, a.stop});
  training->addSeparator();
  training->addActions({a.evaluate, a.rewindToBest, a.reset});
  training->addSeparator();
  training->addAction(a.findLearningRate);
  training->addAction(a.networkSummary);
  training->addAction(tr("Train &ensemble…"), this, &MainWindow::trainEnsemble);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  auto* group = new QActionGroup(this);
  const QStringList names{tr("&Live training"), tr("&Ensemble"), tr("&Sweep")};
  for (int i = 0; i < names.size(); ++i) {
    QAction* show = view->addAction(names[i], this, [this, i] { showView(static_cast<View>(i)); });
    show->setShortcut(QKeyCombination(Qt::ControlModifier, Qt::Key(Qt::Key_1 + i)));
    show->setCheckable(true);
    group->addAction(show);
    m_viewActions << show;
  }
  m_viewActions.front()->setChecked(true);
  view->addSeparator();
  QMenu* panels = view->addMenu(tr("&Panels"));
  panels->addActions(m_live->panelToggleActions());
  view->addAction(tr("&Reset layout"), m_live, &LiveTrainingView::resetLayout);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  QAction* shortcuts = help->addAction(tr("&Keyboard shortcuts"), this, [this] {
    if (!m_shortcuts) {
      m_shortcuts = new ShortcutsDialog(this);
      m_shortcuts->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_shortcuts->show();
    m_shortcuts->raise();
    m_shortcuts->activateWindow();
  });
  shortcuts->setObjectName(QStringLiteral("keyboardShortcuts"));
  shortcuts->setShortcut(QKeySequence::HelpContents);
  help->addAction(tr("&About Convscope"), this,
                  [this] { QMessageBox::about(this, tr("About Convscope"), aboutText()); });
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

QString MainWindow::aboutText() const {
  return tr("<h3>Convscope %1</h3><p>Train a convolutional network on MNIST and watch it learn: "
            "activations, gradients and weights of every layer, live.</p>"
            "<p>Qt %2<br>Backend: %3<br>Run store: %4</p>")
      .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion()),
           m_status->backendText().toHtmlEscaped(),
           QDir::toNativeSeparators(m_ensemble->storePath()).toHtmlEscaped());
}

void MainWindow::createToolBar() {
  const LiveTrainingView::Actions& a = m_live->actions();
  QToolBar* bar = addToolBar(tr("Training"));
  bar->setObjectName(QStringLiteral("trainingToolBar"));
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  bar->setIconSize(QSize(18, 18));
  bar->addActions({a.start, a.continueRun, a.pauseResume, a.step, a.stop, a.reset});
  bar->addSeparator();
  bar->addActions({a.evaluate, a.loadCheckpoint, a.saveCheckpoint});
  // Every action stays on the bar: the window is at least as wide as the bar. Narrower (about
  // 1180 px, now that the panels allow it), Save checkpoint was cut off without Qt's overflow
  // arrow. Again when a text changes ("Continue for 5 more epochs") and once styled.
  const auto fit = [bar] { bar->setMinimumWidth(bar->sizeHint().width()); };
  for (QAction* action : bar->actions()) connect(action, &QAction::changed, bar, fit);
  QTimer::singleShot(0, bar, fit);
}

void MainWindow::connectStatusBar() {
  TrainingSession* session = m_live->session();
  TrainingWorker* worker = session->worker();
  connect(session, &TrainingSession::stateChanged, m_status, &TrainingStatusBar::setState);
  connect(worker, &TrainingWorker::progress, m_status, &TrainingStatusBar::setProgress);
  connect(session, &TrainingSession::backendChanged, m_status, &TrainingStatusBar::setBackend);
  if (!session->backendReport().kind.isEmpty()) m_status->setBackend(session->backendReport());
  connect(worker, &TrainingWorker::runCleared, m_status, &TrainingStatusBar::clearProgress);
  connect(worker, &TrainingWorker::runStarted, m_status, [this](const RunInfo& info) {
    m_status->clearProgress();
    m_status->showMessage(tr("New run: %1 steps per epoch").arg(info.stepsPerEpoch), 8000);
    m_status->setToolTip(info.description);
  });
  connect(m_live, &LiveTrainingView::statusMessage, m_status,
          [this](const QString& text) { m_status->showMessage(text, 8000); });
  connect(m_ensemble, &EnsemblePage::statusMessage, m_status,
          [this](const QString& text) { m_status->showMessage(text, 8000); });
  connect(m_ensemble, &EnsemblePage::trainEnsembleRequested, this, &MainWindow::trainEnsemble);
  connect(m_ensemble, &EnsemblePage::continueRunRequested, this, [this](qint64 run) {
    m_ensemble->showContinueDialog(run, m_live->dataset());  // the data chosen, not the run's
  });
  connect(m_sweep, &SweepPage::statusMessage, m_status,
          [this](const QString& text) { m_status->showMessage(text, 8000); });
  connect(m_sweep, &SweepPage::openRunRequested, this, &MainWindow::openEnsembleRun);
  // New sweeps train on the dataset chosen for the next run.
  m_sweep->setDataset(m_live->dataset(), m_live->datasetFolder());
  connect(m_live, &LiveTrainingView::datasetChanged, m_sweep, &SweepPage::setDataset);
  connect(m_recovery, &RunRecovery::statusMessage, m_status,
          [this](const QString& text) { m_status->showMessage(text, 15000); });
  connect(m_sweep, &SweepPage::sweepFinished, m_ensemble, &EnsemblePage::refreshRuns);
  connect(m_ensemble, &EnsemblePage::runDeleted, m_sweep, &SweepPage::refresh);  // a sweep's run?
  connect(m_sweep, &SweepPage::sweepDeleted, m_ensemble, &EnsemblePage::refreshRuns);
  m_ensembleTask->follow(m_ensemble->runsPanel()->taskBox());
  m_sweepTask->follow(m_sweep->listPanel()->taskBox());
  m_status->addTask(m_ensembleTask);
  m_status->addTask(m_sweepTask);
  connect(m_ensembleTask, &TaskIndicator::activated, this, [this] { showView(EnsembleView); });
  connect(m_sweepTask, &TaskIndicator::activated, this, [this] { showView(SweepView); });
}

QString MainWindow::closeForSignal(int signal) {
  if (m_closingForSignal) return {};  // a second Ctrl+C while the first is handled
  m_closingForSignal = true;
  QString error;
  const QString path = m_recovery->saveForSignal(signal, &error);
  if (!error.isEmpty())
    qWarning(
        "convscope: the unsaved run could not be saved (%s); its last autosave, if any, is "
        "kept for the next start",
        qPrintable(error));
  close();
  return path;
}

void MainWindow::saveWindowState() {
  QSettings q;
  q.setValue(QStringLiteral("window/geometry"), saveGeometry());
  q.setValue(QStringLiteral("window/view"), static_cast<int>(currentView()));
  m_live->saveLayout();
}

bool MainWindow::confirmStopTasks() {
  QStringList tasks;
  for (const TaskIndicator* task : {m_ensembleTask, m_sweepTask})
    if (!task->isHidden()) tasks << task->description();
  if (tasks.isEmpty()) return true;
  QMessageBox box(QMessageBox::Question, tr("Quit while training?"),
                  tr("Quitting stops what is training:\n%1").arg(tasks.join('\n')),
                  QMessageBox::Cancel, this);
  box.setInformativeText(
      tr("What they have trained is kept: Continue… in the Ensemble view, or Resume in the Sweep "
         "view, goes on from where they stopped."));
  QPushButton* quit = box.addButton(tr("Stop and quit"), QMessageBox::DestructiveRole);
  box.setDefaultButton(QMessageBox::Cancel);
  box.exec();
  return box.clickedButton() == quit;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  UnsavedRunGuard* guard = m_live->unsavedRunGuard();
  // After a signal the run is saved already, and after the questions were answered (the answer
  // may have been to save first, the run training on meanwhile) there is nobody left to ask.
  if (!m_closingForSignal && !m_quitConfirmed) {
    if (guard->savePending() || !confirmStopTasks()) return event->ignore();
    m_askingToQuit = true;
    guard->confirm(tr("Quitting"), {}, [this] {
      m_quitConfirmed = true;
      if (!m_askingToQuit) close();  // once the save arrived (at once, this event is accepted)
    });
    m_askingToQuit = false;
    if (!m_quitConfirmed) return event->ignore();  // cancelled, or closing once saved
  }
  m_quitConfirmed = false;  // shown again (the tests do), it asks again
  saveWindowState();
  event->accept();
}
