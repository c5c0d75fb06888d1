// The training charts' view options (ChartOptions): one value, told when one changes, each one
// as the user sets it (the slider, the context menus' check boxes); read back from a settings
// file, an unreadable option giving its default.
#include <QAction>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>

#include "charts/chart_options.h"
#include "charts/training_charts.h"
#include "training/metrics_history.h"

namespace {

void fill(MetricsHistory& history) {
  history.setStepsPerEpoch(100);
  std::vector<cs::LossPoint> points;
  for (int s = 0; s < 200; ++s) points.push_back({s, 2.3f / (1 + s), 0.5f});
  history.addLosses(points);
}

}  // namespace

class TestChartOptions : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void optionsAreOneValueToldWhenTheyChange();
  void optionsReadBackFromSettings();
};

void TestChartOptions::optionsAreOneValueToldWhenTheyChange() {
  MetricsHistory history;
  fill(history);
  TrainingCharts charts(&history);
  QCOMPARE(charts.options(), ChartOptions());
  QSignalSpy changed(&charts, &TrainingCharts::optionsChanged);
  // Each option as the user sets it: the slider, then the context menus' check boxes.
  charts.findChild<QSlider*>()->setValue(50);
  QCOMPARE(changed.count(), 1);
  for (const char* name : {"logLossAxis", "classAccuracy", "showPrevious"}) {
    QAction* option = charts.findChild<QAction*>(QString::fromLatin1(name));
    QVERIFY2(option, name);
    option->trigger();
  }
  // "showPrevious" is on both charts; the first one's toggle checks the other without a second
  // change.
  QCOMPARE(changed.count(), 4);
  const ChartOptions set{0.5, true, true, false};
  QCOMPARE(charts.options(), set);
  QVERIFY(charts.logLossAxis());
  QVERIFY(charts.classAccuracyShown());
  QVERIFY(!charts.previousShown());

  TrainingCharts other(&history);
  other.setOptions(set);
  QCOMPARE(other.options(), set);
  QVERIFY(other.logLossAxis());
  QCOMPARE(other.smoothing(), 0.5);
  QSignalSpy again(&other, &TrainingCharts::optionsChanged);
  other.setOptions(set);  // the same again: nothing changes, nothing is told
  QCOMPARE(again.count(), 0);
}

void TestChartOptions::optionsReadBackFromSettings() {
  QTemporaryDir dir;
  QSettings q(dir.filePath(QStringLiteral("options.ini")), QSettings::IniFormat);
  QCOMPARE(ChartOptions::load(q), ChartOptions());  // nothing stored: the defaults
  const ChartOptions set{0.25, true, true, false};
  set.save(q);
  q.sync();
  const QSettings read(q.fileName(), QSettings::IniFormat);
  QCOMPARE(ChartOptions::load(read), set);
  // What cannot be read gives that option's default, the others are kept.
  q.setValue(QStringLiteral("charts/smoothing"), 1.5);
  q.setValue(QStringLiteral("charts/logLossAxis"), QStringLiteral("maybe"));
  const ChartOptions partly = ChartOptions::load(q);
  QCOMPARE(partly.smoothing, MetricsHistory::kSmoothing);
  QCOMPARE(partly.logLossAxis, false);
  QCOMPARE(partly.classAccuracy, true);
  QCOMPARE(partly.previousShown, false);
  q.setValue(QStringLiteral("charts/smoothing"), QStringLiteral("smooth"));
  QCOMPARE(ChartOptions::load(q).smoothing, MetricsHistory::kSmoothing);
}

QTEST_MAIN(TestChartOptions)
#include "test_chart_options.moc"
