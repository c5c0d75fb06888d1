#include "settings/training_settings.h"

#include <QDir>
#include <QStringList>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <tuple>

#include "convscope/augment.h"
#include "settings/stored_value.h"

namespace {

cs::LayerSpec poolLayer(const ConvBlock& b) {
  return b.pool == PoolKind::Max ? cs::LayerSpec::max_pool(b.poolWindow)
                                 : cs::LayerSpec::avg_pool(b.poolWindow);
}

QString backendKey(cs::BackendChoice c) {
  switch (c) {
    case cs::BackendChoice::Cpu:
      return QStringLiteral("cpu");
    case cs::BackendChoice::Cuda:
      return QStringLiteral("cuda");
    case cs::BackendChoice::Auto:
      break;
  }
  return QStringLiteral("auto");
}

// A share (dropout, label smoothing) as its field holds it: in hundredths, from 0 (NaN and
// anything below too) up to `max`.
double fieldShare(double value, double max) {
  const double v = std::round(value * 100) / 100;
  return v > 0 ? std::min(v, max) : 0.0;
}

// Whether a share read from a run is one its field can hold exactly.
bool fieldHolds(float value, double max) {
  return static_cast<float>(fieldShare(value, max)) == value;
}

template <typename Enum>
Enum enumValue(const QVariant& v, Enum fallback, int count) {
  bool ok = false;
  const int i = v.toInt(&ok);
  return ok && i >= 0 && i < count ? static_cast<Enum>(i) : fallback;
}

}  // namespace

std::vector<ConvBlock> TrainingSettings::referenceBlocks() {
  return {{5, 8, PoolKind::Max, 2}, {5, 16, PoolKind::Max, 2}};
}

QString TrainingSettings::folderOf(const QString& datasetDir) {
  return datasetDir.isEmpty() ? QString::fromStdString(cs::default_mnist_dir()) : datasetDir;
}

QString TrainingSettings::displayNameOf(const QString& datasetDir) {
  const QString dir = QDir::cleanPath(folderOf(datasetDir));
  if (dir == QDir::cleanPath(QString::fromStdString(cs::default_mnist_dir())))
    return QStringLiteral("MNIST");
  if (dir == QDir::cleanPath(QString::fromStdString(cs::fashion_mnist_dir())))
    return QStringLiteral("Fashion-MNIST");
  return QDir(dir).dirName();
}

QString TrainingSettings::engineNameOf(const QString& datasetDir) {
  return QString::fromStdString(cs::dataset_name_for(folderOf(datasetDir).toStdString()));
}

cs::NetworkSpec TrainingSettings::spec(cs::Shape3 input, int classes) const {
  cs::NetworkSpec s;
  s.input = input;
  s.classes = classes;
  for (const ConvBlock& b : convBlocks) {
    s.layers.push_back(cs::LayerSpec::conv(b.kernel, b.filters, activation, stride, padding));
    if (b.pool != PoolKind::None) s.layers.push_back(poolLayer(b));
  }
  if (denseWidth > 0) s.layers.push_back(cs::LayerSpec::dense(denseWidth, activation));
  if (dropout > 0) s.layers.push_back(cs::LayerSpec::dropout(static_cast<float>(dropout)));
  s.layers.push_back(cs::LayerSpec::dense(classes));
  return s;
}

std::vector<TrainingSettings::LayerOrigin> TrainingSettings::layerOrigins() const {
  std::vector<LayerOrigin> origins;
  for (int row = 0; row < static_cast<int>(convBlocks.size()); ++row) {
    origins.push_back({row, false});
    if (convBlocks[row].pool != PoolKind::None) origins.push_back({row, true});
  }
  if (denseWidth > 0) origins.push_back({});
  if (dropout > 0) origins.push_back({});
  origins.push_back({});
  return origins;
}

cs::TrainConfig TrainingSettings::trainConfig(cs::Shape3 input, int classes) const {
  cs::TrainConfig cfg;
  cfg.group.spec = spec(input, classes);
  cfg.group.optimizer = optimizerConfig();
  cfg.group.seeds = {static_cast<uint64_t>(seed)};
  cfg.group.shuffle_seed = static_cast<uint64_t>(seed);
  cfg.group.batch_size = batchSize;
  cfg.group.augment_shift = augmentShift;
  cfg.group.label_smoothing = static_cast<float>(labelSmoothing);
  cfg.epochs = epochs;
  cfg.eval_every = evalEvery;
  cfg.patience = patience;
  return cfg;
}

bool TrainingSettings::usesMomentum(cs::OptimizerKind k) {
  return k == cs::OptimizerKind::Momentum || k == cs::OptimizerKind::RmsProp;
}

bool TrainingSettings::usesBetas(cs::OptimizerKind k) {
  return k == cs::OptimizerKind::Adam || k == cs::OptimizerKind::Adamax;
}

bool TrainingSettings::usesEpsilon(cs::OptimizerKind k) {
  return k != cs::OptimizerKind::Sgd && k != cs::OptimizerKind::Momentum;
}

cs::OptimizerConfig TrainingSettings::optimizerConfig() const {
  cs::OptimizerConfig c = cs::OptimizerConfig::defaults(optimizer);
  c.lr = static_cast<float>(learningRate);
  c.schedule = schedule;
  if (usesMomentum(optimizer) && momentum) c.momentum = static_cast<float>(*momentum);
  if (usesBetas(optimizer) && beta1) c.beta1 = static_cast<float>(*beta1);
  if (usesBetas(optimizer) && beta2) c.beta2 = static_cast<float>(*beta2);
  if (usesEpsilon(optimizer) && epsilon) c.epsilon = static_cast<float>(*epsilon);
  c.weight_decay = static_cast<float>(weightDecay);
  return c;
}

void TrainingSettings::adoptOptimizer(const cs::OptimizerConfig& c) {
  const cs::OptimizerConfig d = cs::OptimizerConfig::defaults(c.kind);
  const auto unlessDefault = [](float v, float dv) -> std::optional<double> {
    if (v == dv) return std::nullopt;
    return v;
  };
  optimizer = c.kind;
  // The float's shortest decimal (0.01, not 0.009999999776): the field shows 12 decimals.
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, c.lr).ptr;
  learningRate = std::strtod(std::string(text, end).c_str(), nullptr);
  schedule = c.schedule;
  momentum = unlessDefault(c.momentum, d.momentum);
  beta1 = unlessDefault(c.beta1, d.beta1);
  beta2 = unlessDefault(c.beta2, d.beta2);
  epsilon = unlessDefault(c.epsilon, d.epsilon);
  weightDecay = c.weight_decay;
}

QString TrainingSettings::unshownOptimizerText(const cs::OptimizerConfig& c) {
  const cs::OptimizerConfig d = cs::OptimizerConfig::defaults(c.kind);
  QStringList unshown;
  if ((c.kind == cs::OptimizerKind::RmsProp || c.kind == cs::OptimizerKind::Adadelta) &&
      c.rho != d.rho)
    unshown << QStringLiteral("rho %1").arg(double(c.rho));
  if (c.kind == cs::OptimizerKind::Adagrad && c.initial_accumulator != d.initial_accumulator)
    unshown << QStringLiteral("initial accumulator %1").arg(double(c.initial_accumulator));
  return unshown.join(QStringLiteral(", "));
}

bool TrainingSettings::adoptRun(const cs::CheckpointMeta& meta, QStringList* unshown) {
  QStringList missing;
  const auto unless = [&missing](bool shown, const QString& what) {
    if (!shown) missing << what;
  };
  adoptOptimizer(meta.optimizer);
  // another value than the field can hold is not expressible: the nearest it can is kept
  unless(adoptArchitecture(meta.spec),
         QStringLiteral("network %1").arg(QString::fromStdString(meta.spec.to_string())));
  unless(meta.batch_size >= 1 && meta.batch_size <= kMaxBatchSize,
         QStringLiteral("batch size %1").arg(meta.batch_size));
  batchSize = std::clamp(meta.batch_size, 1, kMaxBatchSize);
  augmentShift = meta.augment_shift;
  unless(fieldHolds(meta.label_smoothing, kMaxLabelSmoothing),
         QStringLiteral("label smoothing %1").arg(double(meta.label_smoothing), 0, 'g', 6));
  labelSmoothing = fieldShare(meta.label_smoothing, kMaxLabelSmoothing);
  const uint64_t maxSeed = std::numeric_limits<int>::max();
  unless(meta.seed <= maxSeed, QStringLiteral("seed %1").arg(meta.seed));
  seed = static_cast<int>(std::min(meta.seed, maxSeed));
  unless(meta.optimizer.lr >= kMinLearningRate && meta.optimizer.lr <= kMaxLearningRate,
         QStringLiteral("learning rate %1").arg(double(meta.optimizer.lr), 0, 'g', 6));
  // In float, as the run holds them: float(1e-12), the field's least epsilon, lies below 1e-12.
  const auto constant = [&](const char* name, const std::optional<double>& v, double min,
                            double max) {
    if (v && !(static_cast<float>(*v) >= static_cast<float>(min) &&
               static_cast<float>(*v) <= static_cast<float>(max)))
      missing << QStringLiteral("%1 %2").arg(QLatin1String(name)).arg(*v, 0, 'g', 6);
  };
  constant("momentum", momentum, 0, kMaxMomentum);
  constant("beta1", beta1, 0, kMaxMomentum);
  constant("beta2", beta2, 0, kMaxMomentum);
  constant("epsilon", epsilon, kMinEpsilon, kMaxEpsilon);
  constant("weight decay", weightDecay, 0, kMaxWeightDecay);
  const QString withoutField = unshownOptimizerText(meta.optimizer);
  unless(withoutField.isEmpty(), withoutField);
  if (unshown) *unshown = missing;
  return missing.isEmpty();
}

bool TrainingSettings::adoptArchitecture(const cs::NetworkSpec& s) {
  std::vector<ConvBlock> blocks;
  std::optional<cs::Activation> act;
  std::optional<std::pair<int, cs::Padding>> geometry;  // stride and padding, shared by all
  const auto sameActivation = [&act](cs::Activation a) {
    if (act && *act != a) return false;
    act = a;
    return true;
  };
  size_t i = 0;
  for (; i < s.layers.size() && s.layers[i].kind == cs::LayerKind::Conv2d; ++i) {
    const cs::LayerSpec& c = s.layers[i];
    if (c.kernel > kMaxKernel || c.units > kMaxFilters || c.stride > kMaxStride) return false;
    if (geometry && *geometry != std::pair(c.stride, c.padding)) return false;
    geometry = std::pair(c.stride, c.padding);
    if (!sameActivation(c.activation)) return false;
    ConvBlock b{c.kernel, c.units, PoolKind::None, 2};
    if (i + 1 < s.layers.size() && (s.layers[i + 1].kind == cs::LayerKind::MaxPool ||
                                    s.layers[i + 1].kind == cs::LayerKind::AvgPool)) {
      ++i;
      b.pool = s.layers[i].kind == cs::LayerKind::MaxPool ? PoolKind::Max : PoolKind::Avg;
      b.poolWindow = s.layers[i].kernel;
    }
    blocks.push_back(b);
  }
  std::vector<cs::LayerSpec> tail(s.layers.begin() + static_cast<long>(i), s.layers.end());
  double rate = 0;
  if (tail.size() >= 2 && tail[tail.size() - 2].kind == cs::LayerKind::Dropout) {
    if (!fieldHolds(tail[tail.size() - 2].rate, kMaxDropout)) return false;
    rate = fieldShare(tail[tail.size() - 2].rate, kMaxDropout);
    tail.erase(tail.end() - 2);
  }
  if (tail.empty() || tail.size() > 2 || static_cast<int>(blocks.size()) > kMaxConvBlocks)
    return false;
  for (const cs::LayerSpec& l : tail)
    if (l.kind != cs::LayerKind::Dense) return false;
  int dense = 0;
  if (tail.size() == 2) {
    if (!sameActivation(tail[0].activation)) return false;
    dense = tail[0].units;
    if (dense > kMaxDenseWidth) return false;
  }
  convBlocks = std::move(blocks);
  denseWidth = dense;
  dropout = rate;
  if (geometry) std::tie(stride, padding) = *geometry;
  if (act) activation = *act;
  return true;
}

TrainingSettings TrainingSettings::load(QSettings& q) {
  TrainingSettings s;
  q.beginGroup(QStringLiteral("training"));
  s.datasetDir = q.value(QStringLiteral("datasetDir"), s.datasetDir).toString();
  try {
    s.backend = cs::parse_backend_choice(
        q.value(QStringLiteral("backend"), backendKey(s.backend)).toString().toStdString());
  } catch (const std::exception&) {
    s.backend = cs::BackendChoice::Auto;
  }
  s.optimizer = enumValue(q.value(QStringLiteral("optimizer")), s.optimizer,
                          static_cast<int>(std::size(cs::kAllOptimizers)));
  using stored_value::clamped;
  s.learningRate = clamped(q, QStringLiteral("learningRate"), s.learningRate, kMinLearningRate,
                           kMaxLearningRate);
  try {  // "constant" when unset or unreadable
    s.schedule = cs::LrSchedule::parse(
        q.value(QStringLiteral("lrSchedule"), QStringLiteral("constant")).toString().toStdString());
  } catch (const std::invalid_argument&) {
    s.schedule = {};
  }
  s.batchSize = clamped(q, QStringLiteral("batchSize"), s.batchSize, 1, kMaxBatchSize);
  s.epochs = clamped(q, QStringLiteral("epochs"), s.epochs, 1, kMaxEpochs);
  s.seed = clamped(q, QStringLiteral("seed"), s.seed, 0, std::numeric_limits<int>::max());
  using stored_value::number;
  s.momentum = number(q, QStringLiteral("momentum"), 0, kMaxMomentum);
  s.beta1 = number(q, QStringLiteral("beta1"), 0, kMaxMomentum);
  s.beta2 = number(q, QStringLiteral("beta2"), 0, kMaxMomentum);
  s.epsilon = number(q, QStringLiteral("epsilon"), kMinEpsilon, kMaxEpsilon);
  s.weightDecay = number(q, QStringLiteral("weightDecay"), 0, kMaxWeightDecay).value_or(0);
  s.augmentShift =
      clamped(q, QStringLiteral("augmentShift"), s.augmentShift, 0, cs::kMaxAugmentShift);
  s.labelSmoothing =
      fieldShare(q.value(QStringLiteral("labelSmoothing"), 0).toDouble(), kMaxLabelSmoothing);
  s.evalEvery = clamped(q, QStringLiteral("evalEvery"), s.evalEvery, 0, kMaxEvalEvery);
  s.patience = clamped(q, QStringLiteral("patience"), s.patience, 0, kMaxPatience);
  q.endGroup();

  q.beginGroup(QStringLiteral("architecture"));
  const int n = q.beginReadArray(QStringLiteral("convBlocks"));
  if (n > 0) {
    s.convBlocks.clear();
    for (int i = 0; i < std::min(n, kMaxConvBlocks); ++i) {
      q.setArrayIndex(i);
      ConvBlock b;
      b.kernel = clamped(q, QStringLiteral("kernel"), b.kernel, 1, kMaxKernel);
      b.filters = clamped(q, QStringLiteral("filters"), b.filters, 1, kMaxFilters);
      b.pool = enumValue(q.value(QStringLiteral("pool")), b.pool, 3);
      // As large as a kernel: a checkpoint's window, which the pool box takes too.
      b.poolWindow = clamped(q, QStringLiteral("poolWindow"), b.poolWindow, 1, kMaxKernel);
      s.convBlocks.push_back(b);
    }
  }
  q.endArray();
  if (q.value(QStringLiteral("noConv")).toBool()) s.convBlocks.clear();
  s.denseWidth = clamped(q, QStringLiteral("denseWidth"), s.denseWidth, 0, kMaxDenseWidth);
  s.dropout = fieldShare(q.value(QStringLiteral("dropout"), 0).toDouble(), kMaxDropout);
  s.activation = enumValue(q.value(QStringLiteral("activation")), s.activation, 4);
  s.padding = enumValue(q.value(QStringLiteral("padding")), s.padding, 2);
  s.stride = clamped(q, QStringLiteral("stride"), s.stride, 1, kMaxStride);
  q.endGroup();
  return s;
}

void TrainingSettings::save(QSettings& q) const {
  q.beginGroup(QStringLiteral("training"));
  q.setValue(QStringLiteral("datasetDir"), datasetDir);
  q.setValue(QStringLiteral("backend"), backendKey(backend));
  q.setValue(QStringLiteral("optimizer"), static_cast<int>(optimizer));
  q.setValue(QStringLiteral("learningRate"), learningRate);
  q.setValue(QStringLiteral("lrSchedule"), QString::fromStdString(schedule.to_string()));
  q.setValue(QStringLiteral("batchSize"), batchSize);
  q.setValue(QStringLiteral("epochs"), epochs);
  q.setValue(QStringLiteral("seed"), seed);
  const auto optional = [&q](const QString& key, const std::optional<double>& v) {
    if (v)
      q.setValue(key, *v);
    else
      q.remove(key);
  };
  optional(QStringLiteral("momentum"), momentum);
  optional(QStringLiteral("beta1"), beta1);
  optional(QStringLiteral("beta2"), beta2);
  optional(QStringLiteral("epsilon"), epsilon);
  q.setValue(QStringLiteral("weightDecay"), weightDecay);
  q.setValue(QStringLiteral("augmentShift"), augmentShift);
  q.setValue(QStringLiteral("labelSmoothing"), labelSmoothing);
  q.setValue(QStringLiteral("evalEvery"), evalEvery);
  q.setValue(QStringLiteral("patience"), patience);
  q.endGroup();

  q.beginGroup(QStringLiteral("architecture"));
  q.remove(QStringLiteral("convBlocks"));
  q.beginWriteArray(QStringLiteral("convBlocks"), static_cast<int>(convBlocks.size()));
  for (int i = 0; i < static_cast<int>(convBlocks.size()); ++i) {
    q.setArrayIndex(i);
    q.setValue(QStringLiteral("kernel"), convBlocks[i].kernel);
    q.setValue(QStringLiteral("filters"), convBlocks[i].filters);
    q.setValue(QStringLiteral("pool"), static_cast<int>(convBlocks[i].pool));
    q.setValue(QStringLiteral("poolWindow"), convBlocks[i].poolWindow);
  }
  q.endArray();
  q.setValue(QStringLiteral("noConv"), convBlocks.empty());  // an empty array reads as "unset"
  q.setValue(QStringLiteral("denseWidth"), denseWidth);
  q.setValue(QStringLiteral("dropout"), dropout);
  q.setValue(QStringLiteral("activation"), static_cast<int>(activation));
  q.setValue(QStringLiteral("padding"), static_cast<int>(padding));
  q.setValue(QStringLiteral("stride"), stride);
  q.endGroup();
}
