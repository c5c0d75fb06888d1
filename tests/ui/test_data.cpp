#include "test_data.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QWidget>
#include <cmath>
#include <random>

namespace testing_data {

namespace {

cs::Dataset synthetic(int count, uint64_t seed, const std::string& name) {
  cs::Dataset d;
  d.name = name;
  d.count = count;
  d.images.assign(static_cast<size_t>(count) * d.shape.size(), 0);
  d.labels.resize(count);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> noise(0, 40);
  for (int i = 0; i < count; ++i) {
    const int label = i % d.classes;
    d.labels[i] = static_cast<uint8_t>(label);
    uint8_t* image = d.images.data() + static_cast<size_t>(i) * d.shape.size();
    for (int p = 0; p < d.shape.size(); ++p) image[p] = static_cast<uint8_t>(noise(rng));
    const int column = 3 + 2 * label;  // class c: a bright vertical stroke at column 3 + 2c
    for (int y = 4; y < 24; ++y) image[y * 28 + column] = image[y * 28 + column + 1] = 230;
  }
  return d;
}

std::vector<float> pattern(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * std::sin(0.37f * static_cast<float>(i) + scale);
  return v;
}

}  // namespace

DatasetPtr smallDataset(int train, int test, bool* real) {
  try {
    const cs::DatasetPair full = cs::load_idx_folder(cs::default_mnist_dir(), "mnist");
    if (real) *real = true;
    return std::make_shared<const cs::DatasetPair>(
        cs::DatasetPair{full.train.head(train), full.test.head(test)});
  } catch (const std::exception&) {
    if (real) *real = false;
    return std::make_shared<const cs::DatasetPair>(cs::DatasetPair{
        synthetic(train, 1, "synthetic/train"), synthetic(test, 2, "synthetic/test")});
  }
}

bool linkMnistInto(const QString& folder) {
  const QDir mnist(QString::fromStdString(cs::default_mnist_dir()));
  const QStringList files = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
  for (const QString& file : files)
    if (!QFileInfo::exists(mnist.filePath(file))) return false;
  bool linked = QDir().mkpath(folder);
  for (const QString& file : files)
    linked = linked && QFile::link(mnist.filePath(file), QDir(folder).filePath(file));
  return linked;
}

TrainingSettings smallSettings(int epochs) {
  TrainingSettings s;
  s.backend = cs::BackendChoice::Cpu;
  s.batchSize = 32;
  s.epochs = epochs;
  s.convBlocks = {{3, 4, PoolKind::Max, 2}};
  s.denseWidth = 16;
  return s;
}

void resetSettings() {
  QSettings().clear();
  QSettings q;
  smallSettings(1).save(q);
}

RunRequest smallRun(const cs::DatasetPair& data, int epochs) {
  const TrainingSettings s = smallSettings(epochs);
  return {s.trainConfig(data.train.shape, data.train.classes), s.backend};
}

QList<int> sourceRows(const QAbstractProxyModel& proxy) {
  QList<int> rows;
  for (int r = 0; r < proxy.rowCount(); ++r) rows << proxy.mapToSource(proxy.index(r, 0)).row();
  return rows;
}

DatasetInfo mnistInfo() {
  DatasetInfo info;
  info.loaded = true;
  info.trainCount = 60000;
  info.testCount = 10000;
  return info;
}

QList<QWidget*> invalidFields(const QWidget& root) {
  QList<QWidget*> out;
  for (QWidget* w : root.findChildren<QWidget*>())
    if (w->property("invalid").toBool()) out << w;
  return out;
}

cs::LayerSnapshot snapshotLayer(const char* name, cs::LayerKind kind, cs::Shape3 out,
                                std::vector<int> weightShape, float scale) {
  cs::LayerSnapshot l;
  l.name = name;
  l.kind = kind;
  l.out_shape = out;
  l.activation = pattern(out.size(), scale);
  l.dactivation = pattern(out.size(), scale * 1e-3f);
  l.weight_shape = weightShape;
  size_t n = weightShape.empty() ? 0 : 1;
  for (int d : weightShape) n *= d;
  l.weight = pattern(n, scale * 0.1f);
  l.dweight = pattern(n, scale * 1e-4f);
  if (!weightShape.empty()) {
    l.bias = pattern(weightShape[0], 0.01f);
    l.dbias = pattern(weightShape[0], 1e-5f);
  }
  return l;
}

cs::Snapshot referenceSnapshot() {
  using K = cs::LayerKind;
  cs::Snapshot s;
  s.step = 12;
  s.input_shape = {1, 28, 28};
  s.input = pattern(28 * 28, 1.f);
  s.probs = std::vector<float>(10, 0.1f);
  s.layers = {snapshotLayer("conv1", K::Conv2d, {8, 24, 24}, {8, 1, 5, 5}, 1),
              snapshotLayer("pool1", K::MaxPool, {8, 12, 12}, {}, 2),
              snapshotLayer("conv2", K::Conv2d, {16, 8, 8}, {16, 8, 5, 5}, 3),
              snapshotLayer("pool2", K::MaxPool, {16, 4, 4}, {}, 4),
              snapshotLayer("fc1", K::Dense, {128, 1, 1}, {128, 256}, 5),
              snapshotLayer("fc2", K::Dense, {10, 1, 1}, {10, 128}, 6)};
  return s;
}

}  // namespace testing_data
