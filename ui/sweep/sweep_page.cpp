#include "sweep/sweep_page.h"

#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "convscope/atomic_file.h"
#include "convscope/store.h"
#include "settings/training_settings.h"
#include "sweep/comparison_panel.h"
#include "sweep/parameter_chart.h"
#include "sweep/sweep_box_chart.h"
#include "sweep/sweep_config_model.h"
#include "sweep/sweep_dialog.h"
#include "sweep/sweep_list_model.h"
#include "sweep/sweep_list_panel.h"
#include "sweep/sweep_worker.h"
#include "widgets/app_resources.h"
#include "widgets/count_text.h"
#include "widgets/delete_action.h"

namespace {

// The Ensemble page's style sheet (title, training box, primary button) on a white page.
QString pageStyle() {
  return QStringLiteral("SweepPage, QWidget#sweepContent { background: #ffffff; }\n") +
         pageStyleSheet();
}

}  // namespace

SweepPage::SweepPage(QWidget* parent)
    : QWidget(parent),
      m_storePath(QString::fromStdString(cs::default_store_path())),
      m_listModel(new SweepListModel(this)),
      m_listPanel(new SweepListPanel(m_listModel)),
      m_configModel(new SweepConfigModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_title(new QLabel),
      m_subtitle(new QLabel),
      m_table(new QTableView),
      m_open(new QPushButton(QIcon(QStringLiteral(":/icons/ensemble.svg")),
                             tr("Open in Ensemble view"))),
      m_charts(new QTabWidget),
      m_boxChart(new SweepBoxChart),
      m_paramChart(new ParameterChart),
      m_comparison(new ComparisonPanel) {
  registerSweepTypes();
  setObjectName(QStringLiteral("sweepPage"));
  setAttribute(Qt::WA_StyledBackground);
  setStyleSheet(pageStyle());
  m_proxy->setSourceModel(m_configModel);
  m_proxy->setSortRole(SweepConfigModel::SortRole);

  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(m_listPanel);
  split->addWidget(buildContent());
  split->setStretchFactor(1, 1);
  split->setSizes({360, 1240});
  split->setChildrenCollapsible(false);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);

  connect(m_listPanel, &SweepListPanel::sweepActivated, this, &SweepPage::openSweep);
  connect(m_listPanel, &SweepListPanel::refreshRequested, this, &SweepPage::refresh);
  connect(m_listPanel, &SweepListPanel::deleteRequested, this, &SweepPage::deleteSweep);
  connect(m_listPanel, &SweepListPanel::newRequested, this, &SweepPage::showNewSweepDialog);
  connect(m_listPanel, &SweepListPanel::resumeRequested, this,
          [this] { resumeSweep(m_listPanel->selectedSweep()); });
  connect(m_listPanel, &SweepListPanel::cancelRequested, this, &SweepPage::cancelSweep);
  connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
    openConfig(m_proxy->data(index, SweepConfigModel::ConfigRole).toInt());
  });
  connect(m_open, &QPushButton::clicked, this, [this] { openConfig(selectedConfig()); });
  connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &SweepPage::onSelectionChanged);
  connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &SweepPage::updateBoxChart);
  setSweep(nullptr);
  refreshSweeps();
}

SweepPage::~SweepPage() {
  if (m_worker) m_worker->cancel();
  m_thread.quit();
  m_thread.wait();
}

QWidget* SweepPage::buildContent() {
  m_title->setObjectName(QStringLiteral("runTitle"));
  m_title->setWordWrap(true);
  m_subtitle->setObjectName(QStringLiteral("note"));
  m_subtitle->setWordWrap(true);
  m_subtitle->setText(
      tr("Choose a stored sweep on the left, or start one with New sweep…: every configuration "
         "of a grid (learning rates, optimizers, architectures) trained as a group of networks, "
         "compared by their accuracy distributions."));
  m_table->setModel(m_proxy);
  m_table->setSortingEnabled(true);
  m_table->sortByColumn(0, Qt::AscendingOrder);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setShowGrid(false);
  m_table->setWordWrap(false);
  m_table->setAlternatingRowColors(true);
  m_table->verticalHeader()->hide();
  m_table->verticalHeader()->setDefaultSectionSize(24);
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->horizontalHeader()->setHighlightSections(false);
  m_table->setToolTip(
      tr("Double-click a configuration to open its ensemble; select two to "
         "compare them"));
  m_open->setEnabled(false);
  auto* hint =
      new QLabel(tr("Click a header to sort (the box plots follow). Select two rows to "
                    "compare them; double-click one to open its ensemble."));
  hint->setObjectName(QStringLiteral("hint"));
  hint->setWordWrap(true);
  auto* tableHeader = new QHBoxLayout;
  tableHeader->addWidget(hint, 1);
  tableHeader->addWidget(m_open);
  auto* tableBox = new QWidget;
  auto* tableLayout = new QVBoxLayout(tableBox);
  tableLayout->setContentsMargins(0, 0, 0, 0);
  tableLayout->setSpacing(4);
  tableLayout->addWidget(m_table, 1);
  tableLayout->addLayout(tableHeader);

  m_charts->setDocumentMode(true);
  m_charts->addTab(m_boxChart, tr("Distributions"));
  m_charts->addTab(m_paramChart, tr("By parameter"));
  auto* vertical = new QSplitter(Qt::Vertical);
  vertical->addWidget(tableBox);
  vertical->addWidget(m_charts);
  vertical->setChildrenCollapsible(false);
  vertical->setSizes({300, 420});

  auto* content = new QWidget;
  content->setObjectName(QStringLiteral("sweepContent"));
  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(8, 8, 10, 8);
  layout->setSpacing(6);
  layout->addWidget(m_title);
  layout->addWidget(m_subtitle);
  layout->addWidget(vertical, 1);
  layout->addWidget(m_comparison);
  return content;
}

void SweepPage::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (m_shown) return;
  m_shown = true;
  if (!m_sweep && m_listModel->rowCount() > 0) openSweep(m_listModel->sweepAt(0));
}

cs::Store& SweepPage::store() {
  if (!m_store) m_store = std::make_unique<cs::Store>(m_storePath.toStdString());
  return *m_store;
}

void SweepPage::setStorePath(const QString& path) {
  if (path == m_storePath && m_store) return;
  m_storePath = path;
  m_store.reset();
  m_runResults.clear();
  if (!runningShown()) m_configModel->setTraining(-1, -1, 0);  // its sweep is another store's
  setSweep(nullptr);
  refreshSweeps();
}

void SweepPage::refreshSweeps() {
  const qint64 shown = m_sweep ? m_sweep->id() : -1;
  try {
    m_listModel->setSweeps(SweepListModel::read(store()));
    m_listPanel->showStore(countText(m_listModel->rowCount(), tr("sweep"), tr("sweeps")),
                           m_storePath);
  } catch (const std::exception& e) {  // StoreError, or a definition that does not parse
    m_store.reset();
    m_runResults.clear();  // the file opened next may be another
    m_listModel->setSweeps({});
    m_listPanel->setStoreNote(QString::fromUtf8(e.what()), true);
  }
  m_listPanel->selectSweep(shown);
  const int row = m_listModel->rowOf(shown);
  m_listPanel->setResumable(row >= 0 && m_listModel->sweeps()[row].resumable);
}

void SweepPage::refresh() {
  refreshSweeps();
  if (m_sweep) openSweep(m_sweep->id());
}

void SweepPage::deleteSweep(qint64 sweep, bool withRuns) {
  bool deleted = false;
  try {
    deleted = store().delete_sweep(sweep, withRuns);
  } catch (const cs::StoreError& e) {
    showError(tr("Cannot delete sweep %1").arg(sweep), QString::fromUtf8(e.what()));
  }
  if (deleted && m_sweep && m_sweep->id() == sweep) setSweep(nullptr);
  refreshSweeps();
  if (!deleted) return;
  Q_EMIT sweepDeleted(sweep);
  Q_EMIT statusMessage((withRuns ? tr("Deleted sweep %1 and its runs").arg(sweep)
                                 : tr("Deleted sweep %1; its runs stay").arg(sweep)) +
                       keptSpaceNote(m_store.get()));
}

QString SweepPage::title() const {
  return m_title->text();
}

bool SweepPage::openSweep(qint64 sweep) {
  SweepDataPtr loaded;
  try {
    loaded = SweepData::load(store(), sweep, &m_runResults);
  } catch (const std::exception& e) {
    showError(tr("Cannot open sweep %1").arg(sweep), QString::fromUtf8(e.what()));
    m_listPanel->selectSweep(m_sweep ? m_sweep->id() : -1);
    return false;
  }
  // The same sweep again (reloaded while it runs): keep the selection and the comparison.
  const bool same = m_sweep && m_sweep->id() == sweep;
  const int selected = selectedConfig(), a = m_comparison->first(), b = m_comparison->second();
  setSweep(std::move(loaded));
  if (same && selected >= 0) selectConfig(selected);
  if (same && a >= 0 && b >= 0) m_comparison->compare(a, b);
  m_listPanel->selectSweep(sweep);
  m_listPanel->setResumable(m_sweep->resumable());
  Q_EMIT sweepOpened(sweep);
  return true;
}

void SweepPage::setSweep(SweepDataPtr sweep) {
  m_sweep = std::move(sweep);
  m_configModel->setSweep(m_sweep);
  m_paramChart->setSweep(m_sweep);
  m_comparison->setSweep(m_sweep);
  updateBoxChart();
  for (int c = 0; c < m_configModel->columnCount(); ++c) m_table->resizeColumnToContents(c);
  m_subtitle->setVisible(!m_sweep);
  if (!m_sweep) {
    m_title->setText(tr("No sweep open"));
  } else {
    m_title->setText(tr("Sweep %1 · %2 × %3 · %4 · %5 · %6 finished%7")
                         .arg(m_sweep->id())
                         .arg(countText(static_cast<long long>(m_sweep->configs().size()),
                                        tr("configuration"), tr("configurations")),
                              countText(m_sweep->nets(), tr("network"), tr("networks")),
                              countText(m_sweep->epochs(), tr("epoch"), tr("epochs")),
                              m_sweep->data())
                         .arg(m_sweep->finishedCount())
                         .arg(m_sweep->beingTrained() ? tr(" · being trained now") : QString()));
  }
  onSelectionChanged();
}

void SweepPage::updateBoxChart() {
  std::vector<const SweepConfigResult*> ordered;
  for (int row = 0; row < m_proxy->rowCount(); ++row)
    ordered.push_back(m_configModel->configAt(m_proxy->mapToSource(m_proxy->index(row, 0)).row()));
  m_boxChart->setConfigs(ordered);
}

int SweepPage::selectedConfig() const {
  const QModelIndex current = m_table->currentIndex();
  return current.isValid() ? m_proxy->data(current, SweepConfigModel::ConfigRole).toInt() : -1;
}

void SweepPage::selectConfig(int config) {
  for (int row = 0; row < m_proxy->rowCount(); ++row)
    if (m_proxy->data(m_proxy->index(row, 0), SweepConfigModel::ConfigRole).toInt() == config)
      return m_table->selectRow(row);
  m_table->clearSelection();
}

void SweepPage::onSelectionChanged() {
  const QModelIndexList rows = m_table->selectionModel()->selectedRows();
  const int config = selectedConfig();
  m_open->setEnabled(m_sweep && config >= 0 && m_sweep->configs()[config].run >= 0);
  if (rows.size() == 2)
    m_comparison->compare(m_proxy->data(rows[0], SweepConfigModel::ConfigRole).toInt(),
                          m_proxy->data(rows[1], SweepConfigModel::ConfigRole).toInt());
}

void SweepPage::openConfig(int config) {
  if (!m_sweep || config < 0 || config >= static_cast<int>(m_sweep->configs().size())) return;
  const SweepConfigResult& c = m_sweep->configs()[config];
  if (c.run < 0) {
    Q_EMIT statusMessage(tr("Configuration #%1 has not begun: no run to open").arg(config));
    return;
  }
  Q_EMIT openRunRequested(c.run);
}

void SweepPage::showError(const QString& title, const QString& message) {
  auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();  // not modal to the event loop: training and tests go on
  Q_EMIT statusMessage(title);
}

void SweepPage::setDataset(DatasetPtr data, const QString& folder) {
  m_data = std::move(data);
  m_dataName = TrainingSettings::engineNameOf(folder).toStdString();
}

void SweepPage::showNewSweepDialog() {
  if (m_running) return;
  const QString folder = QString::fromStdString(cs::dataset_folder(m_dataName));
  const QString dataName =
      tr("%1 from %2")
          .arg(TrainingSettings::displayNameOf(folder), QDir::toNativeSeparators(folder));
  auto* dialog = new SweepDialog(dataName, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  if (!m_lastGrid.isEmpty()) {  // the last one started, also when it failed
    dialog->setGrid(m_lastGrid);
    dialog->setNets(m_lastNets);
    dialog->setEpochs(m_lastEpochs);
  }
  dialog->setData(m_data);
  connect(dialog, &QDialog::accepted, this, [this, dialog] {
    m_lastGrid = dialog->grid();
    m_lastNets = dialog->nets();
    m_lastEpochs = dialog->epochs();
    SweepRequest request;
    request.plan = dialog->plan();  // the dialog accepts only a grid that parses
    request.plan.settings.data = m_dataName;
    request.data = m_data;
    startSweep(std::move(request));
  });
  dialog->open();
}

void SweepPage::resumeSweep(qint64 sweep) {
  if (sweep < 0) return;
  SweepRequest request;
  request.resume = sweep;
  // The page's data when the sweep was run on it; otherwise the worker loads the sweep's data.
  if (m_data && m_sweep && m_sweep->id() == sweep &&
      m_sweep->data() == QString::fromStdString(m_dataName))
    request.data = m_data;
  startSweep(std::move(request));
}

void SweepPage::connectWorker() {
  m_worker = new SweepWorker;
  m_worker->moveToThread(&m_thread);
  connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
  connect(m_worker, &SweepWorker::started, this, [this](qint64 sweep, const QString& what) {
    m_listPanel->showRunning(tr("Sweep %1: %2").arg(sweep).arg(what));
    refreshSweeps();
    if (runningShown()) openSweep(sweep);
  });
  connect(m_worker, &SweepWorker::progress, this, [this](const SweepProgress& p) {
    m_listPanel->setProgress(p);
    if (!runningShown()) return;  // a sweep of another store: this page shows none of it
    const int before = m_configModel->trainingConfig();
    m_configModel->setTraining(p.sweep, p.config, p.unitFraction);
    // A new configuration in training: the one before it has ended (finished or failed).
    if (p.config != before && before >= 0 && m_sweep && m_sweep->id() == p.sweep) {
      refreshSweeps();
      openSweep(p.sweep);
    }
  });
  connect(m_worker, &SweepWorker::epochRecorded, this,
          [this](qint64 sweep, int config, qint64 run, int epoch, double accuracy) {
            Q_EMIT statusMessage(tr("Sweep %1, configuration #%2 (run %3): epoch %4 recorded, "
                                    "mean accuracy %5%")
                                     .arg(sweep)
                                     .arg(config)
                                     .arg(run)
                                     .arg(epoch)
                                     .arg(numberText(100 * accuracy, 2)));
          });
  connect(m_worker, &SweepWorker::configFailed, this, [this](int config, const QString& message) {
    Q_EMIT statusMessage(tr("Configuration #%1 failed: %2").arg(config).arg(message));
  });
  connect(m_worker, &SweepWorker::finished, this,
          [this](qint64 sweep, bool cancelled, int finished, int configs) {
            onRunEnded(sweep);
            Q_EMIT statusMessage(
                sweep < 0   ? tr("Cancelled before the sweep began: nothing was stored or changed")
                : cancelled ? tr("Sweep %1 cancelled: %2 of %3 configurations finished; Resume "
                                 "trains the others")
                                  .arg(sweep)
                                  .arg(finished)
                                  .arg(configs)
                            : tr("Sweep %1: %2 of %3 configurations finished")
                                  .arg(sweep)
                                  .arg(finished)
                                  .arg(configs));
            Q_EMIT sweepFinished(sweep, cancelled);
          });
  connect(m_worker, &SweepWorker::failed, this,
          [this](qint64 sweep, const QString& title, const QString& message) {
            onRunEnded(sweep);
            showError(title, message);
            Q_EMIT sweepFailed(sweep, message);
          });
  m_thread.setObjectName(QStringLiteral("sweep worker"));
  m_thread.start();
}

void SweepPage::startSweep(SweepRequest request) {
  if (m_running) return;
  if (!m_worker) connectWorker();
  if (request.storePath.isEmpty()) request.storePath = m_storePath;
  m_running = true;
  m_runningStore = request.storePath;
  m_listPanel->showRunning(tr("Starting the sweep…"));
  m_worker->resetCancel();
  SweepWorker* worker = m_worker;
  QMetaObject::invokeMethod(
      worker, [worker, request] { worker->run(request); }, Qt::QueuedConnection);
}

bool SweepPage::runningShown() const {
  // False while the sweep trains into another store than the one shown.
  return cs::same_file(m_runningStore.toStdString(), m_storePath.toStdString());
}

void SweepPage::cancelSweep() {
  if (!m_running) return;
  m_worker->cancel();
  m_listPanel->cancelButton()->setEnabled(false);
}

void SweepPage::onRunEnded(qint64 sweep) {
  m_running = false;
  m_configModel->setTraining(-1, -1, 0);
  m_listPanel->hideRunning();
  if (!runningShown()) return;  // a sweep of another store: nothing here changed
  if (sweep >= 0) {
    refreshSweeps();
    openSweep(sweep);
  } else {
    refresh();  // it failed before it began: what is shown is read again
  }
}
