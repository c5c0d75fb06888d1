#include "settings/advanced_section.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "convscope/augment.h"
#include "settings/invalid_field.h"
#include "settings/log_spin_box.h"
#include "settings/shift_preview.h"

namespace {

QString epochsSuffix(int epochs) {
  return epochs == 1 ? AdvancedSection::tr(" epoch") : AdvancedSection::tr(" epochs");
}

QDoubleSpinBox* decaySpinBox(const QString& name, const QString& tip) {
  auto* spin = new QDoubleSpinBox;
  spin->setObjectName(name);
  spin->setRange(0, TrainingSettings::kMaxMomentum);
  spin->setDecimals(4);
  spin->setSingleStep(0.01);
  spin->setToolTip(tip);
  return spin;
}

}  // namespace

AdvancedSection::AdvancedSection(QWidget* parent)
    : QGroupBox(parent), m_fold(new QToolButton), m_body(new QWidget) {
  setObjectName(QStringLiteral("advanced"));
  m_fold->setObjectName(QStringLiteral("advancedToggle"));
  m_fold->setText(tr("Advanced"));
  m_fold->setCheckable(true);
  m_fold->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  m_fold->setArrowType(Qt::RightArrow);
  m_fold->setAutoRaise(true);
  auto* form = new QFormLayout(m_body);
  form->setContentsMargins(0, 0, 0, 0);
  m_momentum = decaySpinBox(QStringLiteral("momentum"), tr("Momentum (Momentum, RMSprop)"));
  m_beta1 = decaySpinBox(QStringLiteral("beta1"), tr("First-moment decay β1 (Adam, Adamax)"));
  m_beta2 = decaySpinBox(QStringLiteral("beta2"), tr("Second-moment decay β2 (Adam, Adamax)"));
  m_epsilon = new LogSpinBox;
  m_epsilon->setObjectName(QStringLiteral("epsilon"));
  m_epsilon->setRange(TrainingSettings::kMinEpsilon, TrainingSettings::kMaxEpsilon);
  m_epsilon->setDecimals(14);
  m_epsilon->setToolTip(
      tr("ε added to the denominator (Adam, RMSprop, Adagrad, Adadelta, Adamax)"));
  m_weightDecay = new LogSpinBox;
  m_weightDecay->setObjectName(QStringLiteral("weightDecay"));
  m_weightDecay->setRange(0, TrainingSettings::kMaxWeightDecay);
  m_weightDecay->setValue(0);
  m_weightDecay->setSingleStep(1e-5);
  m_weightDecay->setSpecialValueText(tr("none"));
  m_weightDecay->setToolTip(
      tr("Decoupled weight decay (AdamW's), for every optimizer: each step first scales every "
         "weight and bias by 1 − learning rate × this"));
  m_labelSmoothing = new QDoubleSpinBox;
  m_labelSmoothing->setObjectName(QStringLiteral("labelSmoothing"));
  m_labelSmoothing->setRange(0, TrainingSettings::kMaxLabelSmoothing);
  m_labelSmoothing->setDecimals(2);
  m_labelSmoothing->setSingleStep(0.05);
  m_labelSmoothing->setSpecialValueText(tr("none"));
  m_labelSmoothing->setToolTip(
      tr("Label smoothing: training aims at 1 − this + this ÷ classes for the true class and "
         "this ÷ classes for each other one, instead of 1 and 0 (0.1 is usual); the validation "
         "loss stays the plain cross-entropy"));
  m_padding = new QComboBox;
  m_padding->setObjectName(QStringLiteral("padding"));
  m_padding->addItem(tr("valid (no padding)"), static_cast<int>(cs::Padding::Valid));
  m_padding->addItem(tr("same (keep the size)"), static_cast<int>(cs::Padding::Same));
  m_padding->setToolTip(tr("Padding of every convolution"));
  m_stride = new QSpinBox;
  m_stride->setObjectName(QStringLiteral("stride"));
  m_stride->setRange(1, TrainingSettings::kMaxStride);
  m_stride->setToolTip(tr("Stride of every convolution"));
  m_augmentShift = new QSpinBox;
  m_augmentShift->setObjectName(QStringLiteral("augmentShift"));
  m_augmentShift->setRange(0, cs::kMaxAugmentShift);
  m_augmentShift->setSpecialValueText(tr("none"));
  m_augmentShift->setPrefix(QStringLiteral("±"));
  m_augmentShift->setSuffix(tr(" px"));
  m_augmentShift->setToolTip(
      tr("Data augmentation: each training image moved by up to this many pixels in each "
         "direction (the pixels moved in are black), a new random shift every epoch; validation "
         "images are not moved."));
  m_evalEvery = new QSpinBox;
  m_evalEvery->setObjectName(QStringLiteral("evalEvery"));
  m_evalEvery->setRange(0, TrainingSettings::kMaxEvalEvery);
  m_evalEvery->setSingleStep(50);
  m_evalEvery->setSpecialValueText(tr("each epoch"));
  m_evalEvery->setSuffix(tr(" steps"));
  m_evalEvery->setToolTip(
      tr("Also evaluate on the validation set every this many steps, for "
         "charts and each image's learning history with more resolution"));
  m_patience = new QSpinBox;
  m_patience->setObjectName(QStringLiteral("patience"));
  m_patience->setRange(0, TrainingSettings::kMaxPatience);
  m_patience->setSpecialValueText(tr("off"));
  m_patience->setToolTip(
      tr("Early stopping: the run ends once this many epochs in a row end without a validation "
         "loss below the best epoch's. Continue after such a stop trains up to this many again."));
  form->addRow(tr("Momentum"), m_momentum);
  form->addRow(tr("β1"), m_beta1);
  form->addRow(tr("β2"), m_beta2);
  form->addRow(tr("Epsilon"), m_epsilon);
  form->addRow(tr("Weight decay"), m_weightDecay);
  form->addRow(tr("Label smoothing"), m_labelSmoothing);
  form->addRow(tr("Conv padding"), m_padding);
  form->addRow(tr("Conv stride"), m_stride);
  form->addRow(tr("Random shift"), m_augmentShift);
  m_shiftPreview = new ShiftPreview;
  form->addRow(m_shiftPreview);
  form->addRow(tr("Evaluate every"), m_evalEvery);
  form->addRow(tr("Patience"), m_patience);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_fold);
  layout->addWidget(m_body);
  m_body->setVisible(false);
  connect(m_fold, &QToolButton::toggled, this, [this](bool open) {
    m_fold->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    m_body->setVisible(open);
  });
  for (QDoubleSpinBox* spin :
       {m_momentum, m_beta1, m_beta2, static_cast<QDoubleSpinBox*>(m_epsilon),
        static_cast<QDoubleSpinBox*>(m_weightDecay), m_labelSmoothing})
    connect(spin, &QDoubleSpinBox::valueChanged, this, &AdvancedSection::changed);
  connect(m_padding, &QComboBox::currentIndexChanged, this, &AdvancedSection::changed);
  for (QSpinBox* spin : {m_stride, m_augmentShift, m_evalEvery})
    connect(spin, &QSpinBox::valueChanged, this, &AdvancedSection::changed);
  connect(m_patience, &QSpinBox::valueChanged, this, [this](int epochs) {
    m_patience->setSuffix(epochsSuffix(epochs));
    Q_EMIT changed();
  });
}

void AdvancedSection::setSettings(const TrainingSettings& s) {
  const QSignalBlocker b0(m_padding), b1(m_stride), b2(m_augmentShift), b3(m_evalEvery),
      b4(m_patience), b5(m_labelSmoothing);
  const int padding = m_padding->findData(static_cast<int>(s.padding));
  if (padding >= 0) m_padding->setCurrentIndex(padding);
  m_stride->setValue(s.stride);
  m_augmentShift->setValue(s.augmentShift);
  m_labelSmoothing->setValue(s.labelSmoothing);
  m_evalEvery->setValue(s.evalEvery);
  m_patience->setValue(s.patience);
  m_patience->setSuffix(epochsSuffix(s.patience));
  showOptimizerConstants(s);
}

void AdvancedSection::showOptimizerConstants(const TrainingSettings& s) {
  const QSignalBlocker b0(m_momentum), b1(m_beta1), b2(m_beta2), b3(m_epsilon), b4(m_weightDecay);
  const cs::OptimizerConfig c = s.optimizerConfig();
  m_momentum->setValue(c.momentum);
  m_beta1->setValue(c.beta1);
  m_beta2->setValue(c.beta2);
  m_epsilon->setValue(c.epsilon);
  m_weightDecay->setValue(s.weightDecay);
  m_momentum->setEnabled(TrainingSettings::usesMomentum(s.optimizer));
  m_beta1->setEnabled(TrainingSettings::usesBetas(s.optimizer));
  m_beta2->setEnabled(TrainingSettings::usesBetas(s.optimizer));
  m_epsilon->setEnabled(TrainingSettings::usesEpsilon(s.optimizer));
}

void AdvancedSection::readInto(TrainingSettings& s) const {
  s.padding = static_cast<cs::Padding>(m_padding->currentData().toInt());
  s.stride = m_stride->value();
  s.augmentShift = m_augmentShift->value();
  s.labelSmoothing = m_labelSmoothing->value();
  s.evalEvery = m_evalEvery->value();
  s.patience = m_patience->value();
  // A constant left at the optimizer's default stays "default"; the others are the user's.
  const cs::OptimizerConfig d = cs::OptimizerConfig::defaults(s.optimizer);
  const auto chosen = [](bool used, const QDoubleSpinBox* spin, float dv) -> std::optional<double> {
    if (!used || std::abs(spin->value() - dv) <= 1e-6 * dv) return std::nullopt;
    return spin->value();
  };
  s.momentum = chosen(TrainingSettings::usesMomentum(s.optimizer), m_momentum, d.momentum);
  s.beta1 = chosen(TrainingSettings::usesBetas(s.optimizer), m_beta1, d.beta1);
  s.beta2 = chosen(TrainingSettings::usesBetas(s.optimizer), m_beta2, d.beta2);
  s.epsilon = chosen(TrainingSettings::usesEpsilon(s.optimizer), m_epsilon, d.epsilon);
  s.weightDecay = m_weightDecay->value();
}

void AdvancedSection::setLocked(bool locked) {
  m_body->setEnabled(!locked);  // the fold stays enabled
}

void AdvancedSection::markShiftInvalid(bool invalid, const QString& reason) {
  if (invalid && !m_augmentShift->property("invalid").toBool()) m_fold->setChecked(true);
  markFieldInvalid(m_augmentShift, invalid, reason);
}
