#include "sweep_test_data.h"

#include "convscope/dataset.h"
#include "convscope/sweep.h"
#include "ensemble_test_data.h"
#include "test_data.h"

namespace sweep_testing {

std::vector<std::vector<int>> rightCounts() {
  return {{9, 9, 8, 8}, {10, 10, 10, 9}, {9, 9, 8, 8}};
}

StoredSweep::StoredSweep(const std::string& grid, int notLearning) {
  cs::SweepPlan plan;
  plan.configs = cs::parse_sweep_grid(grid);
  plan.settings.nets = 4;
  plan.settings.epochs = 1;
  plan.settings.data = "synthetic";
  std::vector<std::string> keys;
  for (const cs::SweepConfig& c : plan.configs) keys.push_back(c.key());
  cs::Store store(path.toStdString());
  sweep = store.begin_sweep(plan.definition(), keys);
  std::vector<uint8_t> labels(kImages);
  for (int i = 0; i < kImages; ++i) labels[i] = static_cast<uint8_t>(i % 10);
  const cs::Dataset val = ensemble_testing::validationSet(labels, "sha-of-val");
  const std::vector<std::vector<int>> counts = rightCounts();
  for (int c = 0; c < static_cast<int>(counts.size()); ++c) {
    // Network n is right on its first counts[c][n] images and says label + 1 on the rest.
    std::vector<std::vector<int>> top1;
    for (int right : counts[c]) {
      std::vector<int> row(kImages);
      for (int i = 0; i < kImages; ++i) row[i] = i < right ? labels[i] : (labels[i] + 1) % 10;
      top1.push_back(row);
    }
    const cs::EvalResult eval =
        ensemble_testing::buildEval(labels, top1, std::vector<float>(kImages, 0.3f));
    runs.push_back(ensemble_testing::storeRun(
        store, eval, val,
        c == notLearning ? "all 4 networks are not learning after 938 steps" : ""));
    store.set_sweep_run(sweep, c, runs.back());
  }
  runs.push_back(-1);
}

SweepRequest tinyRequest(const QString& storePath, int configs, int nets, int epochs, int train) {
  SweepRequest r;
  r.data = testing_data::smallDataset(train, 200);
  QString lrs;
  for (int c = 0; c < configs; ++c)
    lrs += (c ? QStringLiteral(",") : QString()) + QString::number(0.001 * (c + 1));
  r.plan.configs = cs::parse_sweep_grid(QStringLiteral("arch=c3x4:relu-m2-d16:relu-d%1; lr=%2")
                                            .arg(r.data->train.classes)
                                            .arg(lrs)
                                            .toStdString());
  r.plan.settings.nets = nets;
  r.plan.settings.epochs = epochs;
  r.plan.settings.batch_size = 32;
  r.plan.settings.data = cs::dataset_name_of(r.data->train.name);  // "synthetic"
  r.backend = cs::BackendChoice::Cpu;
  r.storePath = storePath;
  return r;
}

}  // namespace sweep_testing
