// Sweeps for the Sweep view's tests: a hand-built one whose every number is known (stored runs
// with chosen per-network accuracies), and a tiny real sweep request for the worker.
#pragma once

#include <QString>
#include <QTemporaryDir>
#include <vector>

#include "convscope/store.h"
#include "sweep/sweep_types.h"

namespace sweep_testing {

// Grid "batch_size=64,128; optimizer=adam,rmsprop": configurations (by index)
//   0 batch_size=128 optimizer=adam     networks right on 9, 9, 8, 8 of 10 images
//   1 batch_size=128 optimizer=rmsprop  10, 10, 10, 9
//   2 batch_size=64  optimizer=adam     9, 9, 8, 8 (the same as #0)
//   3 batch_size=64  optimizer=rmsprop  not begun
// (the key sorts its parameters by name and the grid's values in their written order, so 128
// comes first only if written first: the grid is "batch_size=128,64; optimizer=adam,rmsprop").
struct StoredSweep {
  QTemporaryDir dir;
  QString path = dir.filePath(QStringLiteral("runs.db"));
  qint64 sweep = 0;
  std::vector<qint64> runs;  // per configuration, -1 for #3
  // Another grid of four configurations gives them the same networks in its order; the run of
  // configuration `notLearning` records a not-learning warning.
  explicit StoredSweep(const std::string& grid = "batch_size=128,64; optimizer=adam,rmsprop",
                       int notLearning = -1);
};

// Per-network correct counts of the configurations above (out of kImages).
constexpr int kImages = 10;
std::vector<std::vector<int>> rightCounts();

// A sweep of `configs` configurations ("lr=…") × `nets` networks on a small dataset (the first
// `train` MNIST images and 200 test images, or a synthetic set), a small network, on the CPU.
SweepRequest tinyRequest(const QString& storePath, int configs, int nets, int epochs,
                         int train = 640);

}  // namespace sweep_testing
