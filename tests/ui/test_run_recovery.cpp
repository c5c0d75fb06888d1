// What a termination signal or a crash would lose of the live run: termination signals arrive as
// Qt signals; a signal keeps the unsaved run for the next start (its autosave when that save
// fails); the autosave of an instance that crashed is restored at the next start, and one that
// cannot be loaded then stays listed; a clean exit removes the autosave before its lock.
#include <QAction>
#include <QDateTime>
#include <QFileInfo>
#include <QLockFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

#include "charts/training_charts.h"
#include "convscope/checkpoint.h"
#include "file_size_limit.h"
#include "network/network_inspector.h"
#include "test_data.h"
#include "training/training_session.h"
#include "widgets/recent_files.h"
#include "window/live_training_view.h"
#include "window/main_window.h"
#include "window/run_recovery.h"
#include "window/termination_signals.h"
#include "window/training_status_bar.h"
#include "window/unsaved_run_guard.h"
#include "window_testing.h"

class TestRunRecovery : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void terminationSignalsArriveAsQtSignals();
  void aSignalStartedIgnoredStaysIgnored();
  void aSignalKeepsTheUnsavedRunForTheNextStart();
  void aSignalWhoseSaveFailsKeepsTheAutosave();
  void aCrashedInstancesAutosaveComesBack();

 private:
  using Answer = UnsavedRunGuard::Answer;
  DatasetPtr m_data;
  QTemporaryDir m_dir;  // the checkpoints, each test its own file names
};

using namespace window_testing;

namespace {

// `from` copied to `to`, last changed `days` ago: an autosave a crash left some time before.
bool copyDaysOld(const QString& from, const QString& to, int days) {
  QFile file(to);
  return QFile::copy(from, to) && file.open(QIODevice::ReadWrite) &&
         file.setFileTime(QDateTime::currentDateTime().addDays(-days),
                          QFileDevice::FileModificationTime);
}

// The checkpoints of the runs signals saved, noted in the settings for the next start.
QStringList signalSaves() {
  QSettings q;
  q.beginGroup(QStringLiteral("recovery"));
  QStringList paths;
  for (const QString& key : q.childGroups())
    paths << q.value(key + QStringLiteral("/checkpoint")).toString();
  return paths;
}

}  // namespace

void TestRunRecovery::initTestCase() {
  Q_INIT_RESOURCE(convscope);
  testing_data::resetSettings();
  m_data = testing_data::smallDataset(1024, 200);
}

void TestRunRecovery::terminationSignalsArriveAsQtSignals() {
  struct sigaction before = {};
  QCOMPARE(::sigaction(SIGTERM, nullptr, &before), 0);  // QtTest's own
  {
    TerminationSignals signals;
    QVERIFY_THROWS_EXCEPTION(std::logic_error, TerminationSignals());  // one at a time
    QSignalSpy received(&signals, &TerminationSignals::received);
    QCOMPARE(::raise(SIGTERM), 0);  // handled: the test goes on
    QCOMPARE(::raise(SIGHUP), 0);
    QTRY_COMPARE(received.size(), 2);
    QCOMPARE(received[0][0].toInt(), SIGTERM);
    QCOMPARE(received[1][0].toInt(), SIGHUP);
    QCOMPARE(TerminationSignals::name(SIGINT), QStringLiteral("SIGINT"));
  }
  struct sigaction now = {};
  QCOMPARE(::sigaction(SIGTERM, nullptr, &now), 0);
  QVERIFY(now.sa_handler == before.sa_handler);  // the previous handler is back
}

void TestRunRecovery::aSignalStartedIgnoredStaysIgnored() {
  struct sigaction before = {};
  QCOMPARE(::sigaction(SIGHUP, nullptr, &before), 0);
  ::signal(SIGHUP, SIG_IGN);  // as `nohup convscope` starts it
  {
    TerminationSignals signals;
    QSignalSpy received(&signals, &TerminationSignals::received);
    QCOMPARE(::raise(SIGHUP), 0);
    QCOMPARE(::raise(SIGTERM), 0);
    QTRY_COMPARE(received.size(), 1);
    QCOMPARE(received[0][0].toInt(), SIGTERM);  // a logout does not close the app
    QTest::qWait(50);
    QCOMPARE(received.size(), 1);
    struct sigaction now = {};
    QCOMPARE(::sigaction(SIGHUP, nullptr, &now), 0);
    QVERIFY(now.sa_handler == SIG_IGN);
  }
  QCOMPARE(::sigaction(SIGHUP, &before, nullptr), 0);
}

void TestRunRecovery::aSignalKeepsTheUnsavedRunForTheNextStart() {
  QStandardPaths::setTestModeEnabled(true);  // the recovery folder under ~/.qttest
  QDir(RunRecovery::directory()).removeRecursively();
  QString saved;
  {
    MainWindow idle(m_data, {});  // nothing trained: nothing to keep
    idle.show();
    QCOMPARE(idle.closeForSignal(SIGTERM), QString());
    QVERIFY(!idle.isVisible());
    QVERIFY(signalSaves().isEmpty());
  }
  {
    MainWindow window(m_data, {});
    window.show();
    LiveTrainingView* live = window.live();
    QStringList questions;
    answerWith(live, &questions, {Answer::Cancel, {}});
    live->actions().start->trigger();  // still training when the signal comes
    QTRY_VERIFY(live->unsavedRunGuard()->isUnsaved());
    saved = window.closeForSignal(SIGTERM);
    QVERIFY(questions.isEmpty());  // nobody asked
    QVERIFY(!window.isVisible());
    QCOMPARE(window.closeForSignal(SIGINT), QString());  // a second signal changes nothing
    QVERIFY2(saved.startsWith(RunRecovery::directory() + QStringLiteral("/convscope-recovered-")),
             qPrintable(saved));
    QVERIFY2(
        saved.endsWith(QStringLiteral("-%1.safetensors").arg(QCoreApplication::applicationPid())),
        qPrintable(saved));  // another instance stopped in the same second has its own
    QVERIFY(metaOf(saved).step > 0);
    QCOMPARE(signalSaves(), QStringList{saved});
  }
  // Another instance, stopped by a signal the day before and not started again since: its run is
  // kept beside this one's, not over it (before, one settings key held one run).
  const QString other =
      RunRecovery::directory() + QStringLiteral("/convscope-recovered-other.safetensors");
  QVERIFY(copyDaysOld(saved, other, 1));
  QSettings().setValue(QStringLiteral("recovery/other/checkpoint"), other);
  QSettings().setValue(QStringLiteral("recovery/other/signal"), QStringLiteral("SIGHUP"));
  MainWindow next(m_data, {});  // the next start: the run comes back, paused at its step
  next.show();
  TrainingSession* session = next.live()->session();
  QTRY_COMPARE(session->state(), TrainingState::Paused);
  QTRY_VERIFY(next.live()->inspector()->snapshot());
  QCOMPARE(next.live()->inspector()->snapshot()->step, metaOf(saved).step);
  // With its history: every step's loss until the signal, back on the charts.
  QCOMPARE(static_cast<long long>(metaOf(saved).history.losses.size()), metaOf(saved).step);
  QTRY_VERIFY(next.live()->charts()->plottedLossPoints() > 0);
  QVERIFY(!next.live()->unsavedRunGuard()->isUnsaved());
  QVERIFY(next.live()->recentCheckpoints()->files().contains(saved));
  QVERIFY(signalSaves().isEmpty());  // restored once
  // The newest was restored; the other instance's is listed, and said to be.
  QVERIFY(next.live()->recentCheckpoints()->files().contains(other));
  QTRY_VERIFY2(next.trainingStatusBar()->currentMessage().startsWith(
                   QStringLiteral("Restored the run SIGTERM stopped")),
               qPrintable(next.trainingStatusBar()->currentMessage()));
  QVERIFY2(next.trainingStatusBar()->currentMessage().endsWith(
               QStringLiteral("; 1 other recovered run under File ▸ Recent checkpoints")),
           qPrintable(next.trainingStatusBar()->currentMessage()));
  QDir(RunRecovery::directory()).removeRecursively();
  QStandardPaths::setTestModeEnabled(false);
}

void TestRunRecovery::aSignalWhoseSaveFailsKeepsTheAutosave() {
  QStandardPaths::setTestModeEnabled(true);  // the recovery folder under ~/.qttest
  const QString dir = RunRecovery::directory();
  QDir(dir).removeRecursively();
  const QString own = dir + QStringLiteral("/autosave-%1").arg(QCoreApplication::applicationPid());
  {
    MainWindow window(m_data, {});
    stepThrice(window, own);
    QString saved;
    {
      const FileSizeLimit diskFull(1024);  // no checkpoint fits
      saved = window.closeForSignal(SIGTERM);
    }
    QVERIFY(saved.isEmpty());
    QVERIFY(!window.isVisible());
  }
  // The save at the signal failed: the autosave outlived the window, and the next start brings
  // the run back from it, paused at its step.
  QVERIFY(QFile::exists(own + QStringLiteral(".safetensors")));
  QVERIFY(signalSaves().isEmpty());
  MainWindow next(m_data, {});
  next.show();
  QTRY_COMPARE(next.live()->session()->state(), TrainingState::Paused);
  QTRY_COMPARE(positionText(next), QStringLiteral("Epoch 1/1 (3/32) · step 3"));
  QDir(dir).removeRecursively();
  QStandardPaths::setTestModeEnabled(false);
}

void TestRunRecovery::aCrashedInstancesAutosaveComesBack() {
  QStandardPaths::setTestModeEnabled(true);  // the recovery folder under ~/.qttest
  const QString dir = RunRecovery::directory();
  QDir(dir).removeRecursively();
  const QString trained = m_dir.filePath(QStringLiteral("crashed.safetensors"));
  const QString own = dir + QStringLiteral("/autosave-%1").arg(QCoreApplication::applicationPid());
  bool removedUnderLock = false;
  {
    MainWindow window(m_data, {});
    stepThrice(window, own);
    QVERIFY(QFile::exists(own + QStringLiteral(".lock")));  // held while this instance runs
    QFile::copy(own + QStringLiteral(".safetensors"), trained);
    connect(window.findChild<RunRecovery*>(), &QObject::destroyed, this,
            [&] { removedUnderLock = !QFile::exists(own + QStringLiteral(".safetensors")); });
  }
  QVERIFY(removedUnderLock);  // the autosave went before its lock did
  QVERIFY(!QFile::exists(own + QStringLiteral(".safetensors")));  // a clean exit leaves nothing
  QVERIFY(!QFile::exists(own + QStringLiteral(".lock")));
  QCOMPARE(metaOf(trained).step, 3);

  // Two autosaves: one whose instance is gone (no lock held), one whose instance runs.
  QVERIFY(QFile::copy(trained, dir + QStringLiteral("/autosave-424242.safetensors")));
  QVERIFY(QFile::copy(trained, dir + QStringLiteral("/autosave-1.safetensors")));
  // And an older crash's, not taken up then: listed with the recent checkpoints, and said.
  const QString older = dir + QStringLiteral("/autosave-525252.safetensors");
  QVERIFY(copyDaysOld(trained, older, 2));
  QLockFile running(dir + QStringLiteral("/autosave-1.lock"));
  QVERIFY(running.tryLock(0));
  MainWindow next(m_data, {});  // the next start: the crashed instance's run, paused at its step
  next.show();
  TrainingSession* session = next.live()->session();
  QTRY_COMPARE(session->state(), TrainingState::Paused);
  QTRY_COMPARE(positionText(next), QStringLiteral("Epoch 1/1 (3/32) · step 3"));
  const QStringList adopted = QDir(dir).entryList(
      {QStringLiteral("convscope-autosaved-*.safetensors")}, QDir::Files, QDir::Time);
  QCOMPARE(adopted.size(), 2);  // kept under names of their own, found once
  QVERIFY(!QFile::exists(dir + QStringLiteral("/autosave-424242.safetensors")));
  QVERIFY(!QFile::exists(older));
  QVERIFY(QFile::exists(dir + QStringLiteral("/autosave-1.safetensors")));  // left to its instance
  const QStringList recent = next.live()->recentCheckpoints()->files();
  for (const QString& name : adopted)
    QVERIFY2(recent.contains(dir + QLatin1Char('/') + name), qPrintable(name));
  QVERIFY(!next.live()->unsavedRunGuard()->isUnsaved());
  QTRY_VERIFY2(next.trainingStatusBar()->currentMessage().startsWith(QStringLiteral(
                   "Restored the run Convscope was training when it stopped unexpectedly")),
               qPrintable(next.trainingStatusBar()->currentMessage()));
  QVERIFY2(next.trainingStatusBar()->currentMessage().endsWith(
               QStringLiteral("; 1 other recovered run under File ▸ Recent checkpoints")),
           qPrintable(next.trainingStatusBar()->currentMessage()));
  running.unlock();
  QVERIFY(QFile::remove(dir + QStringLiteral("/autosave-1.safetensors")));  // its instance ended

  // Another crash, and a start without the dataset: the run cannot be loaded, and is not lost.
  // With an older one of a crash before: listed too, and counted.
  QVERIFY(QFile::copy(trained, dir + QStringLiteral("/autosave-434343.safetensors")));
  const QString before = dir + QStringLiteral("/autosave-444444.safetensors");
  QVERIFY(copyDaysOld(trained, before, 1));
  next.live()->recentCheckpoints()->clear();
  MainWindow bare(nullptr, QStringLiteral("MNIST is missing"));
  const QStringList kept = QDir(dir).entryList({QStringLiteral("convscope-autosaved-*")});
  QCOMPARE(kept.size(), 4);
  QTRY_COMPARE(bare.live()->recentCheckpoints()->files().size(), 2);
  const QString path = bare.live()->recentCheckpoints()->files().front();
  QVERIFY(QFileInfo::exists(path) &&
          path.startsWith(dir + QStringLiteral("/convscope-autosaved-")));
  QCOMPARE(metaOf(path).step, 3);
  QTRY_COMPARE(bare.trainingStatusBar()->currentMessage(),
               QStringLiteral("The recovered run could not be loaded; it is kept in %1, under "
                              "File ▸ Recent checkpoints with 1 other recovered run")
                   .arg(QDir::toNativeSeparators(path)));
  QCOMPARE(bare.live()->session()->state(), TrainingState::Idle);

  // More crashes than the recent checkpoints hold beside the run restored: the newest are listed,
  // and where all of them are is said.
  for (const QString& name : kept) QVERIFY(QFile::remove(dir + QLatin1Char('/') + name));
  for (int days = 1; days <= 10; ++days)
    QVERIFY(copyDaysOld(trained, dir + QStringLiteral("/autosave-%1.safetensors").arg(500 + days),
                        days));
  bare.live()->recentCheckpoints()->clear();
  MainWindow many(m_data, {});
  QTRY_COMPARE(many.live()->session()->state(), TrainingState::Paused);
  QTRY_VERIFY2(many.trainingStatusBar()->currentMessage().endsWith(
                   QStringLiteral("; the newest 7 of 9 other recovered runs (all in %1) under File "
                                  "▸ Recent checkpoints")
                       .arg(QDir::toNativeSeparators(dir))),
               qPrintable(many.trainingStatusBar()->currentMessage()));
  const QStringList recovered = QDir(dir).entryList({QStringLiteral("convscope-autosaved-*")},
                                                    QDir::Files, QDir::Time);  // newest first
  QCOMPARE(recovered.size(), 10);
  const QStringList listed = many.live()->recentCheckpoints()->files();
  QCOMPARE(listed.size(), RecentFiles::kMaxFiles);
  for (int i = 0; i < recovered.size(); ++i)
    QCOMPARE(listed.contains(dir + QLatin1Char('/') + recovered[i]), i < RecentFiles::kMaxFiles);
  QDir(dir).removeRecursively();
  QStandardPaths::setTestModeEnabled(false);
}

QTEST_MAIN(TestRunRecovery)
#include "test_run_recovery.moc"
