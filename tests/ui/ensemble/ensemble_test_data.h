// Ensembles for the Ensemble view's tests: a hand-built one whose every number is known, a large
// random one (50 × 10,000) for timing, helpers that store them as runs, and a tiny one to train.
#pragma once

#include <QSize>
#include <QString>
#include <QTemporaryDir>
#include <vector>

#include "convscope/store.h"
#include "ensemble/ensemble_run.h"
#include "ensemble/ensemble_types.h"

class EnsemblePage;
class MisclassificationFilterModel;
class QWidget;

namespace ensemble_testing {

// 4 networks, 7 images, 10 classes (see the .cpp for the table). Default ranking (most often
// wrong first): 2, 4, 6, 1, 3, 0, 5.
struct HandBuilt {
  std::vector<uint8_t> labels;
  cs::EvalResult eval;
};
HandBuilt handBuilt();

// `top1[net][image]` is each network's top-1 label; a right network gives the true label 0.9,
// a wrong one gives it `wrongTrueProb[image]` as its second choice.
cs::EvalResult buildEval(const std::vector<uint8_t>& labels,
                         const std::vector<std::vector<int>>& top1,
                         const std::vector<float>& wrongTrueProb);

// `nets` networks over `labels`, each right with probability ~`accuracy` (seeded).
cs::EvalResult randomEval(int nets, const std::vector<uint8_t>& labels, double accuracy,
                          uint64_t seed);

// A validation set with these labels, random pixels and the given checksum.
cs::Dataset validationSet(const std::vector<uint8_t>& labels, const std::string& sha256,
                          const std::string& name = "synthetic/test");

// Records `eval` as epoch 1 (of 1) of a finished run validated on `val`; returns its id.
qint64 storeRun(cs::Store& store, const cs::EvalResult& eval, const cs::Dataset& val,
                const std::string& warning = {});

// The hand-built run in a fresh store, validated on a set with these labels.
struct StoredHandBuilt {
  QTemporaryDir dir;
  QString path = dir.filePath(QStringLiteral("runs.db"));
  HandBuilt h = handBuilt();
  cs::Dataset val = validationSet(h.labels, "sha-of-val");
  qint64 run = 0;
  StoredHandBuilt();
};

// Points `page` at the store and opens its run; false if the run does not open.
bool openStored(EnsemblePage& page, const StoredHandBuilt& s);

// Opens the stored run in `page` and shows the page at `size`; false if the run does not open or
// the page is not exposed.
bool openShown(EnsemblePage& page, const StoredHandBuilt& s, QSize size);

// The run as the page would show it, without images.
EnsembleRunPtr makeRun(const cs::EvalResult& eval, const std::vector<uint8_t>& labels);

// Source rows of a proxy in its order.
std::vector<int> proxyOrder(const MisclassificationFilterModel& proxy);

// A tiny ensemble to train on the CPU: a network per seed, `epochs` epochs of testing_data's small
// run on `data` (null: 640 training and 200 validation images).
EnsembleRequest tinyRequest(int epochs, std::vector<uint64_t> seeds, DatasetPtr data = nullptr);

// The text of the read-only value in the row of `dialog`'s form labelled `label` ("" when no row
// has that label).
QString formValue(const QWidget& dialog, const QString& label);

}  // namespace ensemble_testing
