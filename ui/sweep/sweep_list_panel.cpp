#include "sweep/sweep_list_panel.h"

#include <QAction>
#include <QCheckBox>
#include <QPushButton>
#include <QTableView>

#include "sweep/sweep_list_model.h"
#include "widgets/count_text.h"
#include "widgets/delete_action.h"
#include "widgets/task_progress_box.h"

SweepListPanel::SweepListPanel(SweepListModel* model, QWidget* parent)
    : StoredListPanel(model,
                      {tr("Stored sweeps"), tr("Read the sweeps from the run store again"),
                       tr("Delete sweep…")},
                      new QPushButton(QIcon(QStringLiteral(":/icons/sweep.svg")), tr("New sweep…")),
                      new QPushButton(QIcon(QStringLiteral(":/icons/continue.svg")), tr("Resume")),
                      parent),
      m_model(model) {
  newButton()->setToolTip(tr("Train one ensemble per configuration of a grid, on this machine"));
  resumeButton()->setToolTip(tr("Train the selected sweep's unfinished configurations"));
  resumeButton()->setEnabled(false);
  const int widths[SweepListModel::ColumnCount] = {48, 118, 60, 40, 50};
  for (int c = 0; c < SweepListModel::ColumnCount; ++c) table()->setColumnWidth(c, widths[c]);
  connect(newButton(), &QPushButton::clicked, this, &SweepListPanel::newRequested);
  connect(resumeButton(), &QPushButton::clicked, this, &SweepListPanel::resumeRequested);
  updateActions();
}

void SweepListPanel::updateActions() {
  const qint64 sweep = selectedSweep();
  deleteAction()->setText(sweep >= 0 ? tr("Delete sweep %1…").arg(sweep) : tr("Delete sweep…"));
  deleteAction()->setEnabled(sweep >= 0 && !m_model->sweeps()[currentRow()].training);
}

void SweepListPanel::rowActivated(int row) {
  Q_EMIT sweepActivated(m_model->sweepAt(row));
}

void SweepListPanel::confirmDelete() {
  const SweepListEntry& e = m_model->sweeps()[currentRow()];
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

qint64 SweepListPanel::selectedSweep() const {
  const int row = currentRow();
  return row >= 0 ? m_model->sweepAt(row) : -1;
}

void SweepListPanel::selectSweep(qint64 sweep) {
  selectRow(m_model->rowOf(sweep));
}

void SweepListPanel::setResumable(bool resumable) {
  m_resumable = resumable;
  resumeButton()->setEnabled(resumable && !isRunning());
}

bool SweepListPanel::isRunning() const {
  return !task()->isHidden();
}

void SweepListPanel::showRunning(const QString& title) {
  task()->begin(title, tr("Preparing…"));
  newButton()->setEnabled(false);
  resumeButton()->setEnabled(false);
}

void SweepListPanel::setProgress(const SweepProgress& p) {
  QString text = tr("%1 of %2 configurations finished").arg(p.finished).arg(p.configs);
  if (p.config >= 0 && p.unitsDone < p.units)
    text += tr("\ntraining #%1 (%2 of %3 this run), %4%")
                .arg(p.config)
                .arg(p.unitsDone + 1)
                .arg(p.units)
                .arg(static_cast<int>(100 * p.unitFraction));
  task()->setProgress(p.fraction(), text);
}

void SweepListPanel::hideRunning() {
  task()->end();
  newButton()->setEnabled(true);
  resumeButton()->setEnabled(m_resumable);
}
