#include "ensemble/continue_run_dialog.h"

#include <stdexcept>

#include <QDir>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QSpinBox>

#include "settings/schedule_editor.h"
#include "training/training_types.h"
#include "widgets/count_text.h"
#include "widgets/form_dialog.h"
#include "widgets/value_label.h"

ContinueRunDialog::ContinueRunDialog(const cs::RunInfo& info, int trainImages, int stoppedAt,
                                     const QString& dataFolder, QWidget* parent)
    : QDialog(parent),
      m_info(info),
      m_trainImages(trainImages),
      m_stoppedAt(stoppedAt),
      m_more(new QSpinBox),
      m_summary(valueLabel({})) {
  setWindowTitle(tr("Continue run %1").arg(info.id));
  setObjectName(QStringLiteral("continueRunDialog"));
  const cs::GroupConfig& g = info.setup.group;
  const int left = info.setup.epochs - info.epochs_done;
  m_more->setRange(1, 1000);
  m_more->setValue(left > 0 ? left : 1);
  m_more->setSuffix(tr(" more"));
  m_more->setToolTip(tr("Epochs to train after the %1 recorded").arg(info.epochs_done));
  m_summary->setObjectName(QStringLiteral("note"));

  QString recorded = tr("%1 of %2 (%3)")
                         .arg(info.epochs_done)
                         .arg(info.setup.epochs)
                         .arg(QString::fromStdString(cs::to_string(info.status)));
  if (stoppedAt > 0)  // a stop on request, or the place last saved before it was interrupted
    recorded += (info.status == cs::RunStatus::Interrupted
                     ? tr("; saved %1 images into epoch %2 before it was interrupted, and goes on "
                          "from there")
                     : tr("; stopped %1 images into epoch %2, which goes on from there"))
                    .arg(QLocale().toString(stoppedAt))
                    .arg(info.epochs_done + 1);
  auto* form = new QFormLayout;
  QLabel* recordedLabel = valueLabel(recorded);
  recordedLabel->setObjectName(QStringLiteral("recorded"));
  form->addRow(tr("Epochs recorded"), recordedLabel);
  form->addRow(tr("Epochs"), m_more);
  form->addRow(tr("Networks"), valueLabel(QString::number(g.nets())));
  form->addRow(tr("Architecture"), valueLabel(QString::fromStdString(g.spec.to_string())));
  form->addRow(tr("Optimizer"), valueLabel(QString::fromStdString(g.optimizer.to_string())));
  form->addRow(tr("Batch size"), valueLabel(QString::number(g.batch_size)));
  form->addRow(tr("Random shift"), valueLabel(RunInfo::shiftText(g.augment_shift)));
  form->addRow(tr("Label smoothing"), valueLabel(RunInfo::smoothingText(g.label_smoothing)));
  QLabel* data = valueLabel(
      tr("%1, %2 training images an epoch, %3")
          .arg(QString::fromStdString(info.setup.train_name), QLocale().toString(trainImages),
               dataFolder.isEmpty()
                   ? tr("the live view's dataset")
                   : tr("read from %1").arg(QDir::toNativeSeparators(dataFolder))));
  data->setObjectName(QStringLiteral("data"));
  form->addRow(tr("Data"), data);
  form->addRow(tr("Backend"), valueLabel(QString::fromStdString(info.setup.backend.kind)));

  layOutFormDialog(this, form, m_summary, tr("Continue"));

  connect(m_more, &QSpinBox::valueChanged, this, &ContinueRunDialog::updateSummary);
  updateSummary();
}

int ContinueRunDialog::moreEpochs() const {
  return m_more->value();
}

void ContinueRunDialog::setMoreEpochs(int epochs) {
  m_more->setValue(epochs);
}

cs::BackendChoice ContinueRunDialog::backend() const {
  try {
    return cs::parse_backend_choice(m_info.setup.backend.kind);
  } catch (const std::invalid_argument&) {  // a kind this build does not know: the engine says so
    return cs::BackendChoice::Auto;
  }
}

cs::TrainConfig ContinueRunDialog::config() const {
  cs::TrainConfig cfg;
  cfg.group = m_info.setup.group;
  cfg.epochs = m_info.epochs_done + moreEpochs();
  return cfg;
}

void ContinueRunDialog::updateSummary() {
  const int done = m_info.epochs_done;
  const cs::GroupConfig& g = m_info.setup.group;
  const long long perEpoch = cs::steps_per_epoch(m_trainImages, g.batch_size);
  const QString rates = ScheduleEditor::rateRange(g.optimizer.lr, g.optimizer.schedule,
                                                  done * perEpoch + m_stoppedAt / g.batch_size + 1,
                                                  done + moreEpochs(), perEpoch);
  const QString from =
      m_stoppedAt > 0
          ? tr("from %1 images into epoch %2").arg(QLocale().toString(m_stoppedAt)).arg(done + 1)
      : done > 0 ? tr("from the end of epoch %1").arg(done)
                 : tr("from the start");
  m_summary->setText(tr("Trains %1 %2 to the end of epoch %3 with their weights and optimizer "
                        "state, as if the run had never stopped. The run keeps its number and its "
                        "recorded epochs.")
                         .arg(countText(g.nets(), tr("network"), tr("networks")), from)
                         .arg(done + moreEpochs()) +
                     (rates.isEmpty() ? QString() : tr(" Learning rate: %1.").arg(rates)));
}
