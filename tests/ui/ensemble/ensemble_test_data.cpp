#include "ensemble_test_data.h"

#include <QFormLayout>
#include <QLabel>
#include <QTest>
#include <random>

#include "ensemble/ensemble_page.h"
#include "ensemble/misclassification_filter_model.h"
#include "test_data.h"

namespace ensemble_testing {

cs::EvalResult buildEval(const std::vector<uint8_t>& labels,
                         const std::vector<std::vector<int>>& top1,
                         const std::vector<float>& wrongTrueProb) {
  cs::EvalResult e;
  e.nets = static_cast<int>(top1.size());
  e.count = static_cast<int>(labels.size());
  for (int net = 0; net < e.nets; ++net) {
    int right = 0;
    for (int i = 0; i < e.count; ++i) {
      const int label = labels[i], top = top1[net][i];
      if (top == label) {
        ++right;
        e.top_labels.insert(e.top_labels.end(),
                            {uint8_t(label), uint8_t((label + 1) % 10), uint8_t((label + 2) % 10)});
        e.top_probs.insert(e.top_probs.end(), {0.9f, 0.06f, 0.04f});
        e.true_probs.push_back(0.9f);
      } else {
        const float q = wrongTrueProb[i];
        int other = 0;
        while (other == label || other == top) ++other;
        e.top_labels.insert(e.top_labels.end(), {uint8_t(top), uint8_t(label), uint8_t(other)});
        e.top_probs.insert(e.top_probs.end(), {0.95f - q, q, 0.05f});
        e.true_probs.push_back(q);
      }
    }
    e.accuracy.push_back(float(right) / e.count);
    e.loss.push_back(0.1f * (net + 1));
  }
  return e;
}

HandBuilt handBuilt() {
  //            image:   0  1  2  3  4  5  6
  HandBuilt h;
  h.labels = {3, 5, 7, 1, 3, 8, 0};
  const std::vector<std::vector<int>> top1{
      {3, 5, 2, 1, 8, 8, 0},
      {3, 6, 2, 1, 5, 8, 4},
      {3, 6, 2, 7, 3, 8, 4},
      {3, 5, 9, 1, 8, 8, 0},
  };
  // Wrong counts 0 2 4 1 3 0 2; mean true prob .9 .6 .2 .775 .3 .9 .5.
  h.eval = buildEval(h.labels, top1, {0.3f, 0.3f, 0.2f, 0.4f, 0.1f, 0.3f, 0.1f});
  return h;
}

cs::EvalResult randomEval(int nets, const std::vector<uint8_t>& labels, double accuracy,
                          uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::uniform_int_distribution<int> digit(1, 9);
  std::vector<float> wrongTrueProb(labels.size());
  for (float& q : wrongTrueProb) q = float(0.05 + 0.35 * unit(rng));
  std::vector<double> hardness(labels.size());  // some images are wrong far more often
  for (double& h : hardness) h = unit(rng) < 0.05 ? 0.6 * unit(rng) : 0.0;
  std::vector<std::vector<int>> top1(nets, std::vector<int>(labels.size()));
  for (int net = 0; net < nets; ++net)
    for (size_t i = 0; i < labels.size(); ++i)
      top1[net][i] = unit(rng) < accuracy - hardness[i] ? labels[i] : (labels[i] + digit(rng)) % 10;
  return buildEval(labels, top1, wrongTrueProb);
}

cs::Dataset validationSet(const std::vector<uint8_t>& labels, const std::string& sha256,
                          const std::string& name) {
  cs::Dataset d;
  d.name = name;
  d.count = static_cast<int>(labels.size());
  d.labels = labels;
  d.sha256 = sha256;
  d.images.resize(static_cast<size_t>(d.count) * d.shape.size());
  std::mt19937_64 rng(7);
  for (uint8_t& p : d.images) p = static_cast<uint8_t>(rng() & 0xff);
  return d;
}

qint64 storeRun(cs::Store& store, const cs::EvalResult& eval, const cs::Dataset& val,
                const std::string& warning) {
  cs::TrainConfig cfg;
  cfg.group.seeds.clear();
  for (int n = 0; n < eval.nets; ++n) cfg.group.seeds.push_back(1 + n);
  cs::Dataset train = val.head(1);
  train.name = "synthetic/train";
  const qint64 run = store.begin_run(cs::RunSetup::from(cfg, train, val, {"cpu", "test"}, "test"));
  cs::EpochMetrics m;
  m.epoch = 1;
  m.seconds = 1.5;
  m.net_val_loss = eval.loss;
  m.net_val_accuracy = eval.accuracy;
  for (int n = 0; n < eval.nets; ++n) m.val_accuracy += eval.accuracy[n] / eval.nets;
  m.warning = warning;
  store.record_epoch(run, m, eval);
  store.finish_run(run);
  return run;
}

StoredHandBuilt::StoredHandBuilt() {
  cs::Store store(path.toStdString());
  run = storeRun(store, h.eval, val);
}

bool openStored(EnsemblePage& page, const StoredHandBuilt& s) {
  page.setStorePath(s.path);
  return page.openRun(s.run);
}

bool openShown(EnsemblePage& page, const StoredHandBuilt& s, QSize size) {
  page.resize(size);
  if (!openStored(page, s)) return false;
  page.show();
  return QTest::qWaitForWindowExposed(&page);
}

EnsembleRunPtr makeRun(const cs::EvalResult& eval, const std::vector<uint8_t>& labels) {
  cs::StoredRun stored;
  stored.info.id = 1;
  stored.info.epochs_done = 1;
  stored.info.setup.val_labels = labels;
  stored.info.setup.group.seeds.assign(eval.nets, 1);
  stored.eval = eval;
  return std::make_shared<const EnsembleRun>(std::move(stored), nullptr, QString(), false);
}

std::vector<int> proxyOrder(const MisclassificationFilterModel& proxy) {
  std::vector<int> out;
  for (int r = 0; r < proxy.rowCount(); ++r) out.push_back(proxy.imageAt(r));
  return out;
}

EnsembleRequest tinyRequest(int epochs, std::vector<uint64_t> seeds, DatasetPtr data) {
  EnsembleRequest request;
  request.data = data ? std::move(data) : testing_data::smallDataset(640, 200);
  request.config = testing_data::smallRun(*request.data, epochs).config;
  request.config.group.seeds = std::move(seeds);
  request.backend = cs::BackendChoice::Cpu;
  return request;
}

QString formValue(const QWidget& dialog, const QString& label) {
  for (const QFormLayout* form : dialog.findChildren<QFormLayout*>()) {
    for (int row = 0; row < form->rowCount(); ++row) {
      const QLayoutItem* name = form->itemAt(row, QFormLayout::LabelRole);
      const QLayoutItem* field = form->itemAt(row, QFormLayout::FieldRole);
      const auto* nameLabel = name ? qobject_cast<const QLabel*>(name->widget()) : nullptr;
      const auto* value = field ? qobject_cast<const QLabel*>(field->widget()) : nullptr;
      if (nameLabel && value && nameLabel->text() == label) return value->text();
    }
  }
  return {};
}

}  // namespace ensemble_testing
