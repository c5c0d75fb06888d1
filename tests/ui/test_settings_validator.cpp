// The hyperparameter panel's logic without widgets: validation of settings against a dataset,
// the spec they build, the mapping of spec layers back to fields, and QSettings persistence.
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <limits>

#include "convscope/augment.h"
#include "settings/settings_validator.h"

Q_DECLARE_METATYPE(SettingsField)

namespace {

DatasetInfo mnistInfo() {
  DatasetInfo info;
  info.loaded = true;
  info.name = QStringLiteral("MNIST");
  info.trainCount = 60000;
  info.testCount = 10000;
  return info;
}

TrainingSettings withBlocks(std::vector<ConvBlock> blocks, int dense = 128) {
  TrainingSettings s;
  s.convBlocks = std::move(blocks);
  s.denseWidth = dense;
  return s;
}

}  // namespace

class TestSettingsValidator : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void validate_data();
  void validate();
  void referenceSpec();
  void summaryNamesShapesAndParameters();
  void noDataset();
  void randomShiftFitsTheImage();
  void adoptArchitecture_data();
  void adoptArchitecture();
  void settingsRoundTrip();
};

void TestSettingsValidator::validate_data() {
  QTest::addColumn<TrainingSettings>("settings");
  QTest::addColumn<bool>("ok");
  QTest::addColumn<SettingsField>("field");
  QTest::addColumn<int>("block");
  QTest::addColumn<QStringList>("mentions");

  const ConvBlock c5x8{5, 8, PoolKind::Max, 2}, c5x16{5, 16, PoolKind::Max, 2};
  QTest::newRow("reference net") << TrainingSettings{} << true << SettingsField::None << -1
                                 << QStringList{};
  QTest::newRow("no conv layers (an MLP)")
      << withBlocks({}) << true << SettingsField::None << -1 << QStringList{};
  QTest::newRow("no hidden dense layer")
      << withBlocks({c5x8, c5x16}, 0) << true << SettingsField::None << -1 << QStringList{};
  // 28 → conv5 24 → pool 12 → conv5 8 → pool 4: a 9x9 kernel does not fit the 4x4 map.
  QTest::newRow("9x9 kernel on a 4x4 map")
      << withBlocks({c5x8, c5x16, {9, 16, PoolKind::None, 2}}) << false << SettingsField::ConvKernel
      << 2
      << QStringList{QStringLiteral("Conv 3"), QStringLiteral("layer 5"), QStringLiteral("4x4")};
  QTest::newRow("pool window larger than its map")
      << withBlocks({c5x8, {5, 16, PoolKind::Max, 2}, {3, 8, PoolKind::Avg, 4}}) << false
      << SettingsField::ConvPool << 2
      << QStringList{QStringLiteral("layer 6"), QStringLiteral("2x2")};
  QTest::newRow("kernel larger than the image")
      << withBlocks({{31, 8, PoolKind::None, 2}}) << false << SettingsField::ConvKernel << 0
      << QStringList{QStringLiteral("layer 1"), QStringLiteral("28x28")};
  TrainingSettings bigBatch;
  bigBatch.batchSize = 60001;
  QTest::newRow("batch larger than the training set")
      << bigBatch << false << SettingsField::BatchSize << -1
      << QStringList{QStringLiteral("60000")};
  TrainingSettings zeroRate;
  zeroRate.learningRate = 0;
  QTest::newRow("zero learning rate") << zeroRate << false << SettingsField::LearningRate << -1
                                      << QStringList{QStringLiteral("learning rate")};
  TrainingSettings bigShift;
  bigShift.augmentShift = cs::kMaxAugmentShift + 1;
  QTest::newRow("random shift above the most allowed")
      << bigShift << false << SettingsField::AugmentShift << -1
      << QStringList{QStringLiteral("A random shift of 9 pixels"), QStringLiteral("8 allowed")};
  TrainingSettings mostShift;
  mostShift.augmentShift = cs::kMaxAugmentShift;
  QTest::newRow("the most random shift")
      << mostShift << true << SettingsField::None << -1 << QStringList{};
  QTest::newRow("too many parameters for the live view")
      << withBlocks({{3, 64, PoolKind::None, 2}}, 1024) << false << SettingsField::DenseWidth << -1
      << QStringList{QStringLiteral("parameters")};
}

void TestSettingsValidator::validate() {
  QFETCH(TrainingSettings, settings);
  QFETCH(bool, ok);
  QFETCH(SettingsField, field);
  QFETCH(int, block);
  QFETCH(QStringList, mentions);

  const SettingsValidation v = SettingsValidator(mnistInfo()).validate(settings);
  QCOMPARE(v.ok, ok);
  QCOMPARE(v.field, field);
  QCOMPARE(v.block, block);
  for (const QString& m : mentions) QVERIFY2(v.message.contains(m), qPrintable(v.message));
  QCOMPARE(v.message.isEmpty(), ok);
  if (ok) QCOMPARE(v.shapes.size(), settings.spec({1, 28, 28}, 10).layers.size());
}

void TestSettingsValidator::referenceSpec() {
  const TrainingSettings s;
  QCOMPARE(s.spec({1, 28, 28}, 10), cs::NetworkSpec::reference());
  const cs::TrainConfig cfg = s.trainConfig({1, 28, 28}, 10);
  QCOMPARE(cfg.group.batch_size, 64);
  QCOMPARE(cfg.epochs, s.epochs);
  QCOMPARE(cfg.group.optimizer.kind, cs::OptimizerKind::Adam);
  QCOMPARE(cfg.group.optimizer.lr, 0.001f);
  QCOMPARE(cfg.group.seeds, std::vector<uint64_t>{1});
  QCOMPARE(cfg.group.augment_shift, 0);
}

void TestSettingsValidator::summaryNamesShapesAndParameters() {
  const SettingsValidation v = SettingsValidator(mnistInfo()).validate(TrainingSettings{});
  QVERIFY(v.ok);
  QCOMPARE(v.parameters, cs::NetworkSpec::reference().param_count());
  QVERIFY2(v.summary.startsWith(QStringLiteral("1×28×28 → 8×24×24 → 8×12×12 → 16×8×8")),
           qPrintable(v.summary));
  QVERIFY2(v.summary.contains(QStringLiteral("→ 128 → 10")), qPrintable(v.summary));
  // A dropout layer is named in the chain, and adds no parameter.
  TrainingSettings dropped;
  dropped.dropout = 0.5;
  const SettingsValidation d = SettingsValidator(mnistInfo()).validate(dropped);
  QVERIFY(d.ok);
  QCOMPARE(d.parameters, v.parameters);
  QVERIFY2(d.summary.contains(QStringLiteral("→ 128 → dropout 0.5 → 10 ·")), qPrintable(d.summary));
  const cs::NetworkSpec spec = dropped.spec({1, 28, 28}, 10);
  QCOMPARE(QString::fromStdString(spec.to_string()),
           QStringLiteral("c5x8:relu-m2-c5x16:relu-m2-d128:relu-p0.5-d10"));
}

void TestSettingsValidator::noDataset() {
  const SettingsValidation v =
      SettingsValidator(DatasetInfo::missing(QStringLiteral("run scripts/fetch-mnist.sh")))
          .validate(TrainingSettings{});
  QVERIFY(!v.ok);
  QCOMPARE(v.field, SettingsField::Dataset);
  QVERIFY(v.message.contains(QStringLiteral("fetch-mnist")));
}

// A shift must be below half the image's side (cs::augment_shift_problem): on 5x7 images, 2
// pixels fit and 3 do not.
void TestSettingsValidator::randomShiftFitsTheImage() {
  DatasetInfo small = mnistInfo();
  small.shape = {1, 5, 7};
  TrainingSettings s = withBlocks({}, 16);
  s.augmentShift = 2;
  QVERIFY(SettingsValidator(small).validate(s).ok);
  QCOMPARE(s.trainConfig(small.shape, small.classes).group.augment_shift, 2);
  s.augmentShift = 3;
  const SettingsValidation v = SettingsValidator(small).validate(s);
  QVERIFY(!v.ok);
  QCOMPARE(v.field, SettingsField::AugmentShift);
  QCOMPARE(v.message, QStringLiteral("A random shift of 3 pixels is half the 5x7 image or more; "
                                     "at most 2 for it."));
}

void TestSettingsValidator::adoptArchitecture_data() {
  QTest::addColumn<QString>("spec");
  QTest::addColumn<bool>("expressible");
  QTest::newRow("reference") << "c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10" << true;
  QTest::newRow("conv without pooling") << "c3x32:tanh-c3x32:tanh-a2-d10" << true;
  QTest::newRow("mlp") << "d256:sigmoid-d10" << true;
  QTest::newRow("two hidden dense layers") << "c3x8:relu-m2-d64:relu-d32:relu-d10" << false;
  QTest::newRow("mixed activations") << "c3x8:relu-m2-d64:tanh-d10" << false;
  // The Advanced section's padding and stride apply to every convolution.
  QTest::newRow("same padding") << "c3x8:relu:same-m2-d10" << true;
  QTest::newRow("stride 2") << "c3x8:relu:same:s2-c3x8:relu:same:s2-d10" << true;
  QTest::newRow("mixed padding") << "c3x8:relu:same-c3x8:relu-d10" << false;
  QTest::newRow("mixed strides") << "c3x8:relu:s2-c3x8:relu-d10" << false;
  // The Dropout field: one layer before the output layer, in hundredths up to 0.9.
  QTest::newRow("dropout before the output") << "c5x8:relu-m2-d128:relu-p0.5-d10" << true;
  QTest::newRow("dropout without a hidden layer") << "c5x8:relu-m2-p0.25-d10" << true;
  QTest::newRow("dropout in thousandths") << "c5x8:relu-m2-d128:relu-p0.125-d10" << false;
  QTest::newRow("dropout above the field's 0.9") << "d128:relu-p0.95-d10" << false;
  QTest::newRow("dropout after a convolution") << "c5x8:relu-p0.2-m2-d10" << false;
  QTest::newRow("dropout before the hidden layer") << "c5x8:relu-m2-p0.5-d128:relu-d10" << false;
  // Beyond the fields' ranges (the CLI takes more): the panel would train a smaller network.
  QTest::newRow("filters above 512") << "c3x1024:relu-m2-d10" << false;
  QTest::newRow("dense width above 8192") << "d9000:relu-d10" << false;
  QTest::newRow("stride above 8") << "c3x8:relu:same:s9-d10" << false;
  QTest::newRow("a pool window the box adds") << "c3x8:relu-m5-d10" << true;
}

void TestSettingsValidator::adoptArchitecture() {
  QFETCH(QString, spec);
  QFETCH(bool, expressible);
  const cs::NetworkSpec s = cs::NetworkSpec::parse(spec.toStdString());
  TrainingSettings settings;
  settings.convBlocks = {{7, 3, PoolKind::Avg, 3}};
  const TrainingSettings before = settings;
  QCOMPARE(settings.adoptArchitecture(s), expressible);
  if (expressible)
    QCOMPARE(settings.spec(s.input, s.classes), s);
  else
    QVERIFY(settings == before);  // untouched
}

void TestSettingsValidator::settingsRoundTrip() {
  QTemporaryDir dir;
  QSettings q(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
  TrainingSettings s;
  s.datasetDir = QStringLiteral("/data/fashion");
  s.backend = cs::BackendChoice::Cpu;
  s.optimizer = cs::OptimizerKind::RmsProp;
  s.learningRate = 2e-4;
  s.batchSize = 128;
  s.epochs = 7;
  s.seed = 42;
  s.convBlocks = {{3, 32, PoolKind::None, 2}, {3, 64, PoolKind::Avg, 3}};
  s.denseWidth = 0;
  s.activation = cs::Activation::Tanh;
  s.augmentShift = 4;
  s.dropout = 0.35;
  s.save(q);
  QVERIFY(TrainingSettings::load(q) == s);
  q.setValue(QStringLiteral("architecture/dropout"), 7.5);  // damaged: the field's maximum
  QCOMPARE(TrainingSettings::load(q).dropout, TrainingSettings::kMaxDropout);
  for (const QString& bad : {QStringLiteral("half"), QStringLiteral("nan"), QStringLiteral("-1")}) {
    q.setValue(QStringLiteral("architecture/dropout"), bad);
    QCOMPARE(TrainingSettings::load(q).dropout, 0.0);
  }

  // A number that is no number (edited by hand) is the default, not the field's minimum.
  const TrainingSettings defaults;
  s.save(q);
  for (const char* key : {"training/batchSize", "training/learningRate", "architecture/denseWidth",
                          "architecture/convBlocks/1/kernel", "training/epochs"})
    q.setValue(QLatin1String(key), QStringLiteral("lots"));
  const TrainingSettings read = TrainingSettings::load(q);
  QCOMPARE(read.batchSize, defaults.batchSize);
  QCOMPARE(read.learningRate, defaults.learningRate);
  QCOMPARE(read.denseWidth, defaults.denseWidth);
  QCOMPARE(read.convBlocks.front().kernel, ConvBlock{}.kernel);
  QCOMPARE(read.epochs, defaults.epochs);
  q.setValue(QStringLiteral("training/batchSize"), 100000);  // beyond the field: its maximum
  QCOMPARE(TrainingSettings::load(q).batchSize, TrainingSettings::kMaxBatchSize);
  q.setValue(QStringLiteral("training/seed"), QStringLiteral("1e12"));  // beyond an int too
  QCOMPARE(TrainingSettings::load(q).seed, std::numeric_limits<int>::max());
  q.setValue(QStringLiteral("training/epochs"), QStringLiteral("6.6"));  // the nearest whole one
  QCOMPARE(TrainingSettings::load(q).epochs, 7);

  s.convBlocks.clear();  // an empty list must survive too
  s.save(q);
  QVERIFY(TrainingSettings::load(q).convBlocks.empty());

  QSettings empty(dir.filePath(QStringLiteral("empty.ini")), QSettings::IniFormat);
  QVERIFY(TrainingSettings::load(empty) == TrainingSettings{});
}

QTEST_GUILESS_MAIN(TestSettingsValidator)
#include "test_settings_validator.moc"
