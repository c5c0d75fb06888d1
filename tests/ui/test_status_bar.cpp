// The training status bar: the ETA is shown only while training runs (paused or stopped, it would
// be stale), the learning rate only under a schedule, an early stop told once, a long backend note
// is elided with the whole text in its tooltip and its Copy, and a task running in another view
// shows with its progress, the way to its view a click; a task begun again while it runs keeps its
// progress and a Cancel already pressed.
#include <QAction>
#include <QClipboard>
#include <QLabel>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

#include "widgets/elided_label.h"
#include "widgets/task_progress_box.h"
#include "window/task_indicator.h"
#include "window/training_status_bar.h"

class TestStatusBar : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void etaOnlyWhileRunning();
  void learningRateOnlyUnderASchedule();
  void anEarlyStopIsToldOnce();
  void longBackendNoteIsElided();
  void messagesShowInTheBackendsPlace();
  void aTaskShowsWhileItRuns();
};

namespace {

QString timeText(const TrainingStatusBar& bar) {
  for (const QLabel* label : bar.findChildren<QLabel*>())
    if (label->text().contains(QStringLiteral("elapsed"))) return label->text();
  return {};
}

}  // namespace

void TestStatusBar::etaOnlyWhileRunning() {
  TrainingStatusBar bar;
  TrainingProgress p;
  p.epochs = 2;
  p.stepsPerEpoch = 100;
  p.globalStep = p.stepInEpoch = 50;
  p.elapsedSeconds = 5;
  p.etaSeconds = 15;
  bar.setState(TrainingState::Running);
  bar.setProgress(p);
  QCOMPARE(timeText(bar), QStringLiteral("0:05 elapsed · ETA 0:15"));
  bar.setState(TrainingState::Paused);
  QCOMPARE(timeText(bar), QStringLiteral("0:05 elapsed"));
  bar.setState(TrainingState::Running);
  QVERIFY(timeText(bar).contains(QStringLiteral("ETA 0:15")));
  bar.setState(TrainingState::Stopped);
  QCOMPARE(timeText(bar), QStringLiteral("0:05 elapsed"));
  bar.clearProgress();
  bar.setState(TrainingState::Running);
  QCOMPARE(timeText(bar), QStringLiteral("0:00 elapsed"));
}

void TestStatusBar::learningRateOnlyUnderASchedule() {
  TrainingStatusBar bar;
  bar.show();
  auto* rate = bar.findChild<QLabel*>(QStringLiteral("learningRateLabel"));
  QVERIFY(rate);
  TrainingProgress p;
  p.epochs = 2;
  p.stepsPerEpoch = 100;
  bar.setProgress(p);  // a constant rate: the learning rate panel says it
  QVERIFY(!rate->isVisible());
  p.scheduledRate = 0.000437;
  bar.setProgress(p);
  QVERIFY(rate->isVisible());
  QCOMPARE(rate->text(), QStringLiteral("lr 0.000437"));
  bar.clearProgress();
  QVERIFY(!rate->isVisible());
}

// A run that stopped early: its state says so with the reason in the tool tip, and a message
// tells it once, not at every report; the next state is shown as usual.
void TestStatusBar::anEarlyStopIsToldOnce() {
  TrainingStatusBar bar;
  QSignalSpy messages(&bar, &QStatusBar::messageChanged);
  TrainingProgress p;
  p.epoch = p.epochs = p.currentEpoch = 7;
  p.stepsPerEpoch = p.stepInEpoch = 100;
  p.earlyStop = QStringLiteral("no validation loss below epoch 4's (0.0312) in the 3 epochs since");
  p.canRewind = true;
  bar.setProgress(p);  // the epoch's end, reported while the state is still Running
  QCOMPARE(messages.count(), 0);
  bar.setState(TrainingState::Finished);
  bar.setProgress(p);
  QCOMPARE(messages.count(), 1);
  QCOMPARE(
      bar.currentMessage(),
      QStringLiteral("Stopped early after epoch 7: no validation loss below epoch 4's (0.0312) "
                     "in the 3 epochs since · Training ▸ Rewind to best epoch goes back to its "
                     "weights"));
  const auto* state = bar.findChildren<QLabel*>().front();
  QCOMPARE(state->text(), QStringLiteral("● Stopped early"));
  QVERIFY(state->toolTip().startsWith(QStringLiteral("After epoch 7: no validation loss")));
  bar.setProgress(p);
  QCOMPARE(messages.count(), 1);
  bar.setState(TrainingState::Running);  // Continue
  QCOMPARE(state->text(), QStringLiteral("● Training"));
  QCOMPARE(state->toolTip(), QString());

  // Without a best epoch kept (a network too large to keep twice), no Rewind is offered.
  TrainingStatusBar other;
  other.setState(TrainingState::Finished);
  p.canRewind = false;
  other.setProgress(p);
  QVERIFY2(!other.currentMessage().contains(QStringLiteral("Rewind")),
           qPrintable(other.currentMessage()));
  QVERIFY(other.currentMessage().startsWith(QStringLiteral("Stopped early after epoch 7")));
}

void TestStatusBar::longBackendNoteIsElided() {
  TrainingStatusBar bar;
  bar.resize(900, 30);
  bar.show();
  QVERIFY(QTest::qWaitForWindowExposed(&bar));
  const QString note = QStringLiteral("no usable GPU (") + QString(300, QLatin1Char('x')) +
                       QStringLiteral("): using the CPU backend");
  bar.setBackend({QStringLiteral("cpu"), QStringLiteral("2 CPU threads"), note});
  auto* label = bar.findChild<ElidedLabel*>();
  QVERIFY(label);
  QCOMPARE(label->text(), note);
  QVERIFY(label->isElided());
  QCOMPARE(label->toolTip(), note);
  // The context menu's Copy takes the whole text, not what is shown.
  QCOMPARE(label->contextMenuPolicy(), Qt::ActionsContextMenu);
  QCOMPARE(label->actions().size(), 1);
  label->actions().front()->trigger();
  QCOMPARE(QGuiApplication::clipboard()->text(), note);
  QVERIFY(bar.minimumSizeHint().width() < 900);
}

void TestStatusBar::messagesShowInTheBackendsPlace() {
  TrainingStatusBar bar;
  bar.resize(1280, 30);
  bar.show();
  QVERIFY(QTest::qWaitForWindowExposed(&bar));
  bar.setBackend({QStringLiteral("cpu"), QStringLiteral("2 CPU threads"), {}});
  const QString backend = bar.backendText();
  QCOMPARE(bar.shownText(), backend);
  bar.showMessage(QStringLiteral("Saved checkpoint run.safetensors"), 100);
  QCOMPARE(bar.shownText(), QStringLiteral("Saved checkpoint run.safetensors"));
  auto* label = bar.findChild<ElidedLabel*>();
  QVERIFY(label->isVisible() && label->width() > 200);                   // where it can be read
  bar.setBackend({QStringLiteral("cuda"), QStringLiteral("H200"), {}});  // under the message
  QCOMPARE(bar.shownText(), QStringLiteral("Saved checkpoint run.safetensors"));
  QTRY_COMPARE(bar.shownText(), QStringLiteral("CUDA · H200"));  // the message timed out
  QCOMPARE(bar.backendText(), QStringLiteral("CUDA · H200"));
}

void TestStatusBar::aTaskShowsWhileItRuns() {
  TrainingStatusBar bar;
  TaskProgressBox box;
  box.begin(QStringLiteral("Training run 3: 10 networks"), QStringLiteral("Starting…"));
  auto* task = new TaskIndicator(QStringLiteral("Ensemble"));
  task->follow(&box);  // already running: shown at once
  bar.addTask(task);
  bar.resize(1366, 30);
  bar.show();
  QVERIFY(QTest::qWaitForWindowExposed(&bar));
  QVERIFY(task->isVisible());
  QCOMPARE(task->text(), QStringLiteral("Ensemble 0%"));
  box.setProgress(0.437, QStringLiteral("10 networks × epoch 2/5"));
  QCOMPARE(task->text(), QStringLiteral("Ensemble 43%"));
  QCOMPARE(task->toolTip(), QStringLiteral("Training run 3: 10 networks\n10 networks × epoch 2/5"));
  // Between the run's time and the backend, which keeps the rest of the row.
  const auto* backend = bar.findChild<ElidedLabel*>();
  QVERIFY(task->geometry().right() < backend->geometry().left());
  QVERIFY(task->geometry().left() > bar.width() / 3);
  QSignalSpy activated(task, &TaskIndicator::activated);
  QTest::mouseClick(task->button(), Qt::LeftButton);
  QCOMPARE(activated.size(), 1);
  const int width = task->width();
  box.setProgress(1.0, QStringLiteral("Saving"));
  QCOMPARE(task->text(), QStringLiteral("Ensemble 100%"));
  QCOMPARE(task->width(), width);  // fixed, as the run's labels: no relayout every report
  box.end();
  QVERIFY(!task->isVisible());
  box.begin(QStringLiteral("Training run 4"), QStringLiteral("Starting…"));
  QVERIFY(task->isVisible());
  QCOMPARE(task->text(), QStringLiteral("Ensemble 0%"));
  // Cancelled while preparing (a page disables Cancel), then the worker says what it started:
  // the same task, retitled, still cancelled and as far along.
  box.cancelButton()->setEnabled(false);
  box.setProgress(0.2, QStringLiteral("Preparing 2 networks…"));
  box.begin(QStringLiteral("Training run 4: 2 networks"), QStringLiteral("Starting…"));
  QVERIFY(!box.cancelButton()->isEnabled());
  QCOMPARE(box.titleText(), QStringLiteral("Training run 4: 2 networks"));
  QCOMPARE(task->text(), QStringLiteral("Ensemble 20%"));
  box.end();
  box.begin(QStringLiteral("Training run 5"), QStringLiteral("Starting…"));  // a new task
  QVERIFY(box.cancelButton()->isEnabled());
  QCOMPARE(task->text(), QStringLiteral("Ensemble 0%"));
}

QTEST_MAIN(TestStatusBar)
#include "test_status_bar.moc"
