// The hyperparameter panel's Advanced section (AdvancedSection), through the panel as the window
// uses it: the optimizer's other constants, padding, stride, evaluation between epochs and
// patience reach the trainer's configuration and QSettings; the weight decay and the random shift
// are checked, taken from a checkpoint and locked while a run exists, as is the label smoothing;
// the random shift's preview shows the first images of epoch 1 moved as the backends move them.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QToolButton>
#include <limits>

#include "convscope/augment.h"
#include "convscope/shuffle.h"
#include "settings/hyperparameter_panel.h"
#include "settings/shift_preview.h"
#include "test_data.h"

using testing_data::invalidFields;
using testing_data::mnistInfo;

namespace {

// A checkpoint of the panel's network and optimizer, with that batch size and seed.
cs::CheckpointMeta checkpointOf(const HyperparameterPanel& panel, int batchSize, uint64_t seed) {
  cs::CheckpointMeta meta;
  meta.spec = panel.settings().spec({1, 28, 28}, 10);
  meta.optimizer = panel.settings().optimizerConfig();
  meta.batch_size = batchSize;
  meta.seed = seed;
  return meta;
}

}  // namespace

class TestAdvancedSection : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void advancedSettingsReachTheTrainerConfig();
  void weightDecayReachesTheTrainerAndIsChecked();
  void randomShiftReachesTheTrainerAndIsKept();
  void randomShiftIsCheckedAgainstTheImage();
  void labelSmoothingReachesTheTrainerAndIsKept();
  void theShiftPreviewShowsTheFirstImagesOfEpochOneMoved();
};

void TestAdvancedSection::advancedSettingsReachTheTrainerConfig() {
  HyperparameterPanel panel;
  auto* optimizer = panel.findChild<QComboBox*>(QStringLiteral("optimizer"));
  auto* momentum = panel.findChild<QDoubleSpinBox*>(QStringLiteral("momentum"));
  auto* beta1 = panel.findChild<QDoubleSpinBox*>(QStringLiteral("beta1"));
  auto* beta2 = panel.findChild<QDoubleSpinBox*>(QStringLiteral("beta2"));
  auto* epsilon = panel.findChild<QDoubleSpinBox*>(QStringLiteral("epsilon"));
  auto* padding = panel.findChild<QComboBox*>(QStringLiteral("padding"));
  auto* stride = panel.findChild<QSpinBox*>(QStringLiteral("stride"));
  auto* evalEvery = panel.findChild<QSpinBox*>(QStringLiteral("evalEvery"));
  auto* patience = panel.findChild<QSpinBox*>(QStringLiteral("patience"));
  QVERIFY(momentum && beta1 && beta2 && epsilon && padding && stride && evalEvery && patience);

  // Adam: its betas and epsilon, shown at its defaults; momentum does not apply.
  QCOMPARE(float(beta2->value()), cs::OptimizerConfig::defaults(cs::OptimizerKind::Adam).beta2);
  QVERIFY(beta1->isEnabled() && epsilon->isEnabled() && !momentum->isEnabled());
  beta1->setValue(0.8);
  beta2->setValue(0.99);
  epsilon->setValue(1e-5);
  padding->setCurrentIndex(padding->findData(static_cast<int>(cs::Padding::Same)));
  stride->setValue(2);
  QCOMPARE(panel.settings().trainConfig({1, 28, 28}, 10).eval_every, 0);  // each epoch only
  evalEvery->setValue(200);
  QCOMPARE(patience->text(), QStringLiteral("off"));
  QCOMPARE(panel.settings().trainConfig({1, 28, 28}, 10).patience, 0);
  patience->setValue(1);
  QCOMPARE(patience->text(), QStringLiteral("1 epoch"));
  patience->setValue(3);
  QCOMPARE(patience->text(), QStringLiteral("3 epochs"));
  cs::TrainConfig cfg = panel.settings().trainConfig({1, 28, 28}, 10);
  QCOMPARE(cfg.eval_every, 200);
  QCOMPARE(cfg.patience, 3);
  QCOMPARE(cfg.group.optimizer.kind, cs::OptimizerKind::Adam);
  QCOMPARE(cfg.group.optimizer.beta1, 0.8f);
  QCOMPARE(cfg.group.optimizer.beta2, 0.99f);
  QCOMPARE(cfg.group.optimizer.epsilon, 1e-5f);
  int convs = 0;
  for (const cs::LayerSpec& l : cfg.group.spec.layers) {
    if (l.kind != cs::LayerKind::Conv2d) continue;
    ++convs;
    QCOMPARE(l.stride, 2);
    QCOMPARE(l.padding, cs::Padding::Same);
  }
  QCOMPARE(convs, 2);

  // They are kept with the other settings.
  QSettings q;
  panel.settings().save(q);
  QCOMPARE(TrainingSettings::load(q), panel.settings());
  QCOMPARE(TrainingSettings::load(q).evalEvery, 200);
  QCOMPARE(TrainingSettings::load(q).patience, 3);
  TrainingSettings one = panel.settings();
  one.patience = 1;
  panel.setSettings(one);
  QCOMPARE(patience->text(), QStringLiteral("1 epoch"));

  // Momentum brings its own constants; the momentum the user sets reaches the optimizer.
  optimizer->setCurrentIndex(optimizer->findText(QStringLiteral("Momentum")));
  QVERIFY(momentum->isEnabled() && !beta1->isEnabled() && !epsilon->isEnabled());
  QCOMPARE(float(momentum->value()),
           cs::OptimizerConfig::defaults(cs::OptimizerKind::Momentum).momentum);
  momentum->setValue(0.5);
  cfg = panel.settings().trainConfig({1, 28, 28}, 10);
  QCOMPARE(cfg.group.optimizer.kind, cs::OptimizerKind::Momentum);
  QCOMPARE(cfg.group.optimizer.momentum, 0.5f);
  // RMSprop's momentum defaults to 0 (off), not to the last optimizer's value.
  optimizer->setCurrentIndex(optimizer->findText(QStringLiteral("RMSprop")));
  QCOMPARE(panel.settings().trainConfig({1, 28, 28}, 10).group.optimizer.momentum, 0.f);
}

// The Advanced section's weight decay: "none" by default, any optimizer's, kept in QSettings and
// across a change of optimizer, taken from a checkpoint's optimizer, locked while paused, and a
// learning rate x decay of 1 or more flagged at the learning rate (always in view) with why;
// above 1 where the rate allows it.
void TestAdvancedSection::weightDecayReachesTheTrainerAndIsChecked() {
  HyperparameterPanel panel;
  panel.setDatasetInfo(mnistInfo());
  auto* decay = panel.findChild<QDoubleSpinBox*>(QStringLiteral("weightDecay"));
  auto* optimizer = panel.findChild<QComboBox*>(QStringLiteral("optimizer"));
  auto* learningRate = panel.findChild<QDoubleSpinBox*>(QStringLiteral("learningRate"));
  QVERIFY(decay && optimizer && learningRate);
  QCOMPARE(decay->text(), QStringLiteral("none"));
  QCOMPARE(panel.settings().trainConfig({1, 28, 28}, 10).group.optimizer.weight_decay, 0.f);
  QSignalSpy edited(&panel, &HyperparameterPanel::settingsChanged);
  decay->setValue(0.05);
  QCOMPARE(edited.count(), 1);
  QCOMPARE(panel.settings().trainConfig({1, 28, 28}, 10).group.optimizer.weight_decay, 0.05f);
  optimizer->setCurrentIndex(optimizer->findText(QStringLiteral("SGD")));
  QCOMPARE(decay->value(), 0.05);
  QCOMPARE(panel.settings().trainConfig({1, 28, 28}, 10).group.optimizer.weight_decay, 0.05f);

  QSettings q;
  panel.settings().save(q);
  QCOMPARE(TrainingSettings::load(q).weightDecay, 0.05);
  q.setValue(QStringLiteral("training/weightDecay"), -3);
  QCOMPARE(TrainingSettings::load(q).weightDecay, 0.0);

  TrainingSettings s = panel.settings();
  cs::OptimizerConfig checkpoint = cs::OptimizerConfig::defaults(cs::OptimizerKind::Adam);
  checkpoint.weight_decay = 0.001f;
  s.adoptOptimizer(checkpoint);
  panel.setSettings(s);
  QCOMPARE(decay->value(), 0.001);
  QCOMPARE(panel.settings().optimizerConfig(), checkpoint);

  QVERIFY(panel.validation().ok);
  decay->setValue(1);
  learningRate->setValue(2);
  QVERIFY(!panel.validation().ok);
  QCOMPARE(invalidFields(panel), QList<QWidget*>{learningRate});
  QVERIFY2(panel.validation().message.contains(QStringLiteral("must be below 1")),
           qPrintable(panel.validation().message));
  learningRate->setValue(0.5);
  QVERIFY(panel.validation().ok);
  QVERIFY(invalidFields(panel).isEmpty());
  // Above 1 when the rate allows it (a checkpoint's SGD at 0.01 with a decay of 50).
  learningRate->setValue(0.01);
  decay->setValue(50);
  QVERIFY(panel.validation().ok);
  QCOMPARE(panel.settings().optimizerConfig().weight_decay, 50.f);

  panel.setLocked(HyperparameterPanel::ScheduleOnly, QStringLiteral("paused"));
  QVERIFY(!decay->isEnabled());
}

// The Advanced section's random shift: whole pixels from "none" to cs::kMaxAugmentShift, into the
// run's group, kept in QSettings (out-of-range values clamped), taken from a checkpoint's
// metadata with the run's other settings, and locked like the batch size while a run exists.
void TestAdvancedSection::randomShiftReachesTheTrainerAndIsKept() {
  HyperparameterPanel panel;
  panel.setDatasetInfo(mnistInfo());
  auto* shift = panel.findChild<QSpinBox*>(QStringLiteral("augmentShift"));
  auto* batch = panel.findChild<QSpinBox*>(QStringLiteral("batchSize"));
  QVERIFY(shift && batch);
  QCOMPARE(shift->minimum(), 0);
  QCOMPARE(shift->maximum(), cs::kMaxAugmentShift);
  QCOMPARE(shift->text(), QStringLiteral("none"));
  QVERIFY2(shift->toolTip().contains(QStringLiteral("validation images are not moved")),
           qPrintable(shift->toolTip()));
  QCOMPARE(panel.settings().trainConfig({1, 28, 28}, 10).group.augment_shift, 0);
  QSignalSpy edited(&panel, &HyperparameterPanel::settingsChanged);
  shift->setValue(2);
  QCOMPARE(edited.count(), 1);
  QCOMPARE(shift->text(), QStringLiteral("±2 px"));
  QCOMPARE(edited.front().front().value<TrainingSettings>().augmentShift, 2);
  QCOMPARE(panel.settings().trainConfig({1, 28, 28}, 10).group.augment_shift, 2);
  QVERIFY(panel.validation().ok);

  QSettings q;
  panel.settings().save(q);
  QCOMPARE(q.value(QStringLiteral("training/augmentShift")).toInt(), 2);
  QCOMPARE(TrainingSettings::load(q), panel.settings());
  q.setValue(QStringLiteral("training/augmentShift"), 40);
  QCOMPARE(TrainingSettings::load(q).augmentShift, cs::kMaxAugmentShift);
  q.setValue(QStringLiteral("training/augmentShift"), -3);
  QCOMPARE(TrainingSettings::load(q).augmentShift, 0);
  q.remove(QStringLiteral("training/augmentShift"));
  QCOMPARE(TrainingSettings::load(q).augmentShift, 0);

  // A checkpoint's shift comes with its batch size; one without a shift (0) clears it.
  cs::CheckpointMeta meta = checkpointOf(panel, 16, 3);
  meta.augment_shift = 3;
  TrainingSettings s = panel.settings();
  QVERIFY(s.adoptRun(meta));
  edited.clear();
  panel.setSettings(s);
  QCOMPARE(edited.count(), 0);
  QCOMPARE(shift->value(), 3);
  QCOMPARE(batch->value(), 16);
  QCOMPARE(panel.settings().trainConfig({1, 28, 28}, 10).group.augment_shift, 3);
  meta.augment_shift = 0;
  QVERIFY(s.adoptRun(meta));
  panel.setSettings(s);
  QCOMPARE(shift->text(), QStringLiteral("none"));

  // Paused or running, the shift is the run's, like its batch size; the fold still opens.
  auto* fold = panel.findChild<QToolButton*>(QStringLiteral("advancedToggle"));
  QVERIFY(fold);
  for (const auto lock : {HyperparameterPanel::ScheduleOnly, HyperparameterPanel::Locked}) {
    panel.setLocked(lock, QStringLiteral("a run"));
    QVERIFY(!batch->isEnabled());
    QVERIFY(!shift->isEnabled());
    QVERIFY(fold->isEnabled());
  }
  panel.setLocked(HyperparameterPanel::Unlocked);
  QVERIFY(batch->isEnabled() && shift->isEnabled());
}

// The label smoothing: hundredths from "none" up to TrainingSettings::kMaxLabelSmoothing, into the
// run's group, kept in QSettings (out-of-range and unreadable values made valid), taken from a
// checkpoint, and locked while a run exists.
void TestAdvancedSection::labelSmoothingReachesTheTrainerAndIsKept() {
  testing_data::resetSettings();
  HyperparameterPanel panel;
  panel.setDatasetInfo(mnistInfo());
  auto* smoothing = panel.findChild<QDoubleSpinBox*>(QStringLiteral("labelSmoothing"));
  QVERIFY(smoothing);
  QCOMPARE(smoothing->text(), QStringLiteral("none"));
  QCOMPARE(smoothing->maximum(), TrainingSettings::kMaxLabelSmoothing);
  QCOMPARE(panel.settings().trainConfig({1, 28, 28}, 10).group.label_smoothing, 0.f);
  QSignalSpy edited(&panel, &HyperparameterPanel::settingsChanged);
  smoothing->setValue(0.1);
  QCOMPARE(edited.count(), 1);
  QCOMPARE(panel.settings().trainConfig({1, 28, 28}, 10).group.label_smoothing, 0.1f);
  QVERIFY(panel.validation().ok);

  QSettings q;
  panel.settings().save(q);
  QCOMPARE(TrainingSettings::load(q).labelSmoothing, 0.1);
  for (const auto& [stored, read] :
       {std::pair{QStringLiteral("3"), 0.9}, std::pair{QStringLiteral("-1"), 0.0},
        std::pair{QStringLiteral("nan"), 0.0}, std::pair{QStringLiteral("some"), 0.0}}) {
    q.setValue(QStringLiteral("training/labelSmoothing"), stored);
    QCOMPARE(TrainingSettings::load(q).labelSmoothing, read);
  }

  cs::CheckpointMeta meta = checkpointOf(panel, 64, 1);
  meta.label_smoothing = 0.25f;
  TrainingSettings s = panel.settings();
  QVERIFY(s.adoptRun(meta));
  panel.setSettings(s);
  QCOMPARE(smoothing->value(), 0.25);
  QCOMPARE(panel.settings().trainConfig({1, 28, 28}, 10).group.label_smoothing, 0.25f);
  // One the field cannot hold (finer than hundredths, or above its maximum) is not expressible:
  // the nearest it can is shown.
  for (const auto& [given, shown] : {std::pair{0.125f, 0.13}, std::pair{0.95f, 0.9}}) {
    meta.label_smoothing = given;
    TrainingSettings t = panel.settings();
    QVERIFY(!t.adoptRun(meta));
    QCOMPARE(t.labelSmoothing, shown);
  }
  // An optimizer constant the panel has no field for, other than its default, is not either.
  meta.label_smoothing = 0.25f;
  for (const cs::OptimizerKind kind : {cs::OptimizerKind::RmsProp, cs::OptimizerKind::Adagrad}) {
    meta.optimizer = cs::OptimizerConfig::defaults(kind);
    TrainingSettings t = panel.settings();
    QVERIFY(t.adoptRun(meta));
    QCOMPARE(TrainingSettings::unshownOptimizerText(meta.optimizer), QString());
  }
  meta.optimizer.rho = 0.5f;  // Adagrad has no use for it
  QCOMPARE(TrainingSettings::unshownOptimizerText(meta.optimizer), QString());
  meta.optimizer.initial_accumulator = 0.25f;
  TrainingSettings adagrad = panel.settings();
  QStringList unshown;  // and what it cannot show is named
  QVERIFY(!adagrad.adoptRun(meta, &unshown));
  QCOMPARE(unshown, QStringList{QStringLiteral("initial accumulator 0.25")});
  QCOMPARE(TrainingSettings::unshownOptimizerText(meta.optimizer),
           QStringLiteral("initial accumulator 0.25"));
  meta.optimizer = cs::OptimizerConfig::defaults(cs::OptimizerKind::RmsProp);
  meta.optimizer.rho = 0.75f;
  TrainingSettings rmsprop = panel.settings();
  QVERIFY(!rmsprop.adoptRun(meta));
  QCOMPARE(TrainingSettings::unshownOptimizerText(meta.optimizer), QStringLiteral("rho 0.75"));
  // A small rate the CLI took comes whole: a paused run's next edit would send the panel's. One
  // below what the panel holds is not expressible.
  meta.optimizer = cs::OptimizerConfig::defaults(cs::OptimizerKind::Adam);
  meta.optimizer.lr = 5e-7f;
  TrainingSettings small = panel.settings();
  QVERIFY(small.adoptRun(meta));
  panel.setSettings(small);
  // (Not QCOMPARE: it takes any two floats below 1e-5 for equal.)
  QVERIFY2(float(panel.settings().learningRate) == 5e-7f,
           qPrintable(QString::number(panel.settings().learningRate)));
  meta.optimizer.lr = 1e-10f;
  QVERIFY(!small.adoptRun(meta));
  // Nor is a batch size, seed or optimizer constant beyond its field (the CLI takes more): the
  // nearest the field holds is kept.
  meta.optimizer.lr = 1e-3f;
  TrainingSettings wide = panel.settings();
  QVERIFY(wide.adoptRun(meta));
  meta.batch_size = 9000;
  QVERIFY(!wide.adoptRun(meta, &unshown));
  QCOMPARE(unshown, QStringList{QStringLiteral("batch size 9000")});
  QCOMPARE(wide.batchSize, TrainingSettings::kMaxBatchSize);
  meta.batch_size = 64;
  meta.seed = uint64_t{1} << 31;
  QVERIFY(!wide.adoptRun(meta, &unshown));
  QCOMPARE(unshown, QStringList{QStringLiteral("seed 2147483648")});
  QCOMPARE(wide.seed, std::numeric_limits<int>::max());
  meta.seed = 7;
  meta.optimizer.beta2 = 0.99999f;
  meta.label_smoothing = 0.125f;
  QVERIFY(!wide.adoptRun(meta, &unshown));
  QCOMPARE(unshown,
           (QStringList{QStringLiteral("label smoothing 0.125"), QStringLiteral("beta2 0.99999")}));
  meta.label_smoothing = 0.25f;
  meta.optimizer.beta2 = 0.99f;
  QVERIFY(wide.adoptRun(meta));
  QCOMPARE(wide.seed, 7);
  meta.optimizer.epsilon = 1e-12f;  // the field's least, as a float (a hair below 1e-12)
  QVERIFY(wide.adoptRun(meta));
  for (const auto lock : {HyperparameterPanel::ScheduleOnly, HyperparameterPanel::Locked}) {
    panel.setLocked(lock, QStringLiteral("a run"));
    QVERIFY(!smoothing->isEnabled());
  }
  panel.setLocked(HyperparameterPanel::Unlocked);
  QVERIFY(smoothing->isEnabled());
}

// A shift of half the image or more is refused with the engine's reason, at the shift, whose
// fold opens to show it; Start stays disabled until it fits.
void TestAdvancedSection::randomShiftIsCheckedAgainstTheImage() {
  HyperparameterPanel panel;
  DatasetInfo tiny = mnistInfo();
  tiny.shape = {1, 4, 4};
  panel.setDatasetInfo(tiny);
  TrainingSettings s;
  s.convBlocks.clear();  // an MLP, which any image size fits
  s.denseWidth = 16;
  panel.setSettings(s);
  QVERIFY2(panel.validation().ok, qPrintable(panel.validation().message));
  auto* shift = panel.findChild<QSpinBox*>(QStringLiteral("augmentShift"));
  auto* fold = panel.findChild<QToolButton*>(QStringLiteral("advancedToggle"));
  QVERIFY(shift && fold);
  QVERIFY(!fold->isChecked());

  QSignalSpy validations(&panel, &HyperparameterPanel::validationChanged);
  shift->setValue(2);
  QCOMPARE(validations.count(), 1);
  QVERIFY(!validations.front().front().value<SettingsValidation>().ok);
  QVERIFY(!panel.validation().ok);
  QCOMPARE(panel.validation().field, SettingsField::AugmentShift);
  const QString why =
      QStringLiteral("A random shift of 2 pixels is half the 4x4 image or more; at most 1 for it.");
  QCOMPARE(panel.validation().message, why);
  QCOMPARE(invalidFields(panel), QList<QWidget*>{shift});
  QCOMPARE(shift->toolTip(), why);
  const auto issue = panel.findChildren<QLabel*>(QStringLiteral("issue"));
  QCOMPARE(issue.size(), 1);
  QCOMPARE(issue.front()->text(), QStringLiteral("Cannot start: ") + why);
  QVERIFY(fold->isChecked());  // opened, so that the flagged field is seen

  shift->setValue(1);
  QVERIFY(panel.validation().ok);
  QVERIFY(invalidFields(panel).isEmpty());
  QVERIFY2(shift->toolTip().startsWith(QStringLiteral("Data augmentation")),
           qPrintable(shift->toolTip()));
  // The same shift on 28x28 images is fine.
  shift->setValue(2);
  QVERIFY(!panel.validation().ok);
  panel.setDatasetInfo(mnistInfo());
  QVERIFY(panel.validation().ok);
  QVERIFY(invalidFields(panel).isEmpty());
}

// Written out here pixel by pixel: sample p of epoch 1's order moved by its shift, black coming in.
void TestAdvancedSection::theShiftPreviewShowsTheFirstImagesOfEpochOneMoved() {
  const DatasetPtr data = testing_data::smallDataset(64, 16);
  HyperparameterPanel panel;
  auto* preview = panel.findChild<ShiftPreview*>(QStringLiteral("shiftPreview"));
  auto* shift = panel.findChild<QSpinBox*>(QStringLiteral("augmentShift"));
  auto* seed = panel.findChild<QSpinBox*>(QStringLiteral("seed"));
  QVERIFY(preview && shift && seed);
  panel.setPreviewImages(data);
  QVERIFY(preview->isHidden());
  QVERIFY(preview->image(0).isNull());
  shift->setValue(3);
  seed->setValue(5);
  QVERIFY(!preview->isHidden());
  const cs::Dataset& train = data->train;
  const std::vector<int32_t> order = cs::epoch_order(5, 0, 0, train.count);
  int moved = 0;
  for (int p = 0; p < ShiftPreview::kImages; ++p) {
    const cs::PixelShift s = cs::augment_shift(5, 0, 0, p, 3);
    moved += s.dy != 0 || s.dx != 0;
    const uint8_t* src = train.images.data() + size_t(order[p]) * 28 * 28;
    const QImage image = preview->image(p);
    QCOMPARE(image.size(), QSize(28, 28));
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) {
        const int sy = y - s.dy, sx = x - s.dx;
        const int want = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? src[sy * 28 + sx] : 0;
        if (image.scanLine(y)[x] != want)
          QFAIL(qPrintable(QStringLiteral("image %1 pixel (%2, %3): %4, not %5")
                               .arg(p)
                               .arg(y)
                               .arg(x)
                               .arg(image.scanLine(y)[x])
                               .arg(want)));
      }
  }
  QVERIFY2(moved > 0, "no image of the preview moved");
  shift->setValue(0);
  QVERIFY(preview->isHidden());
}

QTEST_MAIN(TestAdvancedSection)
#include "test_advanced_section.moc"
