// The chart numbers: TensorBoard's debiased moving average (hand-computed values), the fitted
// accuracy range, round ticks, and range changes that never lay out thousands of ticks.
#include <QTest>
#include <QValueAxis>
#include <cmath>
#include <vector>

#include "chart_test_util.h"
#include "charts/chart_math.h"

using chart_test::ticksShown;

class TestChartMath : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void emaIsDebiased();
  void emaWeightZeroIsTheRawSeries();
  void emaSkipsNonFiniteValues();
  void fitRange_data();
  void fitRange();
  void roundSteps();
  void aRangeChangeNeverLaysOutThousandsOfTicks();
  void finalAccuracyAxisStaysWithinPercent();
};

void TestChartMath::emaIsDebiased() {
  // weight 0.5 over 4, 2, 8: ema 2, 2, 5; debias 1-0.5, 1-0.25, 1-0.125.
  const std::vector<QPointF> out = chart_math::smoothed({{1, 4}, {2, 2}, {3, 8}}, 0.5);
  QCOMPARE(out.size(), size_t(3));
  QCOMPARE(out[0].y(), 4.0);  // the first point is itself, not pulled towards zero
  QCOMPARE(out[1].y(), 2.0 / 0.75);
  QCOMPARE(out[2].y(), 5.0 / 0.875);
  QCOMPARE(out[2].x(), 3.0);
  // A constant series stays constant at any weight.
  for (const QPointF& p : chart_math::smoothed({{1, 3}, {2, 3}, {3, 3}, {4, 3}}, 0.99))
    QVERIFY(std::abs(p.y() - 3) < 1e-12);
}

void TestChartMath::emaWeightZeroIsTheRawSeries() {
  const std::vector<QPointF> raw{{1, 5}, {2, -1}, {3, 7}};
  QCOMPARE(chart_math::smoothed(raw, 0), raw);
}

void TestChartMath::emaSkipsNonFiniteValues() {
  const std::vector<QPointF> out = chart_math::smoothed({{1, 4}, {2, std::nan("")}, {3, 2}}, 0.5);
  QVERIFY(std::isnan(out[1].y()));
  QCOMPARE(out[2].y(), 2.0 / 0.75);  // as if the NaN were not there
}

void TestChartMath::fitRange_data() {
  QTest::addColumn<std::vector<double>>("values");
  QTest::addColumn<double>("min");
  QTest::addColumn<double>("max");
  // Padding 10% of the span on each side, at least 1 point wide, within [0, 100].
  QTest::newRow("two close accuracies") << std::vector<double>{97.7, 98.8} << 97.59 << 98.91;
  QTest::newRow("flat: the minimum span") << std::vector<double>{98.0, 98.0} << 97.5 << 98.5;
  QTest::newRow("at 100: clamped, span kept") << std::vector<double>{99.9, 100.0} << 99.0 << 100.0;
  QTest::newRow("wide") << std::vector<double>{10.0, 90.0} << 2.0 << 98.0;
  QTest::newRow("none") << std::vector<double>{} << 0.0 << 100.0;
}

void TestChartMath::fitRange() {
  QFETCH(std::vector<double>, values);
  QFETCH(double, min);
  QFETCH(double, max);
  const chart_math::Range r = chart_math::fitRange(values, 0.1, 1.0, 0, 100);
  QVERIFY2(std::abs(r.min - min) < 1e-9, qPrintable(QString::number(r.min)));
  QVERIFY2(std::abs(r.max - max) < 1e-9, qPrintable(QString::number(r.max)));
}

void TestChartMath::roundSteps() {
  QCOMPARE(chart_math::roundStep(1.32, 4), 0.5);
  QCOMPARE(chart_math::roundStep(100, 5), 20.0);
  QCOMPARE(chart_math::roundStep(0.07, 4), 0.02);
  QValueAxis axis;
  axis.setRange(97.59, 98.91);
  chart_math::applyRoundTicks(&axis, axis.min(), axis.max(), 4);
  // 0.5 would label only 98.0 and 98.5: the next smaller step, 97.6, 97.8, …, 98.8.
  QCOMPARE(axis.tickInterval(), 0.2);
  QCOMPARE(axis.labelFormat(), QStringLiteral("%.1f"));
  QCOMPARE(ticksShown(&axis), 7);
  QCOMPARE(chart_math::ticksWithin(0, 100, 20), 6);
}

// An axis lays out an item per tick at every change: from a fresh run's 0..10 (a step of 2) to a
// loaded run's 35,000 steps and back, the step and the range change in the order that never asks
// for more than the old or the new range's ticks.
void TestChartMath::aRangeChangeNeverLaysOutThousandsOfTicks() {
  QValueAxis axis;
  int most = 0;
  const auto count = [&] {
    if (axis.tickType() == QValueAxis::TicksDynamic) most = std::max(most, ticksShown(&axis));
  };
  connect(&axis, &QValueAxis::rangeChanged, this, count);
  connect(&axis, &QValueAxis::tickIntervalChanged, this, count);
  chart_math::setRoundRange(&axis, 0, 10, 5);
  QCOMPARE(axis.tickInterval(), 2.0);
  chart_math::setRoundRange(&axis, 0, 40000, 5);
  QCOMPARE(axis.tickInterval(), 10000.0);
  QCOMPARE(axis.max(), 40000.0);
  chart_math::setRoundRange(&axis, 0, 10, 5);
  QCOMPARE(axis.tickInterval(), 2.0);
  QVERIFY2(most <= 6, qPrintable(QString::number(most)));
}

void TestChartMath::finalAccuracyAxisStaysWithinPercent() {
  // A sweep's spread (SGD near chance, Adam near 96%): padded, but not past 0 or 100 as it was
  // (-50..150), with whole-number labels.
  QValueAxis axis;
  chart_math::fitAccuracyAxis(&axis, 6.61, 95.99, 0.1);
  QVERIFY2(axis.min() >= 0 && axis.min() < 6.61 && axis.max() <= 100 && axis.max() > 95.99,
           qPrintable(QStringLiteral("%1..%2").arg(axis.min()).arg(axis.max())));
  QCOMPARE(axis.labelFormat(), QStringLiteral("%.0f"));
  // Networks within 0.02 points: at least 0.1 points across, labelled to two decimals.
  chart_math::fitAccuracyAxis(&axis, 95.40, 95.42, 0.15);
  QVERIFY(axis.min() < 95.40 && axis.max() > 95.42 && axis.max() - axis.min() >= 0.1 - 1e-9);
  QCOMPARE(axis.labelFormat(), QStringLiteral("%.2f"));
  QVERIFY(ticksShown(&axis) >= 3);
}

QTEST_MAIN(TestChartMath)
#include "test_chart_math.moc"
