#include "ensemble/runs_panel.h"

#include <QAction>
#include <QEvent>
#include <QHeaderView>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QTableView>
#include <algorithm>
#include <numeric>

#include "ensemble/runs_model.h"
#include "widgets/count_text.h"
#include "widgets/delete_action.h"
#include "widgets/task_progress_box.h"

RunsPanel::RunsPanel(RunsModel* model, QWidget* parent)
    : StoredListPanel(
          model,
          {tr("Stored ensembles"), tr("Read the run list from the run store again"),
           tr("Delete run…")},
          new QPushButton(QIcon(QStringLiteral(":/icons/ensemble.svg")), tr("Train ensemble…")),
          new QPushButton(tr("Continue…")), parent),
      m_model(model) {
  trainButton()->setToolTip(tr("Train N copies of the live view's network from different seeds"));
  QTableView* runs = table();
  for (int c = 0; c < RunsModel::ColumnCount; ++c) runs->setColumnWidth(c, kColumnWidths[c]);
  runs->viewport()->installEventFilter(this);  // fitColumns at each new width
  // Room for kMinRowsShown runs whatever else the panel shows: a splitter keeps only a widget's
  // minimum, and the training box took its height from the table (one row at 1366x768).
  runs->setMinimumHeight(runs->horizontalHeader()->sizeHint().height() +
                         kMinRowsShown * runs->verticalHeader()->defaultSectionSize() +
                         runs->horizontalScrollBar()->sizeHint().height() + 2 * runs->frameWidth());
  connect(trainButton(), &QPushButton::clicked, this, &RunsPanel::trainRequested);
  connect(continueButton(), &QPushButton::clicked, this, [this] {
    if (selectedRun() >= 0) Q_EMIT continueRequested(selectedRun());
  });
  updateActions();
}

void RunsPanel::updateActions() {
  const int row = currentRow();
  bool can = false;
  QString tip =
      tr("Train the selected run on from where it stopped (its latest recorded epoch, or its "
         "place inside the next), with its networks' weights and optimizer state");
  if (row >= 0) {
    const cs::RunSummary& run = m_model->summaryAt(row);
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
  continueButton()->setEnabled(can && trainButton()->isEnabled());
  continueButton()->setToolTip(tip);
  const qint64 run = selectedRun();
  deleteAction()->setText(run >= 0 ? tr("Delete run %1…").arg(run) : tr("Delete run…"));
  deleteAction()->setEnabled(run >= 0 && m_model->summaryAt(row).status != cs::RunStatus::Running);
}

void RunsPanel::rowActivated(int row) {
  Q_EMIT runActivated(m_model->runAt(row));
}

void RunsPanel::confirmDelete() {
  const cs::RunSummary& r = m_model->summaryAt(currentRow());
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

bool RunsPanel::eventFilter(QObject* watched, QEvent* event) {
  if (watched == table()->viewport() && event->type() == QEvent::Resize) fitColumns();
  return QWidget::eventFilter(watched, event);
}

void RunsPanel::fitColumns() {
  const int* status = kColumnWidths + RunsModel::StatusColumn;
  const bool roomy =
      table()->viewport()->width() >=
      std::accumulate(kColumnWidths, status + 1, 0) + kColumnWidths[RunsModel::ArchitectureColumn];
  if (table()->isColumnHidden(RunsModel::ArchitectureColumn) == roomy)
    table()->setColumnHidden(RunsModel::ArchitectureColumn, !roomy);
}

qint64 RunsPanel::selectedRun() const {
  const int row = currentRow();
  return row >= 0 ? m_model->runAt(row) : -1;
}

void RunsPanel::selectRun(qint64 run) {
  selectRow(m_model->rowOf(run));
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
  task()->begin(description, tr("Starting…"));
  trainButton()->setEnabled(false);
  updateActions();
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
                      .arg(numberText(100 * p.lastMeanAccuracy, 2));
      break;
    }
  }
  task()->setProgress(p.fraction(), status, sentence(p.warning));
}

void RunsPanel::hideTraining() {
  task()->end();
  trainButton()->setEnabled(true);
  updateActions();
}

QString RunsPanel::progressText() const {
  return task()->statusText();
}

QString RunsPanel::warningText() const {
  return task()->warningText();
}
