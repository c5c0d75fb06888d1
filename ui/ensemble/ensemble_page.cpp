#include "ensemble/ensemble_page.h"

#include "export/save_file.h"

#include <QDir>
#include <QElapsedTimer>
#include <QLocale>
#include <QMessageBox>
#include <QMetaMethod>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTextStream>
#include <QVBoxLayout>
#include <cmath>

#include "canvas/vote_panel.h"
#include "convscope/atomic_file.h"
#include "convscope/ensemble_run.h"
#include "convscope/store.h"
#include "ensemble/accuracy_charts.h"
#include "ensemble/confusion_box.h"
#include "ensemble/continue_run_dialog.h"
#include "ensemble/ensemble_summary.h"
#include "ensemble/ensemble_train_dialog.h"
#include "ensemble/ensemble_worker.h"
#include "ensemble/image_detail_panel.h"
#include "ensemble/misclassification_filter_model.h"
#include "ensemble/misclassification_model.h"
#include "ensemble/misclassification_panel.h"
#include "ensemble/runs_model.h"
#include "ensemble/runs_panel.h"
#include "ensemble/validation_images.h"
#include "predictions/calibration_model.h"
#include "predictions/calibration_view.h"
#include "predictions/confusion_matrix_model.h"
#include "predictions/confusion_matrix_view.h"
#include "widgets/app_resources.h"
#include "widgets/count_text.h"
#include "widgets/delete_action.h"
#include "widgets/file_dialogs.h"

EnsemblePage::EnsemblePage(QWidget* parent)
    : QWidget(parent),
      m_storePath(QString::fromStdString(cs::default_store_path())),
      m_runsModel(new RunsModel(this)),
      m_model(new MisclassificationModel(this)),
      m_proxy(new MisclassificationFilterModel(this)),
      m_confusion(new ConfusionMatrixModel(this)),
      m_runsPanel(new RunsPanel(m_runsModel)),
      m_summary(new EnsembleSummary),
      m_charts(new AccuracyCharts),
      m_confusionView(new ConfusionMatrixView(m_confusion)),
      m_table(new MisclassificationPanel(m_proxy)),
      m_detail(new ImageDetailPanel),
      m_vote(new VotePanel),
      m_calibration(new CalibrationModel(this)),
      m_calibrationView(new CalibrationView(m_calibration)) {
  registerEnsembleTypes();
  setObjectName(QStringLiteral("ensemblePage"));
  setAttribute(Qt::WA_StyledBackground);
  setStyleSheet(pageStyleSheet());
  m_proxy->setSourceModel(m_model);

  // Left: which run and which confusion cell. Right: the run's figures, charts and images.
  auto* left = new QSplitter(Qt::Vertical);
  auto* confusionBox = new ConfusionBox(m_confusionView);
  connect(confusionBox, &ConfusionBox::clearRequested, this, &EnsemblePage::clearCellFilter);
  left->addWidget(m_runsPanel);
  left->addWidget(confusionBox);
  left->setStretchFactor(1, 1);  // the confusion matrix's cells grow with the space
  left->setChildrenCollapsible(false);
  left->setSizes({250, 750});
  auto* bottom = new QSplitter(Qt::Horizontal);
  bottom->addWidget(m_table);
  auto* tabs = new QTabWidget;
  tabs->setObjectName(QStringLiteral("detailTabs"));
  tabs->addTab(m_detail, tr("Selected image"));
  tabs->addTab(m_vote, tr("Draw a digit"));
  tabs->addTab(m_calibrationView, tr("Calibration"));
  showCalibration();  // what to do to see one
  bottom->addWidget(tabs);
  bottom->setChildrenCollapsible(false);
  bottom->setSizes({600, 520});
  auto* vertical = new QSplitter(Qt::Vertical);
  vertical->addWidget(m_charts);
  vertical->addWidget(bottom);
  vertical->setChildrenCollapsible(false);
  vertical->setSizes({300, 520});

  auto* content = new QWidget;
  content->setObjectName(QStringLiteral("ensembleContent"));
  auto* contentLayout = new QVBoxLayout(content);
  contentLayout->setContentsMargins(8, 8, 10, 8);
  contentLayout->setSpacing(8);
  contentLayout->addWidget(m_summary);
  contentLayout->addWidget(vertical, 1);
  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(left);
  split->addWidget(content);
  split->setStretchFactor(1, 1);
  split->setSizes({400, 1200});  // the run list keeps Run to Status; the rest for the run
  split->setChildrenCollapsible(false);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);

  connect(m_runsPanel, &RunsPanel::runActivated, this, &EnsemblePage::openRun);
  connect(m_runsPanel, &RunsPanel::refreshRequested, this, &EnsemblePage::refreshRuns);
  connect(m_runsPanel, &RunsPanel::trainRequested, this, &EnsemblePage::onTrainClicked);
  connect(m_runsPanel, &RunsPanel::continueRequested, this, &EnsemblePage::onContinueClicked);
  connect(m_runsPanel, &RunsPanel::deleteRequested, this, &EnsemblePage::deleteRun);
  connect(m_runsPanel, &RunsPanel::cancelRequested, this, &EnsemblePage::cancelTraining);
  connect(m_table, &MisclassificationPanel::imageSelected, this, &EnsemblePage::showImage);
  connect(m_table, &MisclassificationPanel::exportCsvRequested, this, &EnsemblePage::exportCsv);
  connect(m_charts, &AccuracyCharts::exportPngRequested, this, [this] { exportChart(false); });
  connect(m_charts, &AccuracyCharts::exportSvgRequested, this, [this] { exportChart(true); });
  connect(m_confusionView, &ConfusionMatrixView::cellActivated, this, &EnsemblePage::filterByCell);
  connect(m_confusionView, &ConfusionMatrixView::trueLabelActivated, this,
          [this](int label) { m_proxy->setLabels(label, -1); });
  connect(m_charts, &AccuracyCharts::classActivated, this,
          [this](int label) { m_proxy->setLabels(label, -1); });
  connect(m_confusionView, &ConfusionMatrixView::predictedLabelActivated, this,
          [this](int label) { m_proxy->setLabels(-1, label); });
  connect(m_proxy, &MisclassificationFilterModel::filtersChanged, this, [this] {
    // Filters changed elsewhere (the controls above the table) no longer match the cell.
    const bool diagonal = m_cellTrue == m_cellPredicted;
    if (m_proxy->trueLabel() != m_cellTrue ||
        m_proxy->wrongLabel() != (diagonal ? -1 : m_cellPredicted))
      m_cellTrue = m_cellPredicted = -1;
    m_confusionView->markCell(m_cellTrue, m_cellPredicted);
  });
  setRun(nullptr);
  refreshRuns();
}

EnsemblePage::~EnsemblePage() {
  if (m_worker) m_worker->cancel();
  m_thread.quit();
  m_thread.wait();
}

void EnsemblePage::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (m_shown) return;
  m_shown = true;
  if (!m_run && m_runsModel->rowCount() > 0) openRun(m_runsModel->runAt(0));
}

cs::Store& EnsemblePage::store() {
  if (!m_store) m_store = std::make_unique<cs::Store>(m_storePath.toStdString());
  return *m_store;
}

void EnsemblePage::setStorePath(const QString& path) {
  if (path == m_storePath && m_store) return;
  m_storePath = path;
  m_store.reset();
  setRun(nullptr);
  refreshRuns();
}

void EnsemblePage::rememberDataset(const DatasetPtr& data) {
  if (data)  // shares the pair's ownership
    m_images.remember(std::shared_ptr<const cs::Dataset>(data, &data->test));
}

void EnsemblePage::refreshRuns() {
  qint64 shown = m_run ? m_run->info().id : -1;
  try {
    m_runsModel->setRuns(store().list_runs());
    m_runsPanel->showStore(countText(m_runsModel->rowCount(), tr("run"), tr("runs")), m_storePath);
    // The run shown is gone (deleted with its sweep, or by another process): so is its view.
    if (shown >= 0 && m_runsModel->rowOf(shown) < 0) {
      setRun(nullptr);
      shown = -1;
    }
  } catch (const cs::StoreError& e) {
    m_store.reset();
    m_runsModel->setRuns({});
    m_runsPanel->setStoreNote(QString::fromUtf8(e.what()), true);
  }
  m_runsPanel->selectRun(shown);
}

bool EnsemblePage::openRun(qint64 run) {
  QElapsedTimer clock;
  clock.start();
  EnsembleRunPtr opened;
  try {
    cs::StoredRun stored = store().load_run(run, true);
    const ValidationImages::Match match = m_images.find(stored.info.setup);
    opened = std::make_shared<const EnsembleRun>(std::move(stored), match.images, match.note,
                                                 match.warning);
  } catch (const std::exception& e) {  // StoreError, or predictions that do not fit
    showError(tr("Cannot open run %1").arg(run), QString::fromUtf8(e.what()));
    m_runsPanel->selectRun(m_run ? m_run->info().id : -1);
    return false;
  }
  // The same run again (its newer epochs): the image looked at stays selected.
  const int image = m_run && m_run->info().id == run ? m_table->currentImage() : -1;
  setRun(std::move(opened));
  if (image >= 0) m_table->selectImage(image);
  m_runsPanel->selectRun(run);
  Q_EMIT runOpened(run);
  Q_EMIT statusMessage(tr("Opened run %1 in %2 ms").arg(run).arg(clock.elapsed()));
  return true;
}

void EnsemblePage::deleteRun(qint64 run) {
  // Not locked in the store until its networks are read (a run of another store may have its id).
  if (m_training && trainingShown() && run == m_continuing)
    return showError(tr("Cannot delete run %1").arg(run),
                     tr("Run %1 is being continued: cancel it first.").arg(run));
  bool deleted = false;
  try {
    deleted = store().delete_run(run);
  } catch (const cs::StoreError& e) {
    showError(tr("Cannot delete run %1").arg(run), QString::fromUtf8(e.what()));
  }
  if (deleted && m_run && m_run->info().id == run) setRun(nullptr);
  refreshRuns();
  if (!deleted) return;
  Q_EMIT runDeleted(run);
  Q_EMIT statusMessage(tr("Deleted run %1").arg(run) + keptSpaceNote(m_store.get()));
}

void EnsemblePage::setRun(EnsembleRunPtr run) {
  m_run = std::move(run);  // a run without a finished epoch shows its summary only
  m_summary->setRun(m_run);
  if (m_run)
    m_vote->setRun(m_storePath, m_run->info().id, m_run->info().epochs_done,
                   m_run->info().setup.group, m_run->classNames());
  else
    m_vote->setRun({}, -1, 0, {}, {});
  m_charts->setRun(m_run);
  if (m_run && m_run->hasPredictions()) {
    const std::vector<int64_t>& counts = m_run->stats().confusion;
    m_confusion->setCounts(m_run->classes(), {counts.begin(), counts.end()}, m_run->nets());
  } else {
    m_confusion->setCounts(0, {});
  }
  m_confusion->setClassNames(m_run ? m_run->classNames() : ClassNames());
  showCalibration();
  m_model->setRun(m_run);  // the panel makes the top row current
  m_table->setRun(m_run);
  showImage(m_table->currentImage());
  m_confusionView->markCell(m_cellTrue, m_cellPredicted);
}

void EnsemblePage::showCalibration() {
  if (!m_run || !m_run->hasPredictions()) {
    m_calibrationView->setComment({});
    m_calibrationView->setPlaceholderText(
        m_run ? tr("Run %1 has no finished epoch yet: its vote's calibration comes with the first.")
                    .arg(m_run->info().id)
              : tr("Open a run to see how often its vote is right against how sure it is."));
    return m_calibration->clear();
  }
  const cs::EnsembleCalibration& c = m_run->calibration();
  m_calibration->setCalibration(c.vote);
  const QString alone =
      std::isnan(c.mean_net_ece)
          ? tr("A network alone: none, no network's top-1 probability is a number in [0, 1].")
          : tr("A network alone: ECE %1 on average (%2 to %3).")
                .arg(percentText(c.mean_net_ece, 2), percentText(c.min_net_ece, 2),
                     percentText(c.max_net_ece, 2));
  const QString nets = countText(m_run->nets(), tr("network"), tr("networks"));
  const QString vote =  // how low its confidence may read, where it has one
      c.vote.count == 0
          ? tr("The vote of %1 (their top-3 probabilities averaged).").arg(nets)
          : tr("The vote of %1 (their top-3 probabilities averaged: its confidence is low by at "
               "most %2 points, their probability outside the top 3).")
                .arg(nets, QLocale().toString(100 * c.outside_top3, 'f', 2));
  m_calibrationView->setComment(vote + QLatin1Char(' ') + alone);
}

void EnsemblePage::showImage(int image) {
  m_detail->setImage(m_run && m_run->hasPredictions() ? m_run : nullptr, image);
}

void EnsemblePage::filterByCell(int trueLabel, int predicted) {
  if (trueLabel == m_cellTrue && predicted == m_cellPredicted) return clearCellFilter();
  m_cellTrue = trueLabel;
  m_cellPredicted = predicted;
  m_proxy->setLabels(trueLabel, trueLabel == predicted ? -1 : predicted);
  m_confusionView->markCell(trueLabel, predicted);
}

void EnsemblePage::clearCellFilter() {
  m_cellTrue = m_cellPredicted = -1;
  m_proxy->setLabels(-1, -1);
  m_confusionView->markCell(-1, -1);
}

void EnsemblePage::showError(const QString& title, const QString& message) {
  auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();  // not modal to the event loop: training and tests go on
  Q_EMIT statusMessage(title);
}

QString EnsemblePage::runFileName(const QString& what, const QString& suffix) const {
  const QString run = m_run ? QStringLiteral("run-%1-").arg(m_run->info().id) : QString();
  return QStringLiteral("ensemble-%1%2.%3").arg(run, what, suffix);
}

void EnsemblePage::onTrainClicked() {
  if (isSignalConnected(QMetaMethod::fromSignal(&EnsemblePage::trainEnsembleRequested)))
    Q_EMIT trainEnsembleRequested();
  else
    showTrainDialog(cs::TrainConfig{}, nullptr);
}

void EnsemblePage::showTrainDialog(const cs::TrainConfig& base, const DatasetPtr& data) {
  if (m_training) return;
  auto* dialog = new EnsembleTrainDialog(base, data, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog, data] {
    EnsembleRequest request;
    request.config = dialog->config();
    request.data = data;
    request.trainLimit = dialog->trainLimit();
    startTraining(std::move(request));
  });
  dialog->open();
}

void EnsemblePage::onContinueClicked(qint64 run) {
  if (isSignalConnected(QMetaMethod::fromSignal(&EnsemblePage::continueRunRequested)))
    Q_EMIT continueRunRequested(run);
  else
    showContinueDialog(run, nullptr);
}

void EnsemblePage::showContinueDialog(qint64 run, const DatasetPtr& data) {
  if (m_training) return;
  cs::RunInfo info;
  int trainImages = 0, stoppedAt = 0;  // where it stopped inside an epoch, if it did
  try {
    info = store().load_run_info(run);
    if (const auto stopped = store().load_stopped_epoch(run, false)) {
      trainImages = stopped->train_images;
      stoppedAt = stopped->position;
    } else {
      trainImages = store().load_training_state(run, 0).train_images;
    }
  } catch (const cs::StoreError& e) {
    showError(tr("Run %1 cannot continue").arg(run), QString::fromUtf8(e.what()));
    return;
  }
  if (const std::string problem = cs::sweep_run_problem(info); !problem.empty()) {
    showError(tr("Run %1 cannot continue here").arg(run),
              tr("Run %1 %2.").arg(run).arg(QString::fromStdString(problem)));
    return;
  }
  // The window's data when the run trained on it, else the run's own folder, loaded by the worker
  // (a message where the app does not find it; a folder whose images changed is refused with the
  // engine's reason).
  const DatasetPtr usable = data && data->train.sha256 == info.setup.train_sha256 &&
                                    data->test.sha256 == info.setup.val_sha256
                                ? data
                                : DatasetPtr{};
  const QString folder = usable ? QString() : ValidationImages::folderFor(info.setup.val_name);
  if (!usable && folder.isEmpty()) {
    showError(tr("Run %1 cannot continue here").arg(run),
              tr("Run %1 trained on %2, which is not found here. Choose its folder as the "
                 "live view's dataset (Other IDX folder…), then Continue… again.")
                  .arg(run)
                  .arg(QString::fromStdString(cs::dataset_name_of(info.setup.train_name))));
    return;
  }
  auto* dialog = new ContinueRunDialog(info, trainImages, stoppedAt, folder, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog, usable, folder, run, trainImages] {
    EnsembleRequest request;
    request.config = dialog->config();
    request.backend = dialog->backend();
    request.data = usable;
    request.dataFolder = folder;
    request.trainLimit = trainImages;
    request.continueRun = run;
    startTraining(std::move(request));
  });
  dialog->open();
}

void EnsemblePage::connectWorker() {
  m_worker = new EnsembleWorker;
  m_worker->moveToThread(&m_thread);
  connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
  connect(m_worker, &EnsembleWorker::started, this, [this](qint64 run, const QString& what) {
    m_runsPanel->showTraining(tr("Training run %1: %2").arg(run).arg(what));
    refreshRuns();
    if (trainingShown()) openRun(run);  // watched as it trains: its epochs appear as recorded
  });
  connect(m_worker, &EnsembleWorker::progress, m_runsPanel, &RunsPanel::setProgress);
  // The run list follows the worker's reports at once, whatever the store shows yet.
  connect(m_worker, &EnsembleWorker::epochRecorded, this,
          [this](qint64 run, int epoch, double accuracy) {
            if (!trainingShown()) return;  // a run of another store: this list has none of it
            m_runsModel->noteEpoch(run, epoch, accuracy);
            refreshRuns();
            if (m_run && m_run->info().id == run) openRun(run);
            Q_EMIT statusMessage(tr("Run %1: epoch %2 recorded, mean accuracy %3%")
                                     .arg(run)
                                     .arg(epoch)
                                     .arg(numberText(100 * accuracy, 2)));
          });
  connect(m_worker, &EnsembleWorker::finished, this, [this](qint64 run, bool cancelled) {
    if (run >= 0 && trainingShown())
      m_runsModel->noteEnded(run, cancelled ? cs::RunStatus::Cancelled : cs::RunStatus::Finished);
    onTrainingEnded(run);
    Q_EMIT statusMessage(run < 0
                             ? tr("Cancelled before training began: no run was stored or changed")
                         : cancelled ? tr("Run %1 cancelled; its finished epochs are kept").arg(run)
                                     : tr("Run %1 finished").arg(run));
    Q_EMIT trainingFinished(run, cancelled);
  });
  connect(m_worker, &EnsembleWorker::failed, this,
          [this](qint64 run, const QString& title, const QString& message) {
            if (trainingShown()) m_runsModel->noteEnded(run, cs::RunStatus::Interrupted);
            onTrainingEnded(run);
            showError(title, message);
            Q_EMIT trainingFailed(run, message);
          });
  m_thread.setObjectName(QStringLiteral("ensemble worker"));
  m_thread.start();
}

void EnsemblePage::startTraining(EnsembleRequest request) {
  if (m_training) return;
  if (!m_worker) connectWorker();
  if (request.storePath.isEmpty()) request.storePath = m_storePath;
  rememberDataset(request.data);
  m_training = true;
  m_trainingStore = request.storePath;
  m_continuing = request.continueRun;
  m_runsPanel->showTraining(
      tr("Training %1…")
          .arg(countText(request.config.group.nets(), tr("network"), tr("networks"))));
  m_worker->resetCancel();
  EnsembleWorker* worker = m_worker;
  QMetaObject::invokeMethod(
      worker, [worker, request] { worker->train(request); }, Qt::QueuedConnection);
}

bool EnsemblePage::trainingShown() const {
  // False while the run trains into another store than the one shown.
  return cs::same_file(m_trainingStore.toStdString(), m_storePath.toStdString());
}

void EnsemblePage::cancelTraining() {
  if (!m_training) return;
  m_worker->cancel();
  m_runsPanel->cancelButton()->setEnabled(false);
}

void EnsemblePage::onTrainingEnded(qint64 run) {
  m_training = false;
  m_continuing = -1;
  m_runsPanel->hideTraining();
  refreshRuns();
  if (run >= 0 && trainingShown()) openRun(run);
}

bool EnsemblePage::writeCsv(const QString& path, QString* error) const {
  return saveText(
      path, [&](QTextStream& out) { m_proxy->writeCsv(out); }, error);
}

bool EnsemblePage::writeChartPng(const QString& path, QString* error) const {
  return m_charts->exportPng(path, error);
}

bool EnsemblePage::writeChartSvg(const QString& path, QString* error) const {
  return m_charts->exportSvg(path, error);
}

void EnsemblePage::exportCsv() {
  const QString path = askSaveFileName(this, tr("Export misclassification table"),
                                       runFileName(QStringLiteral("images"), QStringLiteral("csv")),
                                       tr("CSV files (*.csv)"));
  if (path.isEmpty()) return;
  QString error;
  if (writeCsv(path, &error))
    Q_EMIT statusMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
  else
    showError(tr("Export failed"), tr("Cannot write %1: %2").arg(path, error));
}

void EnsemblePage::exportChart(bool svg) {
  const QString suffix = svg ? QStringLiteral("svg") : QStringLiteral("png");
  const QString path =
      askSaveFileName(this, tr("Export chart"), runFileName(m_charts->fileStem(), suffix),
                      svg ? tr("SVG images (*.svg)") : tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  QString error;
  if (svg ? writeChartSvg(path, &error) : writeChartPng(path, &error))
    Q_EMIT statusMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
  else
    showError(tr("Export failed"), tr("Cannot write %1: %2").arg(path, error));
}
