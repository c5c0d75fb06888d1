// Small datasets for the UI tests: the first images of the real MNIST when it is installed,
// otherwise a synthetic set in which each class is a distinct stroke (so a network can learn it);
// and a network snapshot with made-up values.
#pragma once

#include <QAbstractProxyModel>
#include <QList>
#include <QString>
#include <vector>

#include "settings/settings_validator.h"
#include "settings/training_settings.h"
#include "training/training_types.h"

namespace testing_data {

// `train` training and `test` validation images; `real` says which kind it is.
DatasetPtr smallDataset(int train, int test, bool* real = nullptr);

// MNIST's four files linked into `folder` (made), a dataset folder of its own; false where MNIST
// is not fetched or a link could not be made.
bool linkMnistInto(const QString& folder);

// A fast network for tests: conv 3×3×4 + max pool 2, dense 16, relu; Adam, batch 32.
TrainingSettings smallSettings(int epochs);

// Clears the suite's settings and saves smallSettings(1), the ones a new main window starts with.
void resetSettings();

RunRequest smallRun(const cs::DatasetPair& data, int epochs);

// The source row of each row of a proxy model, in the proxy's order.
QList<int> sourceRows(const QAbstractProxyModel& proxy);

// A loaded MNIST as the hyperparameter panel's validator sees it: 60,000 training and 10,000
// validation images of 1×28×28.
DatasetInfo mnistInfo();
// The fields under `root` flagged invalid (markFieldInvalid()).
QList<QWidget*> invalidFields(const QWidget& root);

// A snapshot's layer `name` of `kind`, its output `out` and weights of `weightShape` (none where
// it is empty; then no biases either), with made-up values scaled by `scale`.
cs::LayerSnapshot snapshotLayer(const char* name, cs::LayerKind kind, cs::Shape3 out,
                                std::vector<int> weightShape, float scale);
// The reference network's shapes, with made-up values: conv1, pool1, conv2, pool2, fc1 and fc2
// on a 1×28×28 input, at step 12.
cs::Snapshot referenceSnapshot();

}  // namespace testing_data
