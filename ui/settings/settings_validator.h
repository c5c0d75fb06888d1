// Live validation of the hyperparameter panel, without widgets: says whether Start may be pressed
// and, if not, which field is wrong and why. The architecture is checked with
// cs::NetworkSpec::output_shapes(), whose SpecError names the layer and the map size.
#pragma once

#include <QString>
#include <vector>

#include "settings/training_settings.h"

// What the validator needs to know about the dataset the run would use.
struct DatasetInfo {
  bool loaded = false;
  QString name;     // "MNIST"
  QString problem;  // why it is not loaded, when it is not
  cs::Shape3 shape{1, 28, 28};
  int classes = 10;
  int trainCount = 0;
  int testCount = 0;

  static DatasetInfo from(const cs::DatasetPair& data, const QString& name);
  static DatasetInfo missing(const QString& problem);
};

enum class SettingsField {
  None,
  Dataset,
  LearningRate,
  BatchSize,
  Epochs,
  ConvKernel,
  ConvPool,
  DenseWidth,
  AugmentShift,
};

struct SettingsValidation {
  bool ok = false;
  SettingsField field = SettingsField::None;
  int block = -1;                  // the conv block row, for ConvKernel / ConvPool
  QString message;                 // why Start is disabled
  std::vector<cs::Shape3> shapes;  // every layer's output (when ok)
  long long parameters = 0;
  QString summary;  // "1×28×28 → 8×24×24 → … → 10 · 44,426 parameters"
};

class SettingsValidator {
 public:
  // Larger networks would make every live frame megabytes; the CLI has no such limit.
  static constexpr long long kMaxParameters = 20'000'000;
  // "8×24×24", or a dense layer's "128"
  static QString shapeText(const cs::Shape3& shape);

  explicit SettingsValidator(DatasetInfo dataset = {});
  void setDataset(const DatasetInfo& dataset) { m_dataset = dataset; }
  const DatasetInfo& dataset() const { return m_dataset; }

  SettingsValidation validate(const TrainingSettings& settings) const;

 private:
  DatasetInfo m_dataset;
};

Q_DECLARE_METATYPE(SettingsValidation)
