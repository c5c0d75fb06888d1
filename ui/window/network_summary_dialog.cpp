#include "window/network_summary_dialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLocale>
#include <QTableView>
#include <QVBoxLayout>

#include "convscope/network_summary.h"
#include "settings/network_summary_model.h"
#include "widgets/note_label.h"

NetworkSummaryDialog::NetworkSummaryDialog(QWidget* parent)
    : QDialog(parent),
      m_model(new NetworkSummaryModel(this)),
      m_table(new QTableView),
      m_note(new NoteLabel) {
  setWindowTitle(tr("Network summary"));
  m_table->setObjectName(QStringLiteral("networkSummary"));
  m_table->setModel(m_model);
  m_table->verticalHeader()->hide();
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setSectionResizeMode(NetworkSummaryModel::Kind,
                                                    QHeaderView::Stretch);
  m_note->setWordWrap(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_table, 1);
  layout->addWidget(m_note);
  layout->addWidget(buttons);
  resize(720, 400);
}

void NetworkSummaryDialog::setNetwork(const cs::NetworkSpec& spec, long long trainImages) {
  const cs::NetworkSummary s = cs::summarize(spec);
  m_model->setSummary(s);
  m_table->setEnabled(true);
  const QLocale locale;
  m_note->setNote(
      tr("%1 parameters (%2 MB as float32). One image: %3 multiply-adds forward, %4 to train "
         "(forward and backward). An epoch of %5 training images: %6 GFLOP to train (two per "
         "multiply-add).")
          .arg(
              locale.toString(s.params), locale.toString(s.params * 4 / 1e6, 'f', 2),
              locale.toString(s.macs), locale.toString(s.train_macs), locale.toString(trainImages),
              locale.toString(2.0 * static_cast<double>(s.train_macs) * trainImages / 1e9, 'f', 1)),
      false);
}

void NetworkSummaryDialog::setProblem(const QString& problem) {
  m_model->setSummary({});
  m_table->setEnabled(false);
  m_note->setNote(tr("No network to summarise: %1").arg(problem), true);
}

QString NetworkSummaryDialog::note() const {
  return m_note->text();
}
