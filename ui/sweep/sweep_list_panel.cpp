#include "sweep/sweep_list_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "sweep/sweep_list_model.h"
#include "widgets/note_label.h"
#include "widgets/table_selection.h"

SweepListPanel::SweepListPanel(SweepListModel* model, QWidget* parent)
    : QWidget(parent),
      m_model(model),
      m_table(new QTableView),
      m_refresh(new QToolButton),
      m_new(new QPushButton(QIcon(QStringLiteral(":/icons/sweep.svg")), tr("New sweep…"))),
      m_resume(new QPushButton(QIcon(QStringLiteral(":/icons/continue.svg")), tr("Resume"))),
      m_runningBox(new QWidget),
      m_title(new QLabel),
      m_status(new QLabel),
      m_progress(new QProgressBar),
      m_cancel(new QPushButton(QIcon(QStringLiteral(":/icons/stop.svg")), tr("Cancel"))),
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

  m_table->setModel(model);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setShowGrid(false);
  m_table->setWordWrap(false);
  m_table->setAlternatingRowColors(true);
  m_table->verticalHeader()->hide();
  m_table->verticalHeader()->setDefaultSectionSize(26);
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->horizontalHeader()->setHighlightSections(false);
  const int widths[SweepListModel::ColumnCount] = {48, 118, 60, 40, 50};
  for (int c = 0; c < SweepListModel::ColumnCount; ++c) m_table->setColumnWidth(c, widths[c]);

  m_title->setObjectName(QStringLiteral("sectionTitle"));
  m_title->setWordWrap(true);
  m_status->setObjectName(QStringLiteral("note"));
  m_status->setWordWrap(true);
  m_progress->setTextVisible(false);
  m_progress->setRange(0, 1000);
  auto* progressRow = new QHBoxLayout;
  progressRow->addWidget(m_progress, 1);
  progressRow->addWidget(m_cancel);
  m_runningBox->setObjectName(QStringLiteral("trainingBox"));
  auto* box = new QVBoxLayout(m_runningBox);
  box->setContentsMargins(10, 8, 10, 8);
  box->setSpacing(4);
  box->addWidget(m_title);
  box->addLayout(progressRow);
  box->addWidget(m_status);
  m_runningBox->hide();

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
  layout->addWidget(m_runningBox);
  layout->addWidget(m_storeNote);

  connect(m_refresh, &QToolButton::clicked, this, &SweepListPanel::refreshRequested);
  connect(m_new, &QPushButton::clicked, this, &SweepListPanel::newRequested);
  connect(m_resume, &QPushButton::clicked, this, &SweepListPanel::resumeRequested);
  connect(m_cancel, &QPushButton::clicked, this, &SweepListPanel::cancelRequested);
  connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (!m_selecting && current.isValid())
              Q_EMIT sweepActivated(m_model->sweepAt(current.row()));
          });
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
  return !m_runningBox->isHidden();
}

void SweepListPanel::showRunning(const QString& title) {
  m_title->setText(title);
  m_status->setText(tr("Preparing…"));
  m_progress->setValue(0);
  m_cancel->setEnabled(true);
  m_new->setEnabled(false);
  m_resume->setEnabled(false);
  m_runningBox->show();
}

void SweepListPanel::setProgress(const SweepProgress& p) {
  m_progress->setValue(static_cast<int>(1000 * p.fraction()));
  QString text = tr("%1 of %2 configurations finished").arg(p.finished).arg(p.configs);
  if (p.config >= 0 && p.unitsDone < p.units)
    text += tr(" · training #%1 (%2 of %3 this run), %4%")
                .arg(p.config)
                .arg(p.unitsDone + 1)
                .arg(p.units)
                .arg(static_cast<int>(100 * p.unitFraction));
  m_status->setText(text);
}

void SweepListPanel::hideRunning() {
  m_runningBox->hide();
  m_new->setEnabled(true);
  m_resume->setEnabled(m_resumable);
}
