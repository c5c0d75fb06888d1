#include "training/training_types.h"

#include <atomic>

#include "convscope/augment.h"
#include "convscope/label_smoothing.h"

QString displayName(TrainingState state) {
  switch (state) {
    case TrainingState::Idle:
      return QStringLiteral("Idle");
    case TrainingState::Running:
      return QStringLiteral("Training");
    case TrainingState::Paused:
      return QStringLiteral("Paused");
    case TrainingState::Stopped:
      return QStringLiteral("Stopped");
    case TrainingState::Finished:
      return QStringLiteral("Finished");
  }
  return {};
}

QString RunInfo::describe(const cs::TrainConfig& cfg) {
  const cs::OptimizerConfig& o = cfg.group.optimizer;
  return QStringLiteral("%1 · %2 · %3 · batch %4")
             .arg(QString::fromStdString(cfg.group.spec.to_string()),
                  QString::fromStdString(o.brief()), QString::fromStdString(o.schedule.to_string()),
                  QString::number(cfg.group.batch_size)) +
         shiftField(cfg.group.augment_shift) + smoothingField(cfg.group.label_smoothing);
}

QString RunInfo::shiftText(int maxShift) {
  return QString::fromStdString(cs::augment_shift_text(maxShift));
}

QString RunInfo::shiftField(int maxShift) {
  return maxShift > 0 ? QStringLiteral(" · shift ") + shiftText(maxShift) : QString();
}

QString RunInfo::smoothingText(float smoothing) {
  return QString::fromStdString(cs::label_smoothing_text(smoothing));
}

QString RunInfo::smoothingField(float smoothing) {
  return smoothing > 0 ? QStringLiteral(" · label smoothing ") + smoothingText(smoothing)
                       : QString();
}

int nextRequestId() {
  static std::atomic<int> id{0};
  return ++id;
}

void registerTrainingTypes() {
  qRegisterMetaType<TrainingState>();
  qRegisterMetaType<DatasetPtr>();
  qRegisterMetaType<SnapshotPtr>();
  qRegisterMetaType<cs::SnapshotExchange*>();
  qRegisterMetaType<RunRequest>();
  qRegisterMetaType<BackendReport>();
  qRegisterMetaType<RunInfo>();
  qRegisterMetaType<RunHistoryPtr>();
  qRegisterMetaType<TrainingProgress>();
  qRegisterMetaType<EvaluationReport>();
  qRegisterMetaType<cs::BackendChoice>();
  qRegisterMetaType<cs::CheckpointMeta>();
  qRegisterMetaType<LayerUpdates>();
}
