#include "ensemble/ensemble_train_dialog.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QSettings>
#include <QSpinBox>

#include "convscope/backends.h"
#include "ensemble/ensemble_types.h"
#include "settings/schedule_editor.h"
#include "widgets/count_text.h"
#include "widgets/form_dialog.h"
#include "widgets/value_label.h"

namespace {

const QString kNetsKey = QStringLiteral("ensemble/nets");
const QString kEpochsKey = QStringLiteral("ensemble/epochs");
const QString kLimitKey = QStringLiteral("ensemble/trainLimit");
const QString kShuffleKey = QStringLiteral("ensemble/perNetShuffle");

}  // namespace

EnsembleTrainDialog::EnsembleTrainDialog(const cs::TrainConfig& base, DatasetPtr data,
                                         QWidget* parent)
    : QDialog(parent),
      m_base(base),
      m_data(std::move(data)),
      m_nets(new QSpinBox),
      m_epochs(new QSpinBox),
      m_limit(new QSpinBox),
      m_shuffle(new QCheckBox(tr("Each network gets its own sample order"))),
      m_seeds(valueLabel({})),
      m_summary(valueLabel({})) {
  setWindowTitle(tr("Train ensemble"));
  setObjectName(QStringLiteral("ensembleTrainDialog"));
  const cs::GroupConfig& g = base.group;

  const QSettings last;
  m_nets->setRange(1, kMaxNets);
  m_nets->setValue(last.value(kNetsKey, kDefaultNets).toInt());
  m_nets->setSuffix(tr(" networks"));
  m_epochs->setRange(1, 1000);
  m_epochs->setValue(last.value(kEpochsKey, std::max(1, base.epochs)).toInt());
  m_limit->setRange(0, m_data ? m_data->train.count : 1 << 30);
  const int limit = last.value(kLimitKey, 0).toInt();
  m_limit->setValue(limit > m_limit->maximum() ? 0 : limit);  // more than there are: all
  m_shuffle->setChecked(last.value(kShuffleKey, false).toBool());
  m_limit->setSingleStep(1000);
  m_limit->setSpecialValueText(tr("all"));
  m_limit->setToolTip(tr("Train on the first N training images only (0: all of them)"));
  m_shuffle->setToolTip(
      tr("Off: all networks see the same batches and differ only in their initialization"));
  m_summary->setObjectName(QStringLiteral("note"));

  const cs::CudaStatus cuda = cs::cuda_status();
  const QString backend = cuda.available ? tr("CUDA: %1").arg(QString::fromStdString(cuda.device))
                                         : tr("CPU (%1)").arg(QString::fromStdString(cuda.reason));

  auto* form = new QFormLayout;
  form->addRow(tr("Networks"), m_nets);
  form->addRow(tr("Epochs"), m_epochs);
  form->addRow(tr("Training images"), m_limit);
  form->addRow(QString(), m_shuffle);
  form->addRow(tr("Architecture"), valueLabel(QString::fromStdString(g.spec.to_string())));
  form->addRow(tr("Optimizer"), valueLabel(QString::fromStdString(g.optimizer.to_string())));
  form->addRow(tr("Batch size"), valueLabel(QString::number(g.batch_size)));
  form->addRow(tr("Random shift"), valueLabel(RunInfo::shiftText(g.augment_shift)));
  form->addRow(tr("Label smoothing"), valueLabel(RunInfo::smoothingText(g.label_smoothing)));
  form->addRow(tr("Seeds"), m_seeds);
  form->addRow(tr("Backend"), valueLabel(backend));
  form->addRow(
      tr("Data"),
      valueLabel(m_data
                     ? QString::fromStdString(m_data->train.name)
                     : tr("MNIST from %1").arg(QString::fromStdString(cs::default_mnist_dir()))));

  layOutFormDialog(this, form, m_summary, tr("Train"));

  for (QSpinBox* box : {m_nets, m_epochs, m_limit})
    connect(box, &QSpinBox::valueChanged, this, &EnsembleTrainDialog::updateSummary);
  updateSummary();
}

int EnsembleTrainDialog::nets() const {
  return m_nets->value();
}
int EnsembleTrainDialog::epochs() const {
  return m_epochs->value();
}
bool EnsembleTrainDialog::perNetShuffle() const {
  return m_shuffle->isChecked();
}
int EnsembleTrainDialog::trainLimit() const {
  return m_limit->value();
}
void EnsembleTrainDialog::setNets(int nets) {
  m_nets->setValue(nets);
}
void EnsembleTrainDialog::setPerNetShuffle(bool on) {
  m_shuffle->setChecked(on);
}
void EnsembleTrainDialog::setTrainLimit(int images) {
  m_limit->setValue(images);
}

int EnsembleTrainDialog::trainingImages() const {
  if (!m_data) return trainLimit();
  return trainLimit() > 0 ? std::min(trainLimit(), m_data->train.count) : m_data->train.count;
}

cs::TrainConfig EnsembleTrainDialog::config() const {
  cs::TrainConfig cfg = m_base;
  const uint64_t first = m_base.group.seeds.empty() ? 1 : m_base.group.seeds.front();
  cfg.group.seeds.clear();
  for (int i = 0; i < nets(); ++i) cfg.group.seeds.push_back(first + static_cast<uint64_t>(i));
  cfg.group.per_net_shuffle = perNetShuffle();
  cfg.epochs = epochs();
  cfg.patience = 0;  // the live run's early stopping: an ensemble trains every epoch it plans
  // The live run's passes between epoch ends: an ensemble is evaluated at epoch ends, as the CLI's
  // (every network's pass every 50 steps would about double an MNIST epoch).
  cfg.eval_every = 0;
  return cfg;
}

void EnsembleTrainDialog::accept() {
  QSettings q;
  q.setValue(kNetsKey, nets());
  q.setValue(kEpochsKey, epochs());
  q.setValue(kLimitKey, trainLimit());
  q.setValue(kShuffleKey, perNetShuffle());
  QDialog::accept();
}

void EnsembleTrainDialog::updateSummary() {
  const cs::TrainConfig cfg = config();
  const QLocale locale;
  m_seeds->setText(nets() == 1
                       ? QString::number(cfg.group.seeds.front())
                       : tr("%1 … %2").arg(cfg.group.seeds.front()).arg(cfg.group.seeds.back()));
  const int images = trainingImages();
  if (images <= 0) {
    m_summary->setText(tr("%1 trained together in one batched pass.")
                           .arg(countText(nets(), tr("network"), tr("networks"))));
    return;
  }
  const qint64 samples = qint64(nets()) * images * epochs();
  const QString total = samples < 1'000'000
                            ? locale.toString(samples)
                            : tr("%1 M").arg(locale.toString(samples / 1e6, 'f', 1));
  const QString rates =
      ScheduleEditor::rateRange(cfg.group.optimizer.lr, cfg.group.optimizer.schedule, 1, epochs(),
                                cs::steps_per_epoch(images, cfg.group.batch_size));
  m_summary->setText(tr("%1 × %2 × %3 = %4 samples, trained together in one batched pass; every "
                        "epoch is recorded as it finishes.")
                         .arg(countText(nets(), tr("network"), tr("networks")),
                              tr("%1 images").arg(locale.toString(images)),
                              countText(epochs(), tr("epoch"), tr("epochs")), total) +
                     (rates.isEmpty() ? QString() : tr(" Learning rate: %1.").arg(rates)));
}
