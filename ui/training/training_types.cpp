#include "training/training_types.h"

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

void registerTrainingTypes() {
  qRegisterMetaType<TrainingState>();
  qRegisterMetaType<DatasetPtr>();
  qRegisterMetaType<SnapshotPtr>();
  qRegisterMetaType<cs::SnapshotExchange*>();
  qRegisterMetaType<RunRequest>();
  qRegisterMetaType<BackendReport>();
  qRegisterMetaType<RunInfo>();
  qRegisterMetaType<TrainingProgress>();
  qRegisterMetaType<EvaluationReport>();
  qRegisterMetaType<cs::BackendChoice>();
  qRegisterMetaType<cs::CheckpointMeta>();
}
