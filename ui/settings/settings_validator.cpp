#include "settings/settings_validator.h"

#include <QLocale>
#include <QObject>
#include <cmath>

#include "convscope/augment.h"

namespace {

SettingsValidation failure(SettingsField field, const QString& message, int block = -1) {
  SettingsValidation v;
  v.field = field;
  v.block = block;
  v.message = message;
  return v;
}

}  // namespace

DatasetInfo DatasetInfo::from(const cs::DatasetPair& data, const QString& name) {
  DatasetInfo info;
  info.loaded = true;
  info.name = name;
  info.shape = data.train.shape;
  info.classes = data.train.classes;
  info.trainCount = data.train.count;
  info.testCount = data.test.count;
  return info;
}

DatasetInfo DatasetInfo::missing(const QString& problem) {
  DatasetInfo info;
  info.problem = problem;
  return info;
}

SettingsValidator::SettingsValidator(DatasetInfo dataset) : m_dataset(std::move(dataset)) {}

SettingsValidation SettingsValidator::validate(const TrainingSettings& s) const {
  if (!m_dataset.loaded)
    return failure(SettingsField::Dataset, m_dataset.problem.isEmpty()
                                               ? QObject::tr("No dataset is loaded.")
                                               : m_dataset.problem);
  if (!(s.learningRate > 0) || !std::isfinite(s.learningRate))
    return failure(SettingsField::LearningRate, QObject::tr("The learning rate must be positive."));
  // The optimizer's own check (the fields' ranges keep its constants valid; the learning rate
  // times the weight decay is what they cannot): shown at the learning rate, always in view.
  if (const std::string problem = s.optimizerConfig().problem(); !problem.empty())
    return failure(SettingsField::LearningRate,
                   QObject::tr("The optimizer cannot train with these values: %1.")
                       .arg(QString::fromStdString(problem)));
  if (s.batchSize < 1 || s.batchSize > m_dataset.trainCount)
    return failure(SettingsField::BatchSize,
                   QObject::tr("The batch size must be between 1 and the %1 training images.")
                       .arg(m_dataset.trainCount));
  if (s.epochs < 1) return failure(SettingsField::Epochs, QObject::tr("Train at least one epoch."));
  // The engine's own check (cs::check_group()'s): a shift of half the image or more, e.g. on a
  // small custom dataset, would leave little of it.
  if (const std::string problem = cs::augment_shift_problem(s.augmentShift, m_dataset.shape);
      !problem.empty()) {
    QString why = QString::fromStdString(problem);
    why[0] = why[0].toUpper();
    return failure(SettingsField::AugmentShift, why + QLatin1Char('.'));
  }

  const cs::NetworkSpec spec = s.spec(m_dataset.shape, m_dataset.classes);
  SettingsValidation v;
  try {
    v.shapes = spec.output_shapes();
    v.parameters = spec.param_count();
  } catch (const cs::SpecError& e) {
    const std::vector<TrainingSettings::LayerOrigin> origins = s.layerOrigins();
    const int index = e.layer() - 1;
    const QString why = QString::fromUtf8(e.what());
    if (index < 0 || index >= static_cast<int>(origins.size()))
      return failure(SettingsField::None, why);
    const TrainingSettings::LayerOrigin origin = origins[index];
    if (origin.block < 0) return failure(SettingsField::DenseWidth, why);
    const QString field =
        origin.pool ? QObject::tr("Conv %1 pooling") : QObject::tr("Conv %1 kernel");
    return failure(origin.pool ? SettingsField::ConvPool : SettingsField::ConvKernel,
                   field.arg(origin.block + 1) + QStringLiteral(" — ") + why, origin.block);
  }

  const QLocale locale;
  if (v.parameters > kMaxParameters)
    return failure(s.denseWidth > 0 ? SettingsField::DenseWidth : SettingsField::None,
                   QObject::tr("%1 parameters is too many for the live view (at most %2); add "
                               "pooling or narrow the dense layer.")
                       .arg(locale.toString(v.parameters), locale.toString(kMaxParameters)));
  QStringList chain{shapeText(m_dataset.shape)};
  for (size_t i = 0; i < v.shapes.size(); ++i)
    chain << (spec.layers[i].kind == cs::LayerKind::Dropout
                  ? QObject::tr("dropout %1").arg(locale.toString(spec.layers[i].rate))
                  : shapeText(v.shapes[i]));
  v.ok = true;
  v.summary = QObject::tr("%1 · %2 parameters")
                  .arg(chain.join(QStringLiteral(" → ")), locale.toString(v.parameters));
  return v;
}

QString SettingsValidator::shapeText(const cs::Shape3& s) {
  if (s.h == 1 && s.w == 1) return QString::number(s.c);
  return QStringLiteral("%1×%2×%3").arg(s.c).arg(s.h).arg(s.w);
}
