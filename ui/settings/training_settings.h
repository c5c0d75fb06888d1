// What the hyperparameter panel edits, as a plain value: dataset, backend, optimizer and the
// architecture in the panel's terms (conv blocks with optional pooling, one hidden dense layer).
// It turns itself into a cs::TrainConfig and persists with QSettings.
#pragma once

#include <QMetaType>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

#include "convscope/backends.h"
#include "convscope/checkpoint.h"
#include "convscope/trainer.h"

enum class PoolKind { None, Max, Avg };

// One row of the architecture editor: a convolution, optionally followed by pooling.
struct ConvBlock {
  int kernel = 5;
  int filters = 8;
  PoolKind pool = PoolKind::Max;
  int poolWindow = 2;
  bool operator==(const ConvBlock&) const = default;
};

struct TrainingSettings {
  static constexpr int kMaxConvBlocks = 6;
  static constexpr int kMaxEvalEvery = 100000;
  static constexpr int kMaxPatience = 1000;
  // The engine allows any weight decay with lr x decay below 1 (SGD at 0.01: up to 100).
  static constexpr double kMaxWeightDecay = 1000;
  // The learning rates the panel holds, to 12 decimals: a checkpoint's rate from the CLI (which
  // takes any above 0) outside them is not expressible (adoptRun()).
  static constexpr double kMinLearningRate = 1e-9, kMaxLearningRate = 10;
  static constexpr int kLearningRateDecimals = 12;
  // The other fields' ranges: a run beyond one (a checkpoint from the CLI) is not expressible
  // either. (The pool box takes any window a checkpoint has: ConvBlockEditor::setPool.)
  static constexpr int kMaxKernel = 31, kMaxFilters = 512, kMaxDenseWidth = 8192, kMaxStride = 8;
  static constexpr int kMaxBatchSize = 8192, kMaxEpochs = 1000;
  static constexpr double kMaxMomentum = 0.9999;  // momentum and the betas
  static constexpr double kMinEpsilon = 1e-12, kMaxEpsilon = 1;

  QString datasetDir;  // an IDX folder; empty means the default MNIST folder
  cs::BackendChoice backend = cs::BackendChoice::Auto;
  cs::OptimizerKind optimizer = cs::OptimizerKind::Adam;
  double learningRate = 0.001;
  cs::LrSchedule schedule;  // the learning rate's multiplier step by step (constant by default)
  int batchSize = 64;
  int epochs = 5;
  int seed = 1;
  std::vector<ConvBlock> convBlocks = referenceBlocks();
  int denseWidth = 128;  // hidden dense units; 0 = none
  // The share of the output layer's inputs zeroed in each training step (a dropout layer before
  // the output layer; 0: none), in hundredths.
  double dropout = 0;
  static constexpr double kMaxDropout = 0.9;
  cs::Activation activation = cs::Activation::Relu;
  // Advanced: every convolution's padding and stride, and the optimizer's other constants
  // (unset: the optimizer's own default; each applies only to the optimizers that use it).
  cs::Padding padding = cs::Padding::Valid;
  int stride = 1;
  std::optional<double> momentum;  // momentum, rmsprop
  std::optional<double> beta1;     // adam, adamax
  std::optional<double> beta2;     // adam, adamax
  std::optional<double> epsilon;   // adam, rmsprop, adagrad, adadelta, adamax
  double weightDecay = 0;          // decoupled, for every optimizer (0: none)
  int augmentShift = 0;            // training images moved up to this many px each way (0: none)
  double labelSmoothing = 0;       // cs::GroupConfig::label_smoothing, in hundredths (0: none)
  static constexpr double kMaxLabelSmoothing = 0.9;
  int evalEvery = 0;  // also evaluate every this many steps (0: after each epoch only)
  int patience = 0;   // cs::TrainConfig::patience: early stopping (0: off)

  bool operator==(const TrainingSettings&) const = default;

  // conv 5×5×8 + max pool 2, conv 5×5×16 + max pool 2: the reference network's convolutions.
  static std::vector<ConvBlock> referenceBlocks();

  // The dataset folder (datasetDir, or cs::default_mnist_dir() when empty), its display name
  // ("MNIST", "Fashion-MNIST", or the folder's name) and the name its data are loaded, trained and
  // stored under: the command line's and sweeps' (cs::dataset_name_for(): "mnist", else the
  // folder's absolute path), by which Continue… finds the folder again.
  static QString folderOf(const QString& datasetDir);
  static QString displayNameOf(const QString& datasetDir);
  static QString engineNameOf(const QString& datasetDir);

  // The network: conv blocks, the hidden dense layer, the dropout layer, then dense(classes).
  // Not validated.
  cs::NetworkSpec spec(cs::Shape3 input, int classes) const;
  // Which panel field produced each spec layer: (block row, is pooling), or the dense or dropout
  // layers.
  struct LayerOrigin {
    int block = -1;  // conv block row, or -1 for a dense or the dropout layer
    bool pool = false;
  };
  std::vector<LayerOrigin> layerOrigins() const;

  cs::TrainConfig trainConfig(cs::Shape3 input, int classes) const;
  // The optimizer with its learning rate and constants as trainConfig() builds it.
  cs::OptimizerConfig optimizerConfig() const;
  // Takes over an optimizer (kind, rate, constants), e.g. a checkpoint's.
  void adoptOptimizer(const cs::OptimizerConfig& config);
  // Which of the advanced constants `kind` uses.
  static bool usesMomentum(cs::OptimizerKind kind);
  static bool usesBetas(cs::OptimizerKind kind);
  static bool usesEpsilon(cs::OptimizerKind kind);

  // Takes over a spec's architecture when the panel can express it (conv blocks with one shared
  // activation, padding and stride, at most one hidden dense layer, a dropout layer before the
  // output layer at a rate in hundredths); false otherwise.
  bool adoptArchitecture(const cs::NetworkSpec& spec);
  // The constants of `config` that the panel has no field for and that differ from its kind's
  // defaults ("rho 0.8" for RMSprop or Adadelta, "initial accumulator 0.2" for Adagrad), joined
  // by ", "; "" when there are none.
  static QString unshownOptimizerText(const cs::OptimizerConfig& config);
  // A run's optimizer, batch size, random shift, label smoothing, seed and (where it can)
  // network, from a checkpoint's metadata: false when the panel cannot show the network
  // (adoptArchitecture()), the batch size, seed or an optimizer constant beyond its field, the
  // label smoothing (not in hundredths up to kMaxLabelSmoothing), its learning rate (outside
  // kMinLearningRate to kMaxLearningRate) or a constant without a field (unshownOptimizerText());
  // the nearest the fields can hold is kept. `unshown`, when given, gets what it cannot show
  // ("batch size 16384", "seed 4294967296").
  bool adoptRun(const cs::CheckpointMeta& meta, QStringList* unshown = nullptr);

  static TrainingSettings load(QSettings& settings);
  void save(QSettings& settings) const;
};

Q_DECLARE_METATYPE(TrainingSettings)
