#include "window/live_training_view.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QVBoxLayout>
#include <utility>

#include "canvas/canvas_panel.h"
#include "canvas/saliency_view.h"
#include "charts/embedding_view.h"
#include "charts/layer_stats_chart.h"
#include "charts/training_charts.h"
#include "export/run_exports.h"
#include "network/class_models_view.h"
#include "network/network_inspector.h"
#include "predictions/calibration_model.h"
#include "predictions/calibration_view.h"
#include "predictions/confusion_matrix_model.h"
#include "predictions/confusion_matrix_view.h"
#include "predictions/prediction_model.h"
#include "predictions/predictions_panel.h"
#include "settings/hyperparameter_panel.h"
#include "training/training_session.h"
#include "widgets/file_dialogs.h"
#include "widgets/recent_files.h"
#include "widgets/shortcut_place.h"
#include "window/best_epoch_actions.h"
#include "window/lr_finder_action.h"
#include "window/network_summary_action.h"
#include "window/unsaved_run_guard.h"

namespace {

QAction* action(QObject* parent, const QString& icon, const QString& text,
                const QKeySequence& shortcut = {}) {
  auto* a = new QAction(
      icon.isEmpty() ? QIcon() : QIcon(QStringLiteral(":/icons/%1.svg").arg(icon)), text, parent);
  a->setShortcut(shortcut);
  return a;
}

}  // namespace

LiveTrainingView::LiveTrainingView(DatasetPtr data, const QString& dataProblem, QWidget* parent)
    : QMainWindow(parent),
      m_session(new TrainingSession(this)),
      m_predictions(new PredictionModel(this)),
      m_confusion(new ConfusionMatrixModel(this)),
      m_calibration(new CalibrationModel(this)),
      m_panel(new HyperparameterPanel),
      m_inspector(new NetworkInspector),
      m_charts(new TrainingCharts(&m_history)),
      m_layerChart(new LayerStatsChart(&m_layerStats)),
      m_embedding(new EmbeddingView(m_session)),
      m_classModels(new ClassModelsView(m_session)),
      m_predictionsPanel(new PredictionsPanel(m_predictions)),
      m_confusionView(new ConfusionMatrixView(m_confusion)),
      m_calibrationView(new CalibrationView(m_calibration)),
      m_canvasPanel(new CanvasPanel(m_session)),
      m_saliency(new SaliencyView(m_session)),
      m_guard(new UnsavedRunGuard(m_session, this)),
      m_bestEpoch(new BestEpochActions(m_session, m_guard, this)),
      m_exports(
          new RunExports(m_charts, &m_history, m_predictions, m_confusion, &m_layerStats, this)),
      m_recentCheckpoints(new RecentFiles(QStringLiteral("paths/recentCheckpoints"),
                                          tr("Recent checkpoints"), this)),
      m_lrFinder(new LrFinderAction(m_panel, m_session, this)),
      m_networkSummary(new NetworkSummaryAction(m_panel, this)) {
  setWindowFlags(Qt::Widget);  // embedded in the main window's tabs
  setDockNestingEnabled(true);
  setCentralWidget(m_inspector);
  createActions();
  createDocks();
  connectSession();
  restoreSettings(std::move(data), dataProblem);
  updateActions();
}

LiveTrainingView::~LiveTrainingView() = default;

void LiveTrainingView::createActions() {
  Actions& a = m_actions;
  a.start = action(this, QStringLiteral("start"), tr("&Start"), Qt::Key_F5);
  a.continueRun = action(this, QStringLiteral("continue"), tr("&Continue"), Qt::Key_F7);
  a.pauseResume = action(this, QStringLiteral("pause"), tr("&Pause"), Qt::Key_F6);
  // Their texts follow the run ("Continue for 5 more epochs", "Resume").
  setShortcutText(a.continueRun, tr("Continue for more epochs"));
  setShortcutText(a.pauseResume, tr("Pause or resume"));
  a.step = action(this, QStringLiteral("step"), tr("S&tep one batch"), Qt::Key_F10);
  a.stop = action(this, QStringLiteral("stop"), tr("St&op"), QKeySequence(Qt::SHIFT | Qt::Key_F5));
  a.reset = action(this, QStringLiteral("reset"), tr("&Reset"), QKeySequence(Qt::CTRL | Qt::Key_R));
  a.evaluate = action(this, QStringLiteral("evaluate"), tr("&Evaluate validation set"),
                      QKeySequence(Qt::CTRL | Qt::Key_E));
  a.rewindToBest = m_bestEpoch->rewind();
  a.saveBestEpoch = m_bestEpoch->save();
  a.saveCheckpoint =
      action(this, QStringLiteral("save"), tr("&Save checkpoint…"), QKeySequence::Save);
  a.loadCheckpoint =
      action(this, QStringLiteral("open"), tr("&Load checkpoint…"), QKeySequence::Open);
  a.recentCheckpoints = m_recentCheckpoints->menu()->menuAction();
  a.findLearningRate = m_lrFinder->action();
  a.networkSummary = m_networkSummary->action();
  a.exportChartsPng = m_exports->chartsPng();
  a.exportChartsSvg = m_exports->chartsSvg();
  a.exportMetricsCsv = m_exports->metricsCsv();
  a.exportPredictionsCsv = m_exports->predictionsCsv();
  a.exportClassMetricsCsv = m_exports->classMetricsCsv();
  a.exportLayerStatsCsv = m_exports->layerStatsCsv();
  a.step->setToolTip(tr("Train one batch, then pause (F10)"));
  a.reset->setToolTip(tr("Discard the run and its history (Ctrl+R)"));

  TrainingSession* s = m_session;
  connect(a.start, &QAction::triggered, this, [this, s] {
    m_panel->commitTypedValues();
    m_guard->confirm(tr("A new run"), {},
                     [s, request = runRequest()] { s->invoke(&TrainingWorker::start, request); });
  });
  connect(a.continueRun, &QAction::triggered, this, [this, s] {
    requestTraining();
    const TrainingSettings settings = m_panel->settings();
    s->invoke(&TrainingWorker::continueRun, settings.epochs, settings.learningRate,
              settings.schedule);
  });
  connect(a.pauseResume, &QAction::triggered, this, [this, s] {
    if (s->state() == TrainingState::Running) return s->invoke(&TrainingWorker::pause);
    requestTraining();
    s->invoke(&TrainingWorker::resume);
  });
  connect(a.step, &QAction::triggered, this, [this, s] {
    requestTraining();
    s->invoke(&TrainingWorker::step, runRequest());
  });
  connect(a.stop, &QAction::triggered, this, [s] { s->invoke(&TrainingWorker::stop); });
  connect(a.reset, &QAction::triggered, this, [this, s] {
    m_guard->confirm(tr("Reset"), {}, [s] { s->invoke(&TrainingWorker::reset); });
  });
  connect(a.evaluate, &QAction::triggered, this, [s] { s->invoke(&TrainingWorker::evaluateNow); });
  connect(a.saveCheckpoint, &QAction::triggered, m_guard, &UnsavedRunGuard::saveAs);
  connect(a.loadCheckpoint, &QAction::triggered, this, &LiveTrainingView::loadCheckpointFrom);
  connect(m_recentCheckpoints, &RecentFiles::fileChosen, this, &LiveTrainingView::loadCheckpoint);
  connect(m_exports, &RunExports::statusMessage, this, &LiveTrainingView::statusMessage);
  connect(m_lrFinder, &LrFinderAction::statusMessage, this, &LiveTrainingView::statusMessage);
  connect(m_bestEpoch, &BestEpochActions::statusMessage, this, &LiveTrainingView::statusMessage);
  connect(m_bestEpoch, &BestEpochActions::checkpointWritten, m_recentCheckpoints,
          &RecentFiles::add);
  connect(m_exports, &RunExports::failed, this, &LiveTrainingView::showError);
}

void LiveTrainingView::connectSession() {
  TrainingSession* s = m_session;
  TrainingWorker* w = s->worker();
  connect(s, &TrainingSession::stateChanged, this, [this](TrainingState state) {
    if (state == TrainingState::Running)
      m_panel->setLocked(HyperparameterPanel::Locked,
                         tr("Settings are locked while training: Pause to change the learning "
                            "rate, Stop or Reset to change the rest."));
    else if (state == TrainingState::Paused)
      m_panel->setLocked(HyperparameterPanel::ScheduleOnly,
                         tr("Paused: the learning rate and its schedule apply from the next step, "
                            "and Epochs to Continue. Stop or Reset to change the rest."));
    else
      m_panel->setLocked(HyperparameterPanel::Unlocked);
    // The run's backend may be another than the panel's now (chosen while it stood).
    if (state == TrainingState::Idle) selectPanelBackend(true);
    updateActions();
  });
  connect(w, &TrainingWorker::datasetLoaded, this, &LiveTrainingView::onDatasetLoaded);
  connect(w, &TrainingWorker::datasetFailed, this, [this](const QString& dir, const QString& why) {
    m_panel->setDatasetInfo(DatasetInfo::missing(
        tr("Could not load %1: %2").arg(TrainingSettings::displayNameOf(dir), why)));
    dropDataset(dir);
  });
  connect(w, &TrainingWorker::runStarted, this, &LiveTrainingView::onRunStarted);
  connect(w, &TrainingWorker::runCleared, this, &LiveTrainingView::onRunCleared);
  connect(w, &TrainingWorker::historyTakenBack, this, &LiveTrainingView::onHistoryTakenBack);
  connect(w, &TrainingWorker::progress, this, [this](const TrainingProgress& p) {
    const bool wasEmpty = m_history.isEmpty();
    m_history.addLosses(p.losses);
    m_panel->setRunPosition(p.globalStep + 1, p.epoch);
    if (wasEmpty != m_history.isEmpty()) updateActions();
  });
  // The best epoch's learning rate, if it was changed since.
  connect(w, &TrainingWorker::rewound, this, &LiveTrainingView::adoptRunSettings);
  connect(w, &TrainingWorker::evaluated, this, &LiveTrainingView::onEvaluated);
  connect(s, &TrainingSession::snapshotReady, m_inspector, &NetworkInspector::setSnapshot);
  connect(s, &TrainingSession::probeImageNamed, m_inspector, &NetworkInspector::setImageProbeName);
  // The layer statistics, and their export once there are some.
  const auto record = [this](const auto& add) {
    const bool wasEmpty = m_layerStats.isEmpty();
    add();
    if (wasEmpty != m_layerStats.isEmpty()) m_exports->updateActions();
  };
  connect(s, &TrainingSession::snapshotReady, this, [this, record](const SnapshotPtr& frame) {
    if (frame) record([&] { m_layerStats.add(*frame); });
  });
  connect(w, &TrainingWorker::layerUpdated, this, [this, record](const LayerUpdates& updates) {
    record([&] { m_layerStats.addUpdates(updates); });
  });
  connect(w, &TrainingWorker::failed, this, &LiveTrainingView::showError);
  connect(w, &TrainingWorker::checkpointLoaded, this, &LiveTrainingView::onCheckpointLoaded);
  connect(w, &TrainingWorker::checkpointSaved, m_recentCheckpoints, &RecentFiles::add);
  connect(m_guard, &UnsavedRunGuard::statusMessage, this, &LiveTrainingView::statusMessage);

  connect(m_panel, &HyperparameterPanel::settingsChanged, this,
          &LiveTrainingView::onSettingsChanged);
  connect(m_panel, &HyperparameterPanel::validationChanged, this, &LiveTrainingView::updateActions);
  connect(m_panel, &HyperparameterPanel::datasetRequested, this, [this](const QString& dir) {
    dropDataset(TrainingSettings::folderOf(dir));  // not the one before it, until it is loaded
    m_session->invoke(&TrainingWorker::loadDataset, m_dataFolder,
                      TrainingSettings::engineNameOf(dir));
  });
  connect(m_inspector, &NetworkInspector::probeRequested, this, &LiveTrainingView::setProbe);
  connect(m_predictionsPanel, &PredictionsPanel::probeRequested, this, &LiveTrainingView::setProbe);
  connect(m_embedding, &EmbeddingView::probeRequested, this, &LiveTrainingView::setProbe);
  m_predictionsPanel->setProbeRow(m_session->probe());  // marked, with its history, from the start
  connect(m_predictionsPanel, &PredictionsPanel::cellFilterChanged, m_confusionView,
          &ConfusionMatrixView::markCell);
  connect(m_predictions, &QAbstractItemModel::modelReset, this, [this] {
    m_inspector->setClassNames(m_predictions->classNames());
    m_canvasPanel->setClassNames(m_predictions->classNames());
    m_saliency->setClassNames(m_predictions->classNames());
  });
  connect(m_canvasPanel, &CanvasPanel::inputChanged, m_saliency, &SaliencyView::setDrawnDigit);
  connect(m_confusionView, &ConfusionMatrixView::cellActivated, this, [this](int t, int p) {
    m_predictionsPanel->showFilter(PredictionFilter::ConfusionCell, t, p);
  });
  connect(m_confusionView, &ConfusionMatrixView::trueLabelActivated, this,
          [this](int t) { m_predictionsPanel->showFilter(PredictionFilter::TrueLabel, t); });
  connect(m_confusionView, &ConfusionMatrixView::predictedLabelActivated, this, [this](int p) {
    m_predictionsPanel->showFilter(PredictionFilter::PredictedLabel, -1, p);
  });
}

void LiveTrainingView::restoreSettings(DatasetPtr data, const QString& dataProblem) {
  QSettings q;
  const TrainingSettings settings = TrainingSettings::load(q);
  m_panel->setSettings(settings);
  // The panel's choice, not the stored one: a CUDA saved on a machine that has lost its GPU shows
  // as Auto, and Auto is what the worker makes ready.
  selectPanelBackend(true);
  const QString folder = TrainingSettings::folderOf(settings.datasetDir);
  if (!settings.datasetDir.isEmpty() && folder != TrainingSettings::folderOf({})) {
    m_panel->setDatasetInfo(DatasetInfo::missing(
        tr("Loading %1…").arg(TrainingSettings::displayNameOf(settings.datasetDir))));
    m_dataFolder = folder;  // no dataset until it is loaded, and that one's folder
    m_session->invoke(&TrainingWorker::loadDataset, folder,
                      TrainingSettings::engineNameOf(settings.datasetDir));
  } else if (data) {
    onDatasetLoaded(std::move(data), folder);
  } else {
    m_panel->setDatasetInfo(DatasetInfo::missing(dataProblem));
  }
  m_layoutRestored = restoreState(q.value(QStringLiteral("live/dockState")).toByteArray());
  m_charts->setOptions(ChartOptions::load(q));
  connect(m_charts, &TrainingCharts::optionsChanged, this, [this] {
    QSettings settings;
    m_charts->options().save(settings);
  });
}

void LiveTrainingView::requestTraining() {
  m_panel->commitTypedValues();
  m_guard->trainingRequested();
}

RunRequest LiveTrainingView::runRequest() const {
  const TrainingSettings settings = m_panel->settings();
  const DatasetInfo& info = m_panel->datasetInfo();
  return {settings.trainConfig(info.shape, info.classes), settings.backend};
}

void LiveTrainingView::updateActions() {
  const TrainingState state = m_session->state();
  const bool valid = m_panel->validation().ok;
  const bool fresh = state == TrainingState::Idle || state == TrainingState::Stopped ||
                     state == TrainingState::Finished;
  Actions& a = m_actions;
  a.start->setEnabled(fresh && valid);
  a.start->setToolTip(valid ? tr("Start a new run from freshly initialized weights (F5)")
                            : tr("Cannot start: %1").arg(m_panel->validation().message));
  const int more = m_panel->settings().epochs;
  a.continueRun->setText(more == 1 ? tr("&Continue for 1 more epoch")
                                   : tr("&Continue for %1 more epochs").arg(more));
  a.continueRun->setToolTip(
      tr("Train this run on from its weights (F7), at the learning rate and schedule set here; "
         "Epochs sets how many more. An epoch in progress goes on where it is and counts as one "
         "of them. The run keeps its network, optimizer and batch size: Start begins a new run "
         "with the rest."));
  a.continueRun->setEnabled(state == TrainingState::Paused || state == TrainingState::Stopped ||
                            state == TrainingState::Finished);
  const bool running = state == TrainingState::Running;
  a.pauseResume->setEnabled(running || state == TrainingState::Paused);
  a.pauseResume->setText(running || state != TrainingState::Paused ? tr("&Pause") : tr("&Resume"));
  a.pauseResume->setIcon(QIcon(running || state != TrainingState::Paused
                                   ? QStringLiteral(":/icons/pause.svg")
                                   : QStringLiteral(":/icons/start.svg")));
  a.step->setEnabled(state == TrainingState::Paused || (state == TrainingState::Idle && valid));
  a.stop->setEnabled(running || state == TrainingState::Paused);
  a.reset->setEnabled(state != TrainingState::Idle);
  a.evaluate->setEnabled(m_session->hasRun());
  m_bestEpoch->updateActions();
  m_lrFinder->updateAction();
  a.saveCheckpoint->setEnabled(m_session->hasRun());
  a.loadCheckpoint->setEnabled(!running);  // the worker loads none while it trains
  m_recentCheckpoints->setAllowed(!running);
  m_exports->updateActions();
}

void LiveTrainingView::setProbe(int index) {
  m_session->setProbe(index);
  m_inspector->setProbe(index);
  m_predictionsPanel->setProbeRow(index);
}

void LiveTrainingView::onSettingsChanged(const TrainingSettings& settings) {
  QSettings q;
  settings.save(q);
  selectPanelBackend(false);
  if (m_session->state() == TrainingState::Paused)
    m_session->invoke(&TrainingWorker::setLearningRate, settings.learningRate, settings.schedule);
  updateActions();  // Continue's epoch count
}

void LiveTrainingView::selectPanelBackend(bool always) {
  const cs::BackendChoice choice = m_panel->settings().backend;
  if (m_session->hasRun() || (!always && choice == m_backendAsked)) return;
  m_backendAsked = choice;
  m_session->invoke(&TrainingWorker::selectBackend, choice);
}

void LiveTrainingView::dropDataset(const QString& folder) {
  m_data = nullptr;
  m_dataFolder = folder;
  m_lrFinder->setDataset(nullptr);
  Q_EMIT datasetChanged(m_data, folder);
  updateActions();
}

void LiveTrainingView::onDatasetLoaded(DatasetPtr data, const QString& dir) {
  const QString wanted = TrainingSettings::folderOf(m_panel->settings().datasetDir);
  if (QDir::cleanPath(dir) != QDir::cleanPath(wanted)) return;  // the user picked another since
  m_data = data;
  m_dataFolder = dir;
  Q_EMIT datasetChanged(data, dir);
  m_lrFinder->setDataset(data);
  m_session->invoke(&TrainingWorker::setDataset, data);
  m_panel->setDatasetInfo(DatasetInfo::from(*data, TrainingSettings::displayNameOf(dir)));
  m_panel->setPreviewImages(data);
  if (m_session->hasRun()) return;  // the grid keeps showing the run's images
  m_predictions->setDataset(data);
  recountPredictions();
  m_inspector->setProbeCount(data->test.count);
  if (m_session->probe() >= data->test.count) setProbe(0);
}

void LiveTrainingView::onRunStarted(const RunInfo& info) {
  m_charts->keepPrevious();
  m_charts->setRunDescription(info.description);
  m_history.clear();
  m_layerStats.clear();
  m_charts->setLearningHistory({}, 0, {});
  m_history.setStepsPerEpoch(info.stepsPerEpoch);
  if (info.history) m_history.restore(*info.history);
  if (m_predictions->dataset() != info.data)
    m_predictions->setDataset(info.data);
  else
    m_predictions->clearEvaluation();
  recountPredictions();
  m_inspector->setProbeCount(info.data->test.count);
  if (m_session->probe() >= info.data->test.count) setProbe(0);  // as the worker did
  m_inspector->clear();
  // The worker may have published the run's first frame before this arrived (a loaded
  // checkpoint's, say), and the session may have shown it already: ask for it again.
  m_session->invoke(&TrainingWorker::refreshSnapshot);
  updateActions();
}

void LiveTrainingView::onRunCleared() {
  m_panel->setRunPosition(1, 0);
  m_charts->keepPrevious();
  m_history.clear();
  m_charts->setLearningHistory({}, 0, {});
  m_layerStats.clear();
  m_predictions->clearEvaluation();
  m_predictionsPanel->showFilter(PredictionFilter::All);  // no predictions left to filter by
  if (m_data && m_predictions->dataset() != m_data) m_predictions->setDataset(m_data);
  recountPredictions();
  m_inspector->clear();
  updateActions();
}

void LiveTrainingView::onHistoryTakenBack(const RunHistoryPtr& history) {
  m_history.clear();  // the steps per epoch stay
  m_history.restore(*history);
  updateActions();
}

void LiveTrainingView::onEvaluated(const EvaluationReport& report) {
  m_history.addEvaluation(report.metrics);
  m_predictions->setEvaluation(report.result, report.history);
  m_charts->setLearningHistory(report.history, m_predictions->classes(),
                               m_predictions->classNames());
  m_inspector->setDeadUnits(report.dead);
  if (!report.deadError.isEmpty())
    Q_EMIT statusMessage(tr("Dead units not counted: %1").arg(report.deadError));
  recountPredictions();
  updateActions();
}

void LiveTrainingView::recountPredictions() {
  m_confusion->recount(*m_predictions);
  m_calibration->recount(*m_predictions);
}

QStringList LiveTrainingView::adoptRunSettings(const cs::CheckpointMeta& meta) {
  TrainingSettings settings = m_panel->settings();
  QStringList unshown;
  settings.adoptRun(meta, &unshown);
  m_panel->setSettings(settings);
  return unshown;
}

void LiveTrainingView::onCheckpointLoaded(const QString& path, const cs::CheckpointMeta& meta) {
  m_recentCheckpoints->add(path);
  const QStringList unshown = adoptRunSettings(meta);
  const TrainingSettings settings = m_panel->settings();
  const QLocale locale;
  QString note = tr("Loaded %1 (epochs %2, step %3) · Resume trains %4 more, to epoch %5")
                     .arg(QFileInfo(path).fileName())
                     .arg(meta.epoch)
                     .arg(locale.toString(meta.step))
                     .arg(settings.epochs)
                     .arg(meta.epoch + settings.epochs);
  if (!unshown.isEmpty())
    note += tr(" · the panel cannot show its %1; Reset returns to the panel's")
                .arg(unshown.join(QStringLiteral(", ")));
  Q_EMIT statusMessage(note);
}

void LiveTrainingView::showError(const QString& title, const QString& message) {
  // Not modal: training and the views keep going while the message is up.
  auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->setWindowModality(Qt::NonModal);
  box->show();
}

void LiveTrainingView::loadCheckpointFrom() {
  const QString path = askOpenFileName(this, tr("Load checkpoint"),
                                       tr("Safetensors checkpoint (*.safetensors);;All files (*)"));
  if (!path.isEmpty()) loadCheckpoint(path);
}

void LiveTrainingView::loadCheckpoint(const QString& path) {
  m_guard->confirm(tr("Loading a checkpoint"), {}, [s = m_session, path, request = runRequest()] {
    s->invoke(&TrainingWorker::loadCheckpoint, path, request);
  });
}
