// The hyperparameter panel: dataset, backend, optimizer, schedule, architecture and the Advanced
// section (AdvancedSection). Every edit is validated at once (SettingsValidator); the offending
// field is flagged and the reason shown, and validationChanged() tells the window whether Start
// may be pressed.
#pragma once

#include <QWidget>

#include "settings/settings_validator.h"
#include "settings/training_settings.h"
#include "training/training_types.h"

class AdvancedSection;
class ConvBlockEditor;
class LogSpinBox;
class ScheduleEditor;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

class HyperparameterPanel : public QWidget {
  Q_OBJECT

 public:
  // What a run leaves editable: nothing while it trains; the learning rate, its schedule and
  // Epochs (for Continue) while it is paused; everything otherwise.
  enum Lock { Unlocked, ScheduleOnly, Locked };

  explicit HyperparameterPanel(QWidget* parent = nullptr);

  TrainingSettings settings() const;
  // Takes a number typed but not yet entered (the rate fields read their text on Enter or when
  // left: a keystroke is no rate) as the field's value, as leaving the field would. Start,
  // Continue, Resume, Step, the range test and Train ensemble call it first: a toolbar button or a
  // shortcut leaves the focus where it is.
  void commitTypedValues();
  void setSettings(const TrainingSettings& settings);
  const SettingsValidation& validation() const { return m_validation; }
  const DatasetInfo& datasetInfo() const { return m_validator.dataset(); }

  // The dataset of the selected folder was loaded (or failed: DatasetInfo::missing(reason)).
  void setDatasetInfo(const DatasetInfo& info);
  // The training images the random shift is previewed on (the next run's).
  void setPreviewImages(DatasetPtr data);
  // While a run is active the settings cannot change; `reason` says how to unlock them.
  void setLocked(Lock lock, const QString& reason = {});
  // Sets the learning rate as an edit of its field would (settingsChanged() follows); false, with
  // nothing changed, while the lock leaves the field read-only. The field's range applies.
  bool setLearningRate(double rate);
  // Where the run stands: its next step (1-based) and the epochs it completed ((1, 0) before a run
  // and after a reset). The schedule's note then reads from that step to the end of the epochs
  // Continue would add, and a cosine chosen spans to there.
  void setRunPosition(long long nextStep, int epochsDone);

 Q_SIGNALS:
  void settingsChanged(const TrainingSettings& settings);
  void validationChanged(const SettingsValidation& validation);
  // The user picked another dataset folder: load it and call setDatasetInfo().
  void datasetRequested(const QString& datasetDir);

 private:
  QWidget* buildDataSection();
  QWidget* buildOptimizationSection();
  QWidget* buildArchitectureSection();
  void populateBackends();
  void selectDataset(const QString& datasetDir);
  void onDatasetActivated(int index);
  void onEdited();
  void onOptimizerChanged();
  void revalidate();
  void showValidation();
  void describeSchedule();  // the schedule's note, from the run's position

  SettingsValidator m_validator;
  SettingsValidation m_validation;
  QString m_datasetDir;  // the folder whose DatasetInfo the validator has (or is loading)
  QComboBox* m_dataset;
  QLabel* m_datasetNote;
  QComboBox* m_backend;
  QLabel* m_backendNote;
  QComboBox* m_optimizer;
  LogSpinBox* m_learningRate;
  QLabel* m_learningRateNote;  // what switching the optimizer did to the learning rate
  ScheduleEditor* m_schedule;
  long long m_runNextStep = 1;
  int m_runEpochsDone = 0;
  cs::OptimizerKind m_shownOptimizer = cs::OptimizerKind::Adam;
  QSpinBox* m_batchSize;
  QSpinBox* m_epochs;
  QSpinBox* m_seed;
  ConvBlockEditor* m_convBlocks;
  QSpinBox* m_denseWidth;
  QDoubleSpinBox* m_dropout;
  QComboBox* m_activation;
  QLabel* m_summary;
  QLabel* m_issue;
  QLabel* m_lockNote;
  AdvancedSection* m_advanced;
  QList<QWidget*> m_sections;  // data, optimization, architecture, advanced
};
