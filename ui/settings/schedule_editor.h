// The learning-rate schedule of the hyperparameter panel (cs::LrSchedule), as rows of the panel's
// form: the decay (constant, step, exponential or cosine), its factor and epochs, worded for the
// decay chosen ("Factor × 0.5 / Every 2 epochs", "Down to × 0 / Over 10 epochs") and shown only
// when it uses them, and a warm-up. The spin boxes' ranges keep every schedule valid.
#pragma once

#include <QObject>
#include <optional>

#include "convscope/lr_schedule.h"

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;

class ScheduleEditor : public QObject {
  Q_OBJECT

 public:
  explicit ScheduleEditor(QObject* parent = nullptr);

  // Adds the rows at the end of `form`, which takes the widgets.
  void addRows(QFormLayout* form);

  // The schedule shown: as setSchedule() gave it (not rounded to the fields' decimals) until a
  // field is edited.
  cs::LrSchedule schedule() const;
  // Whether `widget` is one of the editor's fields or inside one.
  bool owns(const QWidget* widget) const;
  void setSchedule(const cs::LrSchedule& schedule);  // emits nothing
  // What the schedule does to `lr` from step `firstStep` to the end of epoch `lastEpoch`, shown
  // under the fields (rateRange()). A cosine decay chosen afterwards spans to that epoch.
  void describeRun(double lr, long long firstStep, int lastEpoch, long long stepsPerEpoch);
  // The rates a schedule gives `lr` from step `firstStep` (1-based: the run's first, or the next
  // of a run that goes on) to the end of epoch `lastEpoch`: "0.001 at the first step → 1.12e-10
  // at the last (epoch 5)", "… at the next step …"; "" under a constant rate.
  static QString rateRange(double lr, const cs::LrSchedule& schedule, long long firstStep,
                           int lastEpoch, long long stepsPerEpoch);

 Q_SIGNALS:
  void changed();

 private:
  void showFields();  // the decay's rows and their words
  cs::LrDecay decay() const;

  QComboBox* m_decay;
  QLabel* m_rateLabel;
  QDoubleSpinBox* m_rate;
  QLabel* m_epochsLabel;
  QDoubleSpinBox* m_epochs;
  QDoubleSpinBox* m_warmup;
  QLabel* m_note;
  QFormLayout* m_form = nullptr;
  std::optional<cs::LrSchedule> m_given;  // setSchedule()'s, until an edit
  int m_runEpochs = 10;
};
