// The hyperparameter panel's Advanced section, folded away by default (its values apply either
// way): the optimizer's other constants (enabled where the optimizer uses them), the weight decay,
// every convolution's padding and stride, the training images' random shift, evaluation between
// epochs and early stopping. Locked, its fields cannot change but the fold still opens, so that a
// run's values can be read.
#pragma once

#include <QGroupBox>

#include "settings/training_settings.h"

class LogSpinBox;
class ShiftPreview;
class QComboBox;
class QDoubleSpinBox;
class QSpinBox;
class QToolButton;

class AdvancedSection : public QGroupBox {
  Q_OBJECT

 public:
  explicit AdvancedSection(QWidget* parent = nullptr);

  // Shows the section's fields of `settings`; emits nothing.
  void setSettings(const TrainingSettings& settings);
  // Shows the optimizer constants of `settings` (its optimizer's defaults where unset), enabled
  // where that optimizer uses them, and its weight decay; emits nothing.
  void showOptimizerConstants(const TrainingSettings& settings);
  // Writes the section's fields into `settings`, whose optimizer is already set: a constant left
  // at that optimizer's default, or one it does not use, stays unset.
  void readInto(TrainingSettings& settings) const;
  void setLocked(bool locked);
  // Flags the random shift with `reason`, opening the fold so that the flag is seen, or clears
  // the flag.
  void markShiftInvalid(bool invalid, const QString& reason);
  // The images the random shift is shown on (ShiftPreview), under its field.
  ShiftPreview* shiftPreview() const { return m_shiftPreview; }

 Q_SIGNALS:
  void changed();

 private:
  QToolButton* m_fold;
  QWidget* m_body;  // the fields, under the fold
  QDoubleSpinBox* m_momentum;
  QDoubleSpinBox* m_beta1;
  QDoubleSpinBox* m_beta2;
  LogSpinBox* m_epsilon;
  LogSpinBox* m_weightDecay;
  QDoubleSpinBox* m_labelSmoothing;
  QComboBox* m_padding;
  QSpinBox* m_stride;
  QSpinBox* m_augmentShift;
  ShiftPreview* m_shiftPreview;
  QSpinBox* m_evalEvery;
  QSpinBox* m_patience;
};
