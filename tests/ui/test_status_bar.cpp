// The training status bar: the ETA is shown only while training runs (paused or stopped, it would
// be stale), and a long backend note is elided with the whole text in its tooltip and its Copy.
#include <QAction>
#include <QClipboard>
#include <QLabel>
#include <QTest>

#include "widgets/elided_label.h"
#include "window/training_status_bar.h"

class TestStatusBar : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void etaOnlyWhileRunning();
  void longBackendNoteIsElided();
  void messagesShowInTheBackendsPlace();
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

QTEST_MAIN(TestStatusBar)
#include "test_status_bar.moc"
