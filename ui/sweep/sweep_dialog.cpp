#include "sweep/sweep_dialog.h"
#include "widgets/count_text.h"
#include "widgets/form_dialog.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

SweepDialog::SweepDialog(const QString& dataName, QWidget* parent)
    : QDialog(parent),
      m_grid(new QLineEdit),
      m_nets(new QSpinBox),
      m_epochs(new QSpinBox),
      m_limit(new QSpinBox),
      m_batch(new QSpinBox),
      m_seed(new QSpinBox),
      m_summary(new QLabel) {
  setWindowTitle(tr("New sweep"));
  setObjectName(QStringLiteral("sweepDialog"));
  m_grid->setText(QStringLiteral("lr=0.001,0.002; optimizer=adam,rmsprop"));
  m_grid->setToolTip(
      tr("name=v1,v2; name=… over arch, optimizer, lr, beta1, beta2, epsilon, momentum, rho, "
         "initial_accumulator, weight_decay, lr_schedule, batch_size, augment_shift, "
         "label_smoothing: every "
         "combination is a configuration"));
  m_grid->setMinimumWidth(460);
  m_nets->setRange(1, 1000);
  m_nets->setValue(kDefaultNets);
  m_nets->setSuffix(tr(" per configuration"));
  m_epochs->setRange(1, 1000);
  m_epochs->setValue(1);
  m_limit->setRange(0, 1 << 30);
  m_limit->setSingleStep(1000);
  m_limit->setSpecialValueText(tr("all"));
  m_limit->setToolTip(tr("Train on the first N training images only (0: all of them)"));
  m_batch->setRange(1, 65536);
  m_batch->setValue(64);
  m_batch->setToolTip(tr("Samples per step, unless a configuration sets batch_size"));
  m_seed->setRange(0, 1 << 30);
  m_seed->setValue(1);
  m_seed->setToolTip(tr("Network i of every configuration starts from seed S + i"));
  m_summary->setWordWrap(true);
  m_summary->setObjectName(QStringLiteral("note"));

  auto* form = new QFormLayout;
  form->addRow(tr("Grid"), m_grid);
  form->addRow(tr("Networks"), m_nets);
  form->addRow(tr("Epochs"), m_epochs);
  form->addRow(tr("Training images"), m_limit);
  form->addRow(tr("Batch size"), m_batch);
  form->addRow(tr("Seed"), m_seed);
  auto* data = new QLabel(dataName);
  data->setWordWrap(true);
  form->addRow(tr("Data"), data);

  m_start = layOutFormDialog(this, form, m_summary, tr("Start sweep"));

  connect(m_grid, &QLineEdit::textChanged, this, &SweepDialog::updateSummary);
  for (QSpinBox* box : {m_nets, m_epochs})
    connect(box, &QSpinBox::valueChanged, this, &SweepDialog::updateSummary);
  updateSummary();
}

void SweepDialog::setGrid(const QString& grid) {
  m_grid->setText(grid);
}
void SweepDialog::setNets(int nets) {
  m_nets->setValue(nets);
}
void SweepDialog::setEpochs(int epochs) {
  m_epochs->setValue(epochs);
}
void SweepDialog::setTrainLimit(int images) {
  m_limit->setValue(images);
}
void SweepDialog::setData(DatasetPtr data) {
  m_data = std::move(data);
  updateSummary();
}
QString SweepDialog::grid() const {
  return m_grid->text();
}
int SweepDialog::nets() const {
  return m_nets->value();
}
int SweepDialog::epochs() const {
  return m_epochs->value();
}

cs::SweepPlan SweepDialog::plan() const {
  cs::SweepPlan plan;
  plan.configs = cs::parse_sweep_grid(grid().toStdString());
  plan.settings.nets = m_nets->value();
  plan.settings.epochs = m_epochs->value();
  plan.settings.batch_size = m_batch->value();
  plan.settings.seed = static_cast<uint64_t>(m_seed->value());
  plan.settings.data = "mnist";
  plan.settings.limit_train = m_limit->value();
  return plan;
}

void SweepDialog::check(const cs::SweepPlan& plan) const {
  if (m_data)
    cs::check_sweep(plan, m_data->train, m_data->test);
  else  // the data not loaded yet: the values alone, not the networks
    cs::check_sweep_values(plan);
  cs::check_parameters_used(plan);
}

void SweepDialog::updateSummary() {
  try {
    const cs::SweepPlan p = plan();
    check(p);
    const int configs = static_cast<int>(p.configs.size());
    m_summary->setText(tr("%1 × %2 = %3, %4 each. "
                          "A sweep with the same settings in the store is resumed.")
                           .arg(countText(configs, tr("configuration"), tr("configurations")),
                                countText(p.settings.nets, tr("network"), tr("networks")),
                                countText(configs * p.settings.nets, tr("network"), tr("networks")))
                           .arg(countText(p.settings.epochs, tr("epoch"), tr("epochs"))));
    m_summary->setStyleSheet({});
    m_start->setEnabled(true);
  } catch (const std::exception& e) {  // cs::Error's words, whichever check it was
    m_summary->setText(QString::fromUtf8(e.what()));
    m_summary->setStyleSheet(QStringLiteral("color: #b2182b"));
    m_start->setEnabled(false);
  }
}
