#include "ensemble/runs_panel.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QResizeEvent>
#include <QScrollBar>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <numeric>

#include "ensemble/runs_model.h"
#include "widgets/count_text.h"
#include "widgets/delete_action.h"
#include "widgets/note_label.h"
#include "widgets/table_selection.h"
#include "widgets/task_progress_box.h"

RunsPanel::RunsPanel(RunsModel* model, QWidget* parent)
    : QWidget(parent),
      m_model(model),
      m_table(new QTableView),
      m_refresh(new QToolButton),
      m_train(
          new QPushButton(QIcon(QStringLiteral(":/icons/ensemble.svg")), tr("Train ensemble…"))),
      m_continue(new QPushButton(tr("Continue…"))),
      m_delete(addDeleteAction(m_table, tr("Delete run…"))),
      m_training(new TaskProgressBox),
      m_storeNote(new NoteLabel) {
  auto* title = new QLabel(tr("Stored ensembles"));
  title->setObjectName(QStringLiteral("sectionTitle"));
  m_refresh->setIcon(QIcon(QStringLiteral(":/icons/reset.svg")));
  m_refresh->setText(tr("Refresh"));
  m_refresh->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  m_refresh->setAutoRaise(true);
  m_refresh->setToolTip(tr("Read the run list from the run store again"));
  m_train->setObjectName(QStringLiteral("primaryButton"));
  m_train->setToolTip(tr("Train N copies of the live view's network from different seeds"));

  setup_row_table(m_table, model);
  for (int c = 0; c < RunsModel::ColumnCount; ++c) m_table->setColumnWidth(c, kColumnWidths[c]);
  m_table->viewport()->installEventFilter(this);  // fitColumns at each new width
  // Room for kMinRowsShown runs whatever else the panel shows: a splitter keeps only a widget's
  // minimum, and the training box took its height from the table (one row at 1366x768).
  m_table->setMinimumHeight(m_table->horizontalHeader()->sizeHint().height() +
                            kMinRowsShown * m_table->verticalHeader()->defaultSectionSize() +
                            m_table->horizontalScrollBar()->sizeHint().height() +
                            2 * m_table->frameWidth());

  m_storeNote->setWordWrap(true);
  m_storeNote->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* header = new QHBoxLayout;
  header->addWidget(title);
  header->addStretch(1);
  header->addWidget(m_refresh);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(10, 8, 6, 8);
  layout->setSpacing(6);
  layout->addLayout(header);
  layout->addWidget(m_table, 1);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(m_train, 1);
  buttons->addWidget(m_continue);
  layout->addLayout(buttons);
  layout->addWidget(m_training);
  layout->addWidget(m_storeNote);

  connect(m_refresh, &QToolButton::clicked, this, &RunsPanel::refreshRequested);
  connect(m_train, &QPushButton::clicked, this, &RunsPanel::trainRequested);
  connect(m_continue, &QPushButton::clicked, this, [this] {
    if (selectedRun() >= 0) Q_EMIT continueRequested(selectedRun());
  });
  connect(m_delete, &QAction::triggered, this, &RunsPanel::confirmDelete);
  connect(model, &QAbstractItemModel::modelReset, this, &RunsPanel::updateContinue);
  connect(model, &QAbstractItemModel::dataChanged, this, &RunsPanel::updateContinue);
  connect(m_training, &TaskProgressBox::cancelRequested, this, &RunsPanel::cancelRequested);
  connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            updateContinue();
            if (!m_selecting && current.isValid())
              Q_EMIT runActivated(m_model->runAt(current.row()));
          });
  updateContinue();
}

void RunsPanel::updateContinue() {
  const QModelIndex current = m_table->currentIndex();
  bool can = false;
  QString tip =
      tr("Train the selected run on from where it stopped (its latest recorded epoch, or its "
         "place inside the next), with its networks' weights and optimizer state");
  if (current.isValid()) {
    const cs::RunSummary& run = m_model->summaryAt(current.row());
    can = run.status != cs::RunStatus::Running && run.training_state && run.sweep.sweep == 0;
    if (run.sweep.sweep != 0)
      tip = tr("Run %1 trains configuration %2 of sweep %3 and is left to that sweep (Resume in "
               "the Sweep view), so that its configurations stay comparable")
                .arg(run.id)
                .arg(run.sweep.config)
                .arg(run.sweep.sweep);
    else if (!run.training_state && run.epochs_done > 0)
      tip = tr("Run %1 was recorded by an older Convscope, without its networks' optimizer state, "
               "and cannot continue")
                .arg(run.id);
  }
  m_continue->setEnabled(can && m_train->isEnabled());
  m_continue->setToolTip(tip);
  const qint64 run = selectedRun();
  m_delete->setText(run >= 0 ? tr("Delete run %1…").arg(run) : tr("Delete run…"));
  m_delete->setEnabled(run >= 0 &&
                       m_model->summaryAt(current.row()).status != cs::RunStatus::Running);
}

void RunsPanel::confirmDelete() {
  const QModelIndex current = m_table->currentIndex();
  if (!current.isValid() || !m_delete->isEnabled()) return;
  const cs::RunSummary& r = m_model->summaryAt(current.row());
  QString text = tr("Run %1 (%2, %3 of %4 epochs, %5) is removed from the run store with its "
                    "networks' weights, predictions and learning history.")
                     .arg(r.id)
                     .arg(countText(r.nets, tr("network"), tr("networks")))
                     .arg(r.epochs_done)
                     .arg(r.epochs)
                     .arg(QString::fromStdString(cs::to_string(r.status)));
  if (r.sweep.sweep != 0)
    text += tr(" It is configuration %1 of sweep %2, which trains that configuration again when "
               "it resumes.")
                .arg(r.sweep.config)
                .arg(r.sweep.sweep);
  const qint64 run = r.id;
  askToDelete(this, tr("Delete run %1").arg(run), text,
              [this, run](const QCheckBox*) { Q_EMIT deleteRequested(run); });
}

QPushButton* RunsPanel::cancelButton() const {
  return m_training->cancelButton();
}

QProgressBar* RunsPanel::progressBar() const {
  return m_training->progressBar();
}

QSize RunsPanel::minimumSizeHint() const {
  QSize size = QWidget::minimumSizeHint();
  if (layout()->hasHeightForWidth())
    size.setHeight(std::max(size.height(), layout()->minimumHeightForWidth(width())));
  return size;
}

bool RunsPanel::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_table->viewport() && event->type() == QEvent::Resize) fitColumns();
  return QWidget::eventFilter(watched, event);
}

void RunsPanel::fitColumns() {
  const int* status = kColumnWidths + RunsModel::StatusColumn;
  const bool roomy =
      m_table->viewport()->width() >=
      std::accumulate(kColumnWidths, status + 1, 0) + kColumnWidths[RunsModel::ArchitectureColumn];
  if (m_table->isColumnHidden(RunsModel::ArchitectureColumn) == roomy)
    m_table->setColumnHidden(RunsModel::ArchitectureColumn, !roomy);
}

void RunsPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  if (event->size().width() != event->oldSize().width()) updateGeometry();  // a new minimum
}

qint64 RunsPanel::selectedRun() const {
  const QModelIndex current = m_table->currentIndex();
  return current.isValid() ? m_model->runAt(current.row()) : -1;
}

void RunsPanel::selectRun(qint64 run) {
  m_selecting = true;
  select_table_row(m_table, m_model->rowOf(run));
  m_selecting = false;
}

void RunsPanel::setStoreNote(const QString& text, bool problem) {
  m_storeNote->setNote(text, problem);
}

QString RunsPanel::duration(double seconds) {
  const long long s = std::llround(std::max(0.0, seconds));
  if (s >= 3600)
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600)
        .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

void RunsPanel::showTraining(const QString& description) {
  m_training->begin(description, tr("Starting…"));
  m_train->setEnabled(false);
  updateContinue();
}

void RunsPanel::setProgress(const EnsembleProgress& p) {
  using Phase = EnsembleProgress::Phase;
  const QLocale locale;
  QString status;
  switch (p.phase) {
    case Phase::Loading:
      status = tr("Loading the dataset…");
      break;
    case Phase::Preparing:
      status = tr("Preparing %1…").arg(countText(p.nets, tr("network"), tr("networks")));
      break;
    case Phase::Saving:
      status =
          tr("Saving the weights of %1…").arg(countText(p.nets, tr("network"), tr("networks")));
      break;
    case Phase::Training: {
      const int epoch = std::min(p.epoch + 1, p.epochs);
      status =
          tr("%1 networks × epoch %2/%3 · step %4/%5\n%6 samples/s · %7 elapsed")
              .arg(p.nets)
              .arg(epoch)
              .arg(p.epochs)
              .arg(std::min(p.stepInEpoch, p.stepsPerEpoch))
              .arg(p.stepsPerEpoch)
              .arg(locale.toString(p.groupSamplesPerSecond, 'f', 0), duration(p.elapsedSeconds));
      if (p.etaSeconds >= 0) status += tr(" · %1 left").arg(duration(p.etaSeconds));
      if (p.lastMeanAccuracy >= 0)
        status += tr("\nepoch %1: mean accuracy %2%")
                      .arg(p.epoch)
                      .arg(100 * p.lastMeanAccuracy, 0, 'f', 2);
      break;
    }
  }
  m_training->setProgress(p.fraction(), status, sentence(p.warning));
}

void RunsPanel::hideTraining() {
  m_training->end();
  m_train->setEnabled(true);
  updateContinue();
}

QString RunsPanel::progressText() const {
  return m_training->statusText();
}

QString RunsPanel::warningText() const {
  return m_training->warningText();
}
