// ViewRefresh, when the Embedding and Class models views ask the worker: on show only after the
// weights changed, after an evaluation only while shown, one request on its way at a time (one
// asked for meanwhile sent when the answer is back, or on the next show when hidden by then), and
// a new run or a reset dropping the answer on its way.
#include <QSignalSpy>
#include <QTest>
#include <QWidget>
#include <vector>

#include "test_data.h"
#include "training/training_session.h"
#include "training/view_refresh.h"

class TestViewRefresh : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { testing_data::resetSettings(); }
  void asksWhenShownAfterAChange();
  void oneRequestIsOnItsWayAtATime();
  void aNewRunDropsTheAnswerOnItsWay();
};

void TestViewRefresh::asksWhenShownAfterAChange() {
  TrainingSession session;
  QWidget view;
  std::vector<int> sent;
  ViewRefresh refresh(&view, session.worker(), [&](int id) { sent.push_back(id); });
  TrainingWorker* worker = session.worker();
  view.show();  // stale from the start: the first show asks
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  QCOMPARE(sent.size(), size_t{1});
  QVERIFY(refresh.take(sent[0]));
  view.hide();
  view.show();  // nothing changed: no request
  QCOMPARE(sent.size(), size_t{1});
  Q_EMIT worker->evaluated(EvaluationReport{});  // shown: at once
  QCOMPARE(sent.size(), size_t{2});
  QVERIFY(refresh.take(sent[1]));
  view.hide();
  Q_EMIT worker->evaluated(EvaluationReport{});  // hidden: on the next show
  QCOMPARE(sent.size(), size_t{2});
  view.show();
  QCOMPARE(sent.size(), size_t{3});
  QVERIFY(refresh.take(sent[2]));
  QVERIFY(!refresh.take(sent[2]));  // answered already
}

void TestViewRefresh::oneRequestIsOnItsWayAtATime() {
  TrainingSession session;
  QWidget view;
  std::vector<int> sent;
  ViewRefresh refresh(&view, session.worker(), [&](int id) { sent.push_back(id); });
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  QCOMPARE(sent.size(), size_t{1});
  refresh.refresh();  // another layer chosen while the first is on its way
  refresh.refresh();
  QCOMPARE(sent.size(), size_t{1});
  QVERIFY(!refresh.take(sent[0] + 1000));  // another view's answer
  QVERIFY(refresh.take(sent[0]));          // back: the one asked for meanwhile goes, once
  QCOMPARE(sent.size(), size_t{2});
  QVERIFY(sent[1] != sent[0]);
  refresh.refresh();
  view.hide();  // hidden before the answer: the one asked for waits for the next show
  QVERIFY(refresh.take(sent[1]));
  QCOMPARE(sent.size(), size_t{2});
  view.show();
  QCOMPARE(sent.size(), size_t{3});
}

void TestViewRefresh::aNewRunDropsTheAnswerOnItsWay() {
  TrainingSession session;
  QWidget view;
  std::vector<int> sent;
  ViewRefresh refresh(&view, session.worker(), [&](int id) { sent.push_back(id); });
  QSignalSpy cleared(&refresh, &ViewRefresh::cleared);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  QCOMPARE(sent.size(), size_t{1});
  Q_EMIT session.worker()->runCleared();  // a reset: the answer is of the old network
  QCOMPARE(cleared.size(), 1);
  QVERIFY(!refresh.take(sent[0]));
  Q_EMIT session.worker()->runStarted(RunInfo{});  // a new run: cleared, and asked for at once
  QCOMPARE(cleared.size(), 2);
  QCOMPARE(sent.size(), size_t{2});
  QVERIFY(refresh.take(sent[1]));
}

QTEST_MAIN(TestViewRefresh)
#include "test_view_refresh.moc"
