#include "training/run_checkpoint.h"

#include <QFileInfo>

#include "convscope/trainer.h"

QString RunCheckpoint::problem(const QString& path, const DatasetPtr& data,
                               cs::Checkpoint* checkpoint) {
  const QString name = QFileInfo(path).fileName();
  if (!QFileInfo(path).isFile()) return tr("%1 does not exist or is not a file.").arg(path);
  try {
    *checkpoint = cs::read_checkpoint(path.toStdString());
  } catch (const std::exception& e) {
    QString why = QString::fromUtf8(e.what());
    const QString prefix = path + QStringLiteral(": ");
    if (why.startsWith(prefix)) why = why.mid(prefix.size());
    if (why.startsWith(QStringLiteral("not a Convscope checkpoint")))
      return tr("%1 is %2.").arg(name, why);
    return tr("%1 is not a Convscope checkpoint (%2).").arg(name, why);
  }
  if (!data) return {};  // the worker's beginRun() says what to do
  const cs::NetworkSpec& spec = checkpoint->meta.spec;
  const cs::Shape3 in = spec.input, have = data->train.shape;
  if (in.c != have.c || in.h != have.h || in.w != have.w || spec.classes != data->train.classes)
    return tr("%1 was trained on %2×%3×%4 images of %5 classes; the loaded dataset has "
              "%6×%7×%8 images of %9 classes.")
        .arg(name)
        .arg(in.c)
        .arg(in.h)
        .arg(in.w)
        .arg(spec.classes)
        .arg(have.c)
        .arg(have.h)
        .arg(have.w)
        .arg(data->train.classes);
  return {};
}

cs::CheckpointMeta RunCheckpoint::settingsOf(const cs::CheckpointMeta& meta) {
  cs::CheckpointMeta settings = meta;
  settings.history = {};
  settings.learning_points = {};
  settings.learning_top1 = {};
  return settings;
}

bool RunCheckpoint::fitsInMemory(const cs::GroupConfig& group) {
  const long long floats = group.spec.param_count() * (1 + group.optimizer.slots());
  return floats * static_cast<long long>(sizeof(float)) <= kMaxKeptBytes;
}

bool RunCheckpoint::atBestEpoch(const cs::Trainer& trainer) {
  return trainer.epoch() > 0 && trainer.epoch_position() == 0 &&
         trainer.best_epoch() == trainer.epoch();
}

std::unique_ptr<cs::Checkpoint> RunCheckpoint::inMemory(cs::Trainer& trainer,
                                                        std::unique_ptr<cs::Checkpoint> reuse) {
  if (!fitsInMemory(trainer.config().group)) return nullptr;
  trainer.drain_losses();  // the history it keeps is the run's whole
  const std::string name = "epoch " + std::to_string(trainer.epoch()) + " (kept in memory)";
  if (!reuse) reuse = std::make_unique<cs::Checkpoint>();
  cs::capture_checkpoint(trainer, 0, name, *reuse);
  return reuse;
}
