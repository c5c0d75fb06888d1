// The hyperparameter panel as a user sees it: an impossible architecture is flagged at the field
// with the reason, valid edits clear it, and the optimizer brings its own learning rate unless
// the user chose one. Its Advanced section: test_advanced_section.cpp.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QToolButton>

#include "settings/hyperparameter_panel.h"
#include "settings/log_spin_box.h"
#include "test_data.h"

using testing_data::invalidFields;
using testing_data::mnistInfo;

class TestHyperparameterPanel : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void flagsTheOffendingKernel();
  void editingAFieldRevalidates();
  void clearedFieldLooksLikeTheOthers();
  void optimizerBringsItsLearningRate();
  void lockDisablesEditing();
  void pausedLeavesTheScheduleEditable();
  void aScheduleReachesTheTrainerAndIsKept();
  void logSpinBoxSteps_data();
  void logSpinBoxSteps();
  void logSpinBoxStepsFromZero();
  void logSpinBoxReadsWhatItWritesInTheLocale();
  void tabGoesThroughTheConvRowsInOrder();
};

void TestHyperparameterPanel::flagsTheOffendingKernel() {
  HyperparameterPanel panel;
  panel.setDatasetInfo(mnistInfo());
  QVERIFY(panel.validation().ok);
  QVERIFY(invalidFields(panel).isEmpty());

  TrainingSettings s;
  s.convBlocks.push_back({9, 16, PoolKind::None, 2});
  QSignalSpy validations(&panel, &HyperparameterPanel::validationChanged);
  panel.setSettings(s);
  QCOMPARE(validations.count(), 1);
  QVERIFY(!panel.validation().ok);
  const QList<QWidget*> flagged = invalidFields(panel);
  QCOMPARE(flagged.size(), 1);
  auto* kernel = qobject_cast<QSpinBox*>(flagged.front());
  QVERIFY(kernel);
  QCOMPARE(kernel->objectName(), QStringLiteral("kernel3"));
  QCOMPARE(kernel->value(), 9);
  QVERIFY2(kernel->toolTip().contains(QStringLiteral("layer 5")), qPrintable(kernel->toolTip()));
  const auto labels = panel.findChildren<QLabel*>(QStringLiteral("issue"));
  QCOMPARE(labels.size(), 1);
  QVERIFY(labels.front()->text().contains(QStringLiteral("4x4")));

  s.convBlocks.back().kernel = 3;
  panel.setSettings(s);
  QVERIFY(panel.validation().ok);
  QVERIFY(invalidFields(panel).isEmpty());
}

void TestHyperparameterPanel::editingAFieldRevalidates() {
  HyperparameterPanel panel;
  panel.setDatasetInfo(mnistInfo());
  QSignalSpy changes(&panel, &HyperparameterPanel::settingsChanged);
  auto* batch = panel.findChild<QSpinBox*>(QStringLiteral("batchSize"));
  QVERIFY(batch);
  panel.setDatasetInfo([] {
    DatasetInfo tiny = mnistInfo();
    tiny.trainCount = 50;
    return tiny;
  }());
  QVERIFY(!panel.validation().ok);
  QCOMPARE(panel.validation().field, SettingsField::BatchSize);
  QVERIFY(batch->property("invalid").toBool());
  batch->setValue(32);
  QCOMPARE(changes.count(), 1);
  QCOMPARE(changes.front().front().value<TrainingSettings>().batchSize, 32);
  QVERIFY(panel.validation().ok);
  QVERIFY(!batch->property("invalid").toBool());

  // The Dropout field: "none" at 0, a dropout layer before the output layer otherwise.
  auto* dropout = panel.findChild<QDoubleSpinBox*>(QStringLiteral("dropout"));
  QVERIFY(dropout);
  QCOMPARE(dropout->text(), QStringLiteral("none"));
  dropout->setValue(0.3);
  QCOMPARE(changes.count(), 2);
  const cs::NetworkSpec spec = panel.settings().spec({1, 28, 28}, 10);
  QCOMPARE(spec.layers.size(), 7u);
  QCOMPARE(spec.layers[5], cs::LayerSpec::dropout(0.3f));
  QVERIFY2(panel.validation().summary.contains(QStringLiteral("dropout 0.3")),
           qPrintable(panel.validation().summary));
}

void TestHyperparameterPanel::clearedFieldLooksLikeTheOthers() {
  // As in the app: an application style sheet, whose style puts back the palette a widget had
  // when it was polished each time it polishes it again.
  qApp->setStyleSheet(QStringLiteral("QGroupBox { font-weight: 600; }"));
  const auto plainAgain = qScopeGuard([] { qApp->setStyleSheet({}); });
  {
    // A panel starts with no dataset: its Dataset field is flagged (tinted) until one loads.
    HyperparameterPanel panel;
    auto* dataset = panel.findChild<QComboBox*>(QStringLiteral("dataset"));
    QVERIFY(dataset);
    QVERIFY(dataset->property("invalid").toBool());
    panel.ensurePolished();  // laid out, as the app's window is, while the field is flagged
    const QComboBox plain;
    QVERIFY(dataset->palette().color(QPalette::Button) != plain.palette().color(QPalette::Button));
    panel.setDatasetInfo(mnistInfo());
    QVERIFY(!dataset->property("invalid").toBool());
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    dataset->style()->polish(dataset);
    for (const QPalette::ColorRole role : {QPalette::Base, QPalette::Button, QPalette::Text})
      QCOMPARE(dataset->palette().color(role), plain.palette().color(role));
    // Flagged again on screen, the tint stays through the next polish too.
    panel.setDatasetInfo(DatasetInfo::missing(QStringLiteral("The folder was removed.")));
    dataset->style()->polish(dataset);
    QVERIFY(dataset->palette().color(QPalette::Button) != plain.palette().color(QPalette::Button));
    QCOMPARE(dataset->toolTip(), QStringLiteral("The folder was removed."));
  }
}

void TestHyperparameterPanel::optimizerBringsItsLearningRate() {
  HyperparameterPanel panel;
  auto* optimizer = panel.findChild<QComboBox*>(QStringLiteral("optimizer"));
  QVERIFY(optimizer);
  QCOMPARE(optimizer->currentText(), QStringLiteral("Adam"));
  optimizer->setCurrentIndex(optimizer->findText(QStringLiteral("SGD")));
  QCOMPARE(panel.settings().optimizer, cs::OptimizerKind::Sgd);
  QCOMPARE(float(panel.settings().learningRate),
           cs::OptimizerConfig::defaults(cs::OptimizerKind::Sgd).lr);
  auto* note = panel.findChild<QLabel*>(QStringLiteral("learningRateNote"));
  QVERIFY(note && note->text().contains(QStringLiteral("default")));

  // A rate the user chose stays when the optimizer changes, and the note says so.
  auto* rate = panel.findChild<QDoubleSpinBox*>(QStringLiteral("learningRate"));
  QVERIFY(rate);
  rate->setValue(0.003);
  optimizer->setCurrentIndex(optimizer->findText(QStringLiteral("RMSprop")));
  QCOMPARE(panel.settings().optimizer, cs::OptimizerKind::RmsProp);
  QCOMPARE(panel.settings().learningRate, 0.003);
  QVERIFY(note->text().startsWith(QStringLiteral("Kept your learning rate")));
}

void TestHyperparameterPanel::lockDisablesEditing() {
  HyperparameterPanel panel;
  panel.setLocked(HyperparameterPanel::Locked, QStringLiteral("locked for the test"));
  for (QSpinBox* spin : panel.findChildren<QSpinBox*>()) QVERIFY(!spin->isEnabled());
  for (QDoubleSpinBox* spin : panel.findChildren<QDoubleSpinBox*>())
    QVERIFY2(!spin->isEnabled(), qPrintable(spin->objectName()));
  // The Advanced fold still opens, to show the run's constants.
  auto* fold = panel.findChild<QToolButton*>(QStringLiteral("advancedToggle"));
  QVERIFY(fold && fold->isEnabled());
  fold->click();
  QVERIFY(fold->isChecked());
  panel.setLocked(HyperparameterPanel::Unlocked);
  for (QSpinBox* spin : panel.findChildren<QSpinBox*>()) QVERIFY(spin->isEnabled());
  // Unlocked, the optimizer's constants are again those it uses (Adam: not momentum).
  QVERIFY(panel.findChild<QWidget*>(QStringLiteral("beta1"))->isEnabled());
  QVERIFY(!panel.findChild<QWidget*>(QStringLiteral("momentum"))->isEnabled());
}

void TestHyperparameterPanel::pausedLeavesTheScheduleEditable() {
  HyperparameterPanel panel;
  panel.setLocked(HyperparameterPanel::ScheduleOnly, QStringLiteral("paused"));
  for (const char* name : {"learningRate", "epochs"})
    QVERIFY2(panel.findChild<QWidget*>(QLatin1String(name))->isEnabled(), name);
  for (const char* name : {"optimizer", "batchSize", "seed", "denseWidth", "dropout", "momentum",
                           "stride", "augmentShift", "patience"})
    QVERIFY2(!panel.findChild<QWidget*>(QLatin1String(name))->isEnabled(), name);
  panel.setLocked(HyperparameterPanel::Unlocked);
  for (const char* name : {"optimizer", "batchSize", "seed", "stride", "augmentShift"})
    QVERIFY2(panel.findChild<QWidget*>(QLatin1String(name))->isEnabled(), name);
}

void TestHyperparameterPanel::aScheduleReachesTheTrainerAndIsKept() {
  HyperparameterPanel panel;
  panel.setDatasetInfo(mnistInfo());
  panel.show();
  auto* decay = panel.findChild<QComboBox*>(QStringLiteral("lrDecay"));
  auto* rate = panel.findChild<QDoubleSpinBox*>(QStringLiteral("scheduleRate"));
  auto* epochs = panel.findChild<QDoubleSpinBox*>(QStringLiteral("scheduleEpochs"));
  auto* warmup = panel.findChild<QDoubleSpinBox*>(QStringLiteral("warmup"));
  QVERIFY(decay && rate && epochs && warmup);
  const auto schedule = [&panel] {
    return panel.settings().trainConfig({1, 28, 28}, 10).group.optimizer.schedule.to_string();
  };
  const auto note = [&panel] {
    for (const QLabel* label : panel.findChildren<QLabel*>())
      if (label->isVisible() && label->text().contains(QStringLiteral(" step → ")))
        return label->text();
    return QString();
  };
  QCOMPARE(schedule(), std::string("constant"));
  QVERIFY(!rate->isVisible() && !epochs->isVisible() && note().isEmpty());

  // Cosine spans the run's epochs, down to 0, unless told otherwise.
  panel.findChild<QSpinBox*>(QStringLiteral("epochs"))->setValue(8);
  QSignalSpy changed(&panel, &HyperparameterPanel::settingsChanged);
  decay->setCurrentIndex(decay->findText(QStringLiteral("Cosine decay")));
  QCOMPARE(changed.count(), 1);
  QVERIFY(rate->isVisible() && epochs->isVisible());
  QCOMPARE(schedule(), std::string("cosine:8"));
  QVERIFY2(note().startsWith(QStringLiteral("0.001 at the first step → ")), qPrintable(note()));
  QVERIFY2(note().endsWith(QStringLiteral("at the last (epoch 8)")), qPrintable(note()));
  rate->setValue(0.1);
  warmup->setValue(0.5);
  QCOMPARE(schedule(), std::string("warmup:0.5+cosine:8:0.1"));
  // 938 steps an epoch: half an epoch of warm-up starts at 1/469 of the rate.
  QVERIFY2(note().startsWith(QStringLiteral("2.13e-06 at the first step")), qPrintable(note()));
  // Once the 8 epochs have run, the note reads from the next step to the end of the 8 more that
  // Continue would train (the cosine has ended at 0.1 of the rate), and a cosine chosen then spans
  // to there.
  panel.setRunPosition(8 * 938 + 1, 8);
  QCOMPARE(note(), QStringLiteral("0.0001 at the next step → 0.0001 at the last (epoch 16)"));

  // Kept with the other settings, and shown again as it was (without a change signal).
  QSettings q;
  panel.settings().save(q);
  const TrainingSettings kept = TrainingSettings::load(q);
  QCOMPARE(kept, panel.settings());
  decay->setCurrentIndex(decay->findText(QStringLiteral("Step decay")));
  QCOMPARE(schedule(), std::string("warmup:0.5+step:1:0.5"));
  decay->setCurrentIndex(decay->findText(QStringLiteral("Constant")));
  QCOMPARE(schedule(), std::string("warmup:0.5"));
  QVERIFY(!rate->isVisible() && !epochs->isVisible());
  changed.clear();
  panel.setSettings(kept);
  QCOMPARE(changed.count(), 0);
  QCOMPARE(decay->currentText(), QStringLiteral("Cosine decay"));
  QCOMPARE(schedule(), std::string("warmup:0.5+cosine:8:0.1"));
  QVERIFY(rate->isVisible());
  decay->setCurrentIndex(decay->findText(QStringLiteral("Step decay")));
  decay->setCurrentIndex(decay->findText(QStringLiteral("Cosine decay")));
  QCOMPARE(schedule(), std::string("warmup:0.5+cosine:16"));
  panel.setRunPosition(1, 0);  // reset

  // A checkpoint's optimizer brings its schedule.
  TrainingSettings loaded;
  cs::OptimizerConfig o = cs::OptimizerConfig::defaults(cs::OptimizerKind::Sgd);
  o.schedule = cs::LrSchedule::parse("exp:2:0.9");
  loaded.adoptOptimizer(o);
  panel.setSettings(loaded);
  QCOMPARE(decay->currentText(), QStringLiteral("Exponential decay"));
  QCOMPARE(rate->value(), 0.9);
  QCOMPARE(epochs->value(), 2.0);
  // Shown as it is, finer than the fields' decimals, until a field of it is edited.
  o.schedule = cs::LrSchedule::parse("exp:0.005:0.99995");
  loaded.adoptOptimizer(o);
  panel.setSettings(loaded);
  panel.findChild<QSpinBox*>(QStringLiteral("epochs"))->setValue(3);
  QCOMPARE(schedule(), std::string("exp:0.005:0.99995"));
  rate->setValue(0.5);
  QCOMPARE(schedule(), std::string("exp:0.1:0.5"));  // the fields' values now (0.1 at least)

  // Paused, the schedule may change with the learning rate; running, it may not.
  panel.setLocked(HyperparameterPanel::ScheduleOnly, QStringLiteral("paused"));
  QVERIFY(decay->isEnabled() && rate->isEnabled() && epochs->isEnabled() && warmup->isEnabled());
  panel.setLocked(HyperparameterPanel::Locked, QStringLiteral("running"));
  QVERIFY(!decay->isEnabled() && !rate->isEnabled() && !warmup->isEnabled());
}

void TestHyperparameterPanel::logSpinBoxSteps_data() {
  QTest::addColumn<double>("from");
  QTest::addColumn<int>("steps");
  QTest::addColumn<double>("to");
  QTest::newRow("up a rung") << 0.001 << 1 << 0.002;
  QTest::newRow("up a decade") << 0.001 << 3 << 0.01;
  QTest::newRow("down from a rung") << 0.001 << -1 << 0.0005;
  QTest::newRow("down from between rungs") << 0.003 << -1 << 0.002;
  QTest::newRow("up from between rungs") << 0.003 << 1 << 0.005;
}

void TestHyperparameterPanel::logSpinBoxSteps() {
  QFETCH(double, from);
  QFETCH(int, steps);
  QFETCH(double, to);
  LogSpinBox box;
  box.setValue(from);
  box.stepBy(steps);
  QVERIFY2(qAbs(box.value() - to) < 1e-12, qPrintable(QString::number(box.value())));
  QCOMPARE(box.textFromValue(2e-5), QStringLiteral("2e-05"));
  QCOMPARE(box.valueFromText(QStringLiteral("3e-4")), 3e-4);
}

// With a minimum of 0 (the weight decay's "none"): up from 0 starts at the single step, down
// below it returns to 0.
void TestHyperparameterPanel::logSpinBoxStepsFromZero() {
  LogSpinBox box;
  box.setRange(0, 1);
  box.setSingleStep(1e-5);
  box.setSpecialValueText(QStringLiteral("none"));
  box.setValue(0);
  box.stepBy(1);
  QCOMPARE(box.value(), 1e-5);
  box.stepBy(3);  // 2e-5, 5e-5, 1e-4
  QCOMPARE(box.text(), QStringLiteral("0.0001"));
  box.stepBy(-3);
  QCOMPARE(box.value(), 1e-5);
  box.stepBy(-1);
  QCOMPARE(box.value(), 0.0);
  QCOMPARE(box.text(), QStringLiteral("none"));
  box.stepBy(-1);
  QCOMPARE(box.value(), 0.0);
  box.setValue(0.002);
  QCOMPARE(box.text(), QStringLiteral("0.002"));
}

// In German, 0,001: what it shows, it reads back; a "0.001" (a group separator there) is not read
// as 1, and a value typed with the decimal comma is taken.
void TestHyperparameterPanel::logSpinBoxReadsWhatItWritesInTheLocale() {
  LogSpinBox box;
  box.setLocale(QLocale(QLocale::German, QLocale::Germany));
  box.setValue(0.001);
  QCOMPARE(box.text(), QStringLiteral("0,001"));
  for (const double v : {0.001, 2e-5, 0.25, 3.0, 0.00031622})
    QCOMPARE(box.valueFromText(box.textFromValue(v)), v);
  QCOMPARE(box.textFromValue(0.00031622), QStringLiteral("0,00031622"));  // every digit
  QString text = QStringLiteral("0.001");
  int pos = 0;
  QCOMPARE(box.validate(text, pos), QValidator::Invalid);
  text = QStringLiteral("0,");
  QCOMPARE(box.validate(text, pos), QValidator::Intermediate);
  box.show();
  QVERIFY(QTest::qWaitForWindowExposed(&box));
  box.selectAll();
  QTest::keyClicks(&box, QStringLiteral("0,002"));
  QTest::keyClick(&box, Qt::Key_Return);
  QCOMPARE(box.value(), 0.002);
}

// A convolution row added later comes in its place in the Tab order, not after every other field.
void TestHyperparameterPanel::tabGoesThroughTheConvRowsInOrder() {
  HyperparameterPanel panel;
  auto* count = panel.findChild<QSpinBox*>(QStringLiteral("convLayers"));
  QVERIFY(count);
  count->setValue(3);
  const QStringList expected{QStringLiteral("kernel1"),  QStringLiteral("filters1"),
                             QStringLiteral("pool1"),    QStringLiteral("kernel2"),
                             QStringLiteral("filters2"), QStringLiteral("pool2"),
                             QStringLiteral("kernel3"),  QStringLiteral("filters3"),
                             QStringLiteral("pool3"),    QStringLiteral("denseWidth")};
  QStringList order;
  for (QWidget* w = count->nextInFocusChain(); w != count; w = w->nextInFocusChain())
    if (expected.contains(w->objectName())) order << w->objectName();
  QCOMPARE(order, expected);
}

QTEST_MAIN(TestHyperparameterPanel)
#include "test_hyperparameter_panel.moc"
