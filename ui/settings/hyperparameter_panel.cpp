#include "settings/hyperparameter_panel.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>
#include <cmath>

#include "settings/advanced_section.h"
#include "settings/conv_block_editor.h"
#include "settings/invalid_field.h"
#include "settings/log_spin_box.h"
#include "settings/schedule_editor.h"
#include "settings/shift_preview.h"
#include "widgets/file_dialogs.h"

namespace {

const QString kChooseFolder = QStringLiteral("\x01choose");  // the "Other IDX folder…" entry

QString optimizerName(cs::OptimizerKind k) {
  switch (k) {
    case cs::OptimizerKind::Sgd:
      return QStringLiteral("SGD");
    case cs::OptimizerKind::Momentum:
      return QStringLiteral("Momentum");
    case cs::OptimizerKind::Adam:
      return QStringLiteral("Adam");
    case cs::OptimizerKind::RmsProp:
      return QStringLiteral("RMSprop");
    case cs::OptimizerKind::Adagrad:
      return QStringLiteral("Adagrad");
    case cs::OptimizerKind::Adadelta:
      return QStringLiteral("Adadelta");
    case cs::OptimizerKind::Adamax:
      return QStringLiteral("Adamax");
  }
  return {};
}

QLabel* noteLabel() {
  auto* label = new QLabel;
  label->setObjectName(QStringLiteral("note"));
  label->setWordWrap(true);
  return label;
}

template <typename T>
void selectData(QComboBox* combo, T value) {
  const int i = combo->findData(static_cast<int>(value));
  if (i >= 0) combo->setCurrentIndex(i);
}

}  // namespace

HyperparameterPanel::HyperparameterPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(10, 10, 10, 10);
  layout->setSpacing(10);
  m_advanced = new AdvancedSection;
  m_sections = {buildDataSection(), buildOptimizationSection(), buildArchitectureSection(),
                m_advanced};
  for (QWidget* section : m_sections) layout->addWidget(section);
  m_issue = noteLabel();
  m_issue->setObjectName(QStringLiteral("issue"));
  m_lockNote = noteLabel();
  m_lockNote->hide();
  layout->addWidget(m_issue);
  layout->addWidget(m_lockNote);
  layout->addStretch(1);
  connect(m_advanced, &AdvancedSection::changed, this, &HyperparameterPanel::onEdited);
  setSettings(TrainingSettings{});
}

QWidget* HyperparameterPanel::buildDataSection() {
  auto* box = new QGroupBox(tr("Data and device"));
  auto* form = new QFormLayout(box);
  m_dataset = new QComboBox;
  m_dataset->setObjectName(QStringLiteral("dataset"));
  m_dataset->addItem(QStringLiteral("MNIST"), QString());
  const QString fashion = QString::fromStdString(cs::fashion_mnist_dir());
  if (QDir(fashion).exists()) m_dataset->addItem(QStringLiteral("Fashion-MNIST"), fashion);
  m_dataset->addItem(tr("Other IDX folder…"), kChooseFolder);
  m_datasetNote = noteLabel();
  m_backend = new QComboBox;
  m_backend->setObjectName(QStringLiteral("backend"));
  m_backendNote = noteLabel();
  populateBackends();
  form->addRow(tr("Dataset"), m_dataset);
  form->addRow(QString(), m_datasetNote);
  form->addRow(tr("Backend"), m_backend);
  form->addRow(QString(), m_backendNote);
  connect(m_dataset, &QComboBox::activated, this, &HyperparameterPanel::onDatasetActivated);
  connect(m_backend, &QComboBox::currentIndexChanged, this, &HyperparameterPanel::onEdited);
  return box;
}

QWidget* HyperparameterPanel::buildOptimizationSection() {
  auto* box = new QGroupBox(tr("Optimization"));
  auto* form = new QFormLayout(box);
  m_optimizer = new QComboBox;
  m_optimizer->setObjectName(QStringLiteral("optimizer"));
  for (cs::OptimizerKind k : cs::kAllOptimizers)
    m_optimizer->addItem(optimizerName(k), static_cast<int>(k));
  m_learningRate = new LogSpinBox;
  m_learningRate->setObjectName(QStringLiteral("learningRate"));
  m_learningRate->setDecimals(TrainingSettings::kLearningRateDecimals);
  m_learningRate->setRange(TrainingSettings::kMinLearningRate, TrainingSettings::kMaxLearningRate);
  m_learningRate->setToolTip(tr("Learning rate (arrows step 1-2-5; type any value, e.g. 3e-4)"));
  m_learningRateNote = noteLabel();
  m_learningRateNote->setObjectName(QStringLiteral("learningRateNote"));
  m_learningRateNote->hide();
  m_schedule = new ScheduleEditor(this);
  m_batchSize = new QSpinBox;
  m_batchSize->setObjectName(QStringLiteral("batchSize"));
  m_batchSize->setRange(1, TrainingSettings::kMaxBatchSize);
  m_epochs = new QSpinBox;
  m_epochs->setObjectName(QStringLiteral("epochs"));
  m_epochs->setRange(1, TrainingSettings::kMaxEpochs);
  m_seed = new QSpinBox;
  m_seed->setObjectName(QStringLiteral("seed"));
  m_seed->setRange(0, std::numeric_limits<int>::max());
  m_seed->setToolTip(tr("Seeds the weight initialization and the shuffling order"));
  form->addRow(tr("Optimizer"), m_optimizer);
  form->addRow(tr("Learning rate"), m_learningRate);
  form->addRow(QString(), m_learningRateNote);
  form->addRow(tr("Batch size"), m_batchSize);
  form->addRow(tr("Epochs"), m_epochs);
  form->addRow(tr("Seed"), m_seed);
  m_schedule->addRows(form);
  connect(m_optimizer, &QComboBox::currentIndexChanged, this,
          &HyperparameterPanel::onOptimizerChanged);
  for (QSpinBox* spin : {m_batchSize, m_epochs, m_seed})
    connect(spin, &QSpinBox::valueChanged, this, &HyperparameterPanel::onEdited);
  connect(m_learningRate, &QDoubleSpinBox::valueChanged, this, &HyperparameterPanel::onEdited);
  connect(m_schedule, &ScheduleEditor::changed, this, &HyperparameterPanel::onEdited);
  return box;
}

void HyperparameterPanel::onOptimizerChanged() {
  // Each optimizer comes with its own sensible learning rate (TensorFlow.js defaults): it
  // replaces the previous optimizer's default, never a rate the user chose. Either way, say so.
  const auto kind = static_cast<cs::OptimizerKind>(m_optimizer->currentData().toInt());
  const double previous = cs::OptimizerConfig::defaults(m_shownOptimizer).lr;
  const double wanted = cs::OptimizerConfig::defaults(kind).lr;
  const bool untouched = std::abs(m_learningRate->value() - previous) <= 1e-6 * previous;
  m_shownOptimizer = kind;
  const QLocale locale;
  if (untouched) {
    const QSignalBlocker block(m_learningRate);
    m_learningRate->setValue(wanted);
    m_learningRateNote->setText(tr("Set to %1's default").arg(m_optimizer->currentText()));
  } else {
    m_learningRateNote->setText(tr("Kept your learning rate (%1's default: %2)")
                                    .arg(m_optimizer->currentText(), locale.toString(wanted)));
  }
  m_learningRateNote->show();
  // The constants are the optimizer's own: the new one's defaults.
  TrainingSettings s = settings();
  s.momentum = s.beta1 = s.beta2 = s.epsilon = std::nullopt;
  m_advanced->showOptimizerConstants(s);
  onEdited();
}

QWidget* HyperparameterPanel::buildArchitectureSection() {
  auto* box = new QGroupBox(tr("Architecture"));
  auto* layout = new QVBoxLayout(box);
  m_convBlocks = new ConvBlockEditor;
  layout->addWidget(m_convBlocks);
  auto* form = new QFormLayout;
  m_denseWidth = new QSpinBox;
  m_denseWidth->setObjectName(QStringLiteral("denseWidth"));
  m_denseWidth->setRange(0, TrainingSettings::kMaxDenseWidth);
  m_denseWidth->setSpecialValueText(tr("none"));
  m_denseWidth->setToolTip(tr("Units of the hidden dense layer before the output layer"));
  m_dropout = new QDoubleSpinBox;
  m_dropout->setObjectName(QStringLiteral("dropout"));
  m_dropout->setRange(0, TrainingSettings::kMaxDropout);
  m_dropout->setDecimals(2);
  m_dropout->setSingleStep(0.05);
  m_dropout->setSpecialValueText(tr("none"));
  m_dropout->setToolTip(
      tr("Dropout before the output layer: the share of its inputs zeroed at random in each "
         "training step (the rest scaled up to match); validation and predictions use them all"));
  m_activation = new QComboBox;
  m_activation->setObjectName(QStringLiteral("activation"));
  for (cs::Activation a :
       {cs::Activation::Relu, cs::Activation::Tanh, cs::Activation::Sigmoid, cs::Activation::None})
    m_activation->addItem(QString::fromStdString(cs::to_string(a)), static_cast<int>(a));
  form->addRow(tr("Dense width"), m_denseWidth);
  form->addRow(tr("Dropout"), m_dropout);
  form->addRow(tr("Activation"), m_activation);
  layout->addLayout(form);
  m_summary = noteLabel();
  m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(m_summary);
  connect(m_convBlocks, &ConvBlockEditor::changed, this, &HyperparameterPanel::onEdited);
  connect(m_denseWidth, &QSpinBox::valueChanged, this, &HyperparameterPanel::onEdited);
  connect(m_dropout, &QDoubleSpinBox::valueChanged, this, &HyperparameterPanel::onEdited);
  connect(m_activation, &QComboBox::currentIndexChanged, this, &HyperparameterPanel::onEdited);
  return box;
}

void HyperparameterPanel::populateBackends() {
  const cs::CudaStatus cuda = cs::cuda_status();
  const QString gpu = QString::fromStdString(cuda.device);
  const QString reason = QString::fromStdString(cuda.reason);
  m_backend->addItem(cuda.available ? tr("Auto (CUDA)") : tr("Auto (CPU)"),
                     static_cast<int>(cs::BackendChoice::Auto));
  m_backend->addItem(tr("CPU"), static_cast<int>(cs::BackendChoice::Cpu));
  m_backend->addItem(tr("CUDA"), static_cast<int>(cs::BackendChoice::Cuda));
  if (!cuda.available) {
    auto* model = qobject_cast<QStandardItemModel*>(m_backend->model());
    QStandardItem* item = model->item(2);
    item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
    item->setToolTip(reason);
  }
  m_backendNote->setText(cuda.available ? tr("GPU: %1").arg(gpu) : tr("No GPU: %1").arg(reason));
}

void HyperparameterPanel::commitTypedValues() {
  for (QAbstractSpinBox* field : findChildren<QAbstractSpinBox*>()) field->interpretText();
}

TrainingSettings HyperparameterPanel::settings() const {
  TrainingSettings s;
  s.datasetDir = m_datasetDir;
  s.backend = static_cast<cs::BackendChoice>(m_backend->currentData().toInt());
  s.optimizer = static_cast<cs::OptimizerKind>(m_optimizer->currentData().toInt());
  s.learningRate = m_learningRate->value();
  s.schedule = m_schedule->schedule();
  s.batchSize = m_batchSize->value();
  s.epochs = m_epochs->value();
  s.seed = m_seed->value();
  s.convBlocks = m_convBlocks->blocks();
  s.denseWidth = m_denseWidth->value();
  s.dropout = m_dropout->value();
  s.activation = static_cast<cs::Activation>(m_activation->currentData().toInt());
  m_advanced->readInto(s);
  return s;
}

void HyperparameterPanel::setSettings(const TrainingSettings& s) {
  {
    const QSignalBlocker b0(m_backend), b1(m_optimizer), b2(m_learningRate), b3(m_batchSize),
        b4(m_epochs), b5(m_seed), b6(m_convBlocks), b7(m_denseWidth), b8(m_activation),
        b9(m_dropout);
    selectDataset(s.datasetDir);
    const auto* model = qobject_cast<QStandardItemModel*>(m_backend->model());
    const int backend = m_backend->findData(static_cast<int>(s.backend));
    const bool usable = backend >= 0 && model->item(backend)->isEnabled();
    m_backend->setCurrentIndex(usable ? backend : 0);
    selectData(m_optimizer, s.optimizer);
    m_shownOptimizer = s.optimizer;
    m_learningRateNote->hide();
    m_learningRate->setValue(s.learningRate);
    m_schedule->setSchedule(s.schedule);
    m_batchSize->setValue(s.batchSize);
    m_epochs->setValue(s.epochs);
    m_seed->setValue(s.seed);
    m_convBlocks->setBlocks(s.convBlocks);
    m_denseWidth->setValue(s.denseWidth);
    m_dropout->setValue(s.dropout);
    selectData(m_activation, s.activation);
    m_advanced->setSettings(s);
  }
  revalidate();
}

void HyperparameterPanel::selectDataset(const QString& datasetDir) {
  m_datasetDir = datasetDir;
  int i = m_dataset->findData(datasetDir);
  if (i < 0) {
    i = m_dataset->count() - 1;  // before "Other IDX folder…"
    m_dataset->insertItem(i, TrainingSettings::displayNameOf(datasetDir), datasetDir);
    m_dataset->setItemData(i, QDir::toNativeSeparators(datasetDir), Qt::ToolTipRole);
  }
  const QSignalBlocker block(m_dataset);
  m_dataset->setCurrentIndex(i);
}

void HyperparameterPanel::onDatasetActivated(int index) {
  QString dir = m_dataset->itemData(index).toString();
  if (dir == kChooseFolder) {
    // From the dataset's folder, unless it is gone (often why another is chosen): then where the
    // last file was opened or saved.
    const QString current = TrainingSettings::folderOf(m_datasetDir);
    dir = QFileDialog::getExistingDirectory(
        this, tr("Choose a folder with the four IDX files (train-images-idx3-ubyte, …)"),
        QDir(current).exists() ? current : lastFileFolder());
    if (dir.isEmpty()) return selectDataset(m_datasetDir);  // cancelled
  }
  if (dir == m_datasetDir) return;
  selectDataset(dir);
  m_validator.setDataset(
      DatasetInfo::missing(tr("Loading %1…").arg(TrainingSettings::displayNameOf(dir))));
  Q_EMIT datasetRequested(dir);
  onEdited();
}

void HyperparameterPanel::setDatasetInfo(const DatasetInfo& info) {
  m_validator.setDataset(info);
  revalidate();
}

void HyperparameterPanel::setLocked(Lock lock, const QString& reason) {
  // The Advanced section's fold stays enabled, so a locked run's constants can still be read.
  for (QWidget* section : m_sections)
    section->setEnabled(lock == Unlocked || section == m_advanced);
  m_advanced->setLocked(lock != Unlocked);
  if (lock == ScheduleOnly) {
    // The optimization section stays enabled with only its learning rate, the schedule and
    // Epochs.
    QWidget* optimization = m_sections[1];
    optimization->setEnabled(true);
    for (QWidget* field : optimization->findChildren<QWidget*>())
      field->setEnabled(field == m_learningRate || field == m_epochs ||
                        m_learningRate->isAncestorOf(field) || m_epochs->isAncestorOf(field) ||
                        m_schedule->owns(field) || qobject_cast<QLabel*>(field));
  } else {
    for (QWidget* field : m_sections[1]->findChildren<QWidget*>()) field->setEnabled(true);
  }
  m_lockNote->setText(reason);
  m_lockNote->setVisible(lock != Unlocked && !reason.isEmpty());
}

bool HyperparameterPanel::setLearningRate(double rate) {
  if (!m_learningRate->isEnabled()) return false;
  m_learningRateNote->hide();  // it told of an optimizer switch, not of this rate
  m_learningRate->setValue(rate);
  return true;
}

void HyperparameterPanel::setRunPosition(long long nextStep, int epochsDone) {
  if (nextStep == m_runNextStep && epochsDone == m_runEpochsDone) return;
  m_runNextStep = nextStep;
  m_runEpochsDone = epochsDone;
  describeSchedule();
}

void HyperparameterPanel::describeSchedule() {
  const TrainingSettings s = settings();
  const DatasetInfo& data = m_validator.dataset();
  m_schedule->describeRun(s.learningRate, m_runNextStep, m_runEpochsDone + s.epochs,
                          data.loaded ? cs::steps_per_epoch(data.trainCount, s.batchSize) : 0);
}

void HyperparameterPanel::onEdited() {
  revalidate();
  Q_EMIT settingsChanged(settings());
}

void HyperparameterPanel::setPreviewImages(DatasetPtr data) {
  m_advanced->shiftPreview()->setDataset(std::move(data));
}

void HyperparameterPanel::revalidate() {
  const TrainingSettings s = settings();
  m_advanced->shiftPreview()->setShift(s.augmentShift, static_cast<uint64_t>(s.seed));
  m_validation = m_validator.validate(s);
  showValidation();
  Q_EMIT validationChanged(m_validation);
}

void HyperparameterPanel::showValidation() {
  const SettingsValidation& v = m_validation;
  const DatasetInfo& data = m_validator.dataset();
  const QLocale locale;
  m_datasetNote->setText(
      data.loaded ? tr("%1 training · %2 validation images, %3×%4×%5")
                        .arg(locale.toString(data.trainCount), locale.toString(data.testCount))
                        .arg(data.shape.c)
                        .arg(data.shape.h)
                        .arg(data.shape.w)
                  : data.problem);
  markFieldInvalid(m_dataset, v.field == SettingsField::Dataset, v.message);
  markFieldInvalid(m_learningRate, v.field == SettingsField::LearningRate, v.message);
  markFieldInvalid(m_batchSize, v.field == SettingsField::BatchSize, v.message);
  markFieldInvalid(m_epochs, v.field == SettingsField::Epochs, v.message);
  markFieldInvalid(m_denseWidth, v.field == SettingsField::DenseWidth, v.message);
  m_advanced->markShiftInvalid(v.field == SettingsField::AugmentShift, v.message);
  const bool convField = v.field == SettingsField::ConvKernel || v.field == SettingsField::ConvPool;
  m_convBlocks->markInvalid(convField ? v.block : -1, v.field == SettingsField::ConvPool,
                            v.message);
  describeSchedule();
  m_summary->setText(v.ok ? v.summary : QString());
  m_summary->setVisible(v.ok);
  m_issue->setText(v.ok ? QString() : tr("Cannot start: %1").arg(v.message));
  m_issue->setVisible(!v.ok);
}
