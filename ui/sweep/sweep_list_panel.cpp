#include "sweep/sweep_list_panel.h"

#include <QAction>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "sweep/sweep_list_model.h"
#include "widgets/count_text.h"
#include "widgets/delete_action.h"
#include "widgets/note_label.h"
#include "widgets/table_selection.h"
#include "widgets/task_progress_box.h"

SweepListPanel::SweepListPanel(SweepListModel* model, QWidget* parent)
    : QWidget(parent),
      m_model(model),
      m_table(new QTableView),
      m_refresh(new QToolButton),
      m_new(new QPushButton(QIcon(QStringLiteral(":/icons/sweep.svg")), tr("New sweep…"))),
      m_resume(new QPushButton(QIcon(QStringLiteral(":/icons/continue.svg")), tr("Resume"))),
      m_delete(addDeleteAction(m_table, tr("Delete sweep…"))),
      m_running(new TaskProgressBox),
      m_storeNote(new NoteLabel) {
  auto* title = new QLabel(tr("Stored sweeps"));
  title->setObjectName(QStringLiteral("sectionTitle"));
  m_refresh->setIcon(QIcon(QStringLiteral(":/icons/reset.svg")));
  m_refresh->setText(tr("Refresh"));
  m_refresh->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  m_refresh->setAutoRaise(true);
  m_refresh->setToolTip(tr("Read the sweeps from the run store again"));
  m_new->setObjectName(QStringLiteral("primaryButton"));
  m_new->setToolTip(tr("Train one ensemble per configuration of a grid, on this machine"));
  m_resume->setToolTip(tr("Train the selected sweep's unfinished configurations"));
  m_resume->setEnabled(false);

  setup_row_table(m_table, model);
  const int widths[SweepListModel::ColumnCount] = {48, 118, 60, 40, 50};
  for (int c = 0; c < SweepListModel::ColumnCount; ++c) m_table->setColumnWidth(c, widths[c]);

  m_storeNote->setWordWrap(true);
  m_storeNote->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* header = new QHBoxLayout;
  header->addWidget(title);
  header->addStretch(1);
  header->addWidget(m_refresh);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(m_new, 1);
  buttons->addWidget(m_resume);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(10, 8, 6, 8);
  layout->setSpacing(6);
  layout->addLayout(header);
  layout->addWidget(m_table, 1);
  layout->addLayout(buttons);
  layout->addWidget(m_running);
  layout->addWidget(m_storeNote);

  connect(m_refresh, &QToolButton::clicked, this, &SweepListPanel::refreshRequested);
  connect(m_new, &QPushButton::clicked, this, &SweepListPanel::newRequested);
  connect(m_resume, &QPushButton::clicked, this, &SweepListPanel::resumeRequested);
  connect(m_running, &TaskProgressBox::cancelRequested, this, &SweepListPanel::cancelRequested);
  connect(m_delete, &QAction::triggered, this, &SweepListPanel::confirmDelete);
  connect(model, &QAbstractItemModel::modelReset, this, &SweepListPanel::updateDelete);
  connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            updateDelete();
            if (!m_selecting && current.isValid())
              Q_EMIT sweepActivated(m_model->sweepAt(current.row()));
          });
  updateDelete();
}

void SweepListPanel::updateDelete() {
  const QModelIndex current = m_table->currentIndex();
  const qint64 sweep = current.isValid() ? m_model->sweepAt(current.row()) : -1;
  m_delete->setText(sweep >= 0 ? tr("Delete sweep %1…").arg(sweep) : tr("Delete sweep…"));
  m_delete->setEnabled(sweep >= 0 && !m_model->sweeps()[current.row()].training);
}

void SweepListPanel::confirmDelete() {
  const QModelIndex current = m_table->currentIndex();
  if (!current.isValid() || !m_delete->isEnabled()) return;
  const SweepListEntry& e = m_model->sweeps()[current.row()];
  QCheckBox* withRuns = nullptr;
  if (e.runs > 0) {
    withRuns =
        new QCheckBox(tr("Also delete its %1, with their weights, predictions and learning history")
                          .arg(countText(e.runs, tr("run"), tr("runs"))));
    withRuns->setChecked(true);
  }
  const qint64 sweep = e.id;
  askToDelete(
      this, tr("Delete sweep %1").arg(sweep),
      tr("Sweep %1 (%2 × %3, %4 finished) is removed from the run store.")
          .arg(sweep)
          .arg(countText(e.configs, tr("configuration"), tr("configurations")),
               countText(e.nets, tr("network"), tr("networks")))
          .arg(e.finished),
      [this, sweep](const QCheckBox* runs) {
        Q_EMIT deleteRequested(sweep, runs && runs->isChecked());
      },
      withRuns);
}

QPushButton* SweepListPanel::cancelButton() const {
  return m_running->cancelButton();
}

QProgressBar* SweepListPanel::progressBar() const {
  return m_running->progressBar();
}

qint64 SweepListPanel::selectedSweep() const {
  const QModelIndex current = m_table->currentIndex();
  return current.isValid() ? m_model->sweepAt(current.row()) : -1;
}

void SweepListPanel::selectSweep(qint64 sweep) {
  m_selecting = true;
  select_table_row(m_table, m_model->rowOf(sweep));
  m_selecting = false;
}

void SweepListPanel::setStoreNote(const QString& text, bool problem) {
  m_storeNote->setNote(text, problem);
}

void SweepListPanel::setResumable(bool resumable) {
  m_resumable = resumable;
  m_resume->setEnabled(resumable && !isRunning());
}

bool SweepListPanel::isRunning() const {
  return !m_running->isHidden();
}

void SweepListPanel::showRunning(const QString& title) {
  m_running->begin(title, tr("Preparing…"));
  m_new->setEnabled(false);
  m_resume->setEnabled(false);
}

void SweepListPanel::setProgress(const SweepProgress& p) {
  QString text = tr("%1 of %2 configurations finished").arg(p.finished).arg(p.configs);
  if (p.config >= 0 && p.unitsDone < p.units)
    text += tr("\ntraining #%1 (%2 of %3 this run), %4%")
                .arg(p.config)
                .arg(p.unitsDone + 1)
                .arg(p.units)
                .arg(static_cast<int>(100 * p.unitFraction));
  m_running->setProgress(p.fraction(), text);
}

void SweepListPanel::hideRunning() {
  m_running->end();
  m_new->setEnabled(true);
  m_resume->setEnabled(m_resumable);
}
