// Deleting a stored run from the Ensemble view: Delete run… (the run table's context menu and the
// Delete key) asks first; Cancel keeps the run, Delete removes it from the store and closes it
// where it was shown, and a sweep's run is said to be trained again by its sweep. A run being
// trained, here or by another process, cannot be deleted; an older store says it keeps the space.
#include <sqlite3.h>
#include <QAction>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include "convscope/store.h"
#include "ensemble/ensemble_page.h"
#include "ensemble/runs_model.h"
#include "ensemble/runs_panel.h"
#include "ensemble_test_data.h"

using ensemble_testing::StoredHandBuilt;

namespace {

// The one confirmation `panel` shows, or null.
QMessageBox* confirmation(RunsPanel* panel) {
  QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);  // boxes closed before
  const QList<QMessageBox*> boxes = panel->findChildren<QMessageBox*>();
  return boxes.size() == 1 ? boxes.front() : nullptr;
}

QAbstractButton* buttonWithRole(QMessageBox* box, QMessageBox::ButtonRole role) {
  for (QAbstractButton* b : box->buttons())
    if (box->buttonRole(b) == role) return b;
  return nullptr;
}

}  // namespace

class TestDeleteRun : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { Q_INIT_RESOURCE(convscope); }

  void deletingIsAskedFirstAndRemovesTheRun() {
    StoredHandBuilt s;
    qint64 sweepRun = 0;
    {
      cs::Store store(s.path.toStdString());
      sweepRun = ensemble_testing::storeRun(store, s.h.eval, s.val);
      store.set_sweep_run(store.begin_sweep("{}", {"lr=0.1"}), 0, sweepRun);
    }
    EnsemblePage page;
    QVERIFY(ensemble_testing::openShown(page, s, QSize(1366, 768)));
    RunsPanel* panel = page.runsPanel();
    QCOMPARE(page.runsModel()->rowCount(), 2);
    // What the store holds, where, and its size.
    const QRegularExpression note(QStringLiteral("^(\\d) runs? in .*runs\\.db · ([\\d.]+) kB$"));
    QRegularExpressionMatch match = note.match(panel->storeNote());
    QVERIFY2(match.hasMatch(), qPrintable(panel->storeNote()));
    QCOMPARE(match.captured(1), QStringLiteral("2"));
    const double kilobytes = match.captured(2).toDouble();
    QVERIFY2(kilobytes * 1000 + 50 >= QFileInfo(s.path).size(), qPrintable(panel->storeNote()));
    QCOMPARE(panel->selectedRun(), s.run);
    QAction* remove = panel->deleteAction();
    QVERIFY(remove->isEnabled());
    QCOMPARE(remove->text(), QStringLiteral("Delete run %1…").arg(s.run));
    QCOMPARE(remove->shortcut(), QKeySequence(QKeySequence::Delete));
    QVERIFY(panel->table()->actions().contains(remove));  // its context menu
    QCOMPARE(panel->table()->contextMenuPolicy(), Qt::ActionsContextMenu);

    // Asked first; Cancel keeps it.
    remove->trigger();
    QMessageBox* box = confirmation(panel);
    QVERIFY(box);
    QVERIFY2(
        box->text().startsWith(
            QStringLiteral("Run %1 (4 networks, 1 of 1 epochs, finished) is removed").arg(s.run)),
        qPrintable(box->text()));
    QVERIFY(!box->text().contains(QStringLiteral("sweep")));
    QCOMPARE(box->defaultButton(), box->button(QMessageBox::Cancel));
    box->button(QMessageBox::Cancel)->click();
    QCOMPARE(page.runsModel()->rowCount(), 2);
    QVERIFY(page.currentRun());

    // Delete removes it from the store and from the view.
    QSignalSpy deleted(&page, &EnsemblePage::runDeleted);
    QSignalSpy said(&page, &EnsemblePage::statusMessage);
    remove->trigger();
    box = confirmation(panel);
    QVERIFY(box);
    buttonWithRole(box, QMessageBox::DestructiveRole)->click();
    QCOMPARE(deleted.size(), 1);
    QCOMPARE(deleted[0][0].toLongLong(), s.run);
    QCOMPARE(said.last()[0].toString(), QStringLiteral("Deleted run %1").arg(s.run));
    QVERIFY(!page.currentRun());
    QCOMPARE(page.runsModel()->rowCount(), 1);
    QCOMPARE(page.runsModel()->runAt(0), sweepRun);
    match = note.match(panel->storeNote());
    QVERIFY2(match.hasMatch() && match.captured(1) == QStringLiteral("1"),
             qPrintable(panel->storeNote()));
    {
      cs::Store store(s.path.toStdString(), cs::StoreAccess::ReadOnly);
      QCOMPARE(store.list_runs().size(), size_t(1));
    }

    // A sweep's run: its sweep trains that configuration again.
    panel->selectRun(sweepRun);
    remove->trigger();
    box = confirmation(panel);
    QVERIFY(box);
    QVERIFY2(box->text().contains(QStringLiteral(
                 "It is configuration 0 of sweep 1, which trains that configuration again")),
             qPrintable(box->text()));
    box->button(QMessageBox::Cancel)->click();
  }

  void aRunBeingTrainedIsNotDeleted() {
    StoredHandBuilt s;
    cs::Store other(s.path.toStdString());  // another process, as the run locks see it
    const qint64 running = other.begin_run(other.load_run_info(s.run).setup);
    EnsemblePage page;
    QVERIFY(ensemble_testing::openShown(page, s, QSize(1366, 768)));
    QCOMPARE(page.runsModel()->rowCount(), 2);
    page.runsPanel()->selectRun(running);
    QVERIFY(!page.runsPanel()->deleteAction()->isEnabled());
    page.deleteRun(running);  // as if the list were out of date
    QCOMPARE(page.runsModel()->rowCount(), 2);
    const QList<QMessageBox*> errors = page.findChildren<QMessageBox*>();
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors[0]->text().contains(QStringLiteral("is being trained")),
             qPrintable(errors[0]->text()));
    QCOMPARE(other.list_runs().size(), size_t(2));
  }

  // A store made before deletions gave their space back keeps it: the status says how to get it.
  void anOlderStoreSaysItKeepsTheSpace() {
    StoredHandBuilt s;
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(qPrintable(s.path), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, "PRAGMA auto_vacuum = NONE; VACUUM", nullptr, nullptr, nullptr),
             SQLITE_OK);
    sqlite3_close(db);
    EnsemblePage page;
    QVERIFY(ensemble_testing::openShown(page, s, QSize(1366, 768)));
    QSignalSpy said(&page, &EnsemblePage::statusMessage);
    page.deleteRun(s.run);
    QCOMPARE(said.last()[0].toString(),
             QStringLiteral("Deleted run %1; the store keeps its space for later runs "
                            "(convscope-cli runs --compact gives it back)")
                 .arg(s.run));
  }

  // Deleted elsewhere (with its sweep in the Sweep view, or by another process): the view shown
  // goes with it at the next refresh instead of showing a run that is gone.
  void aRunDeletedElsewhereLeavesTheView() {
    StoredHandBuilt s;
    EnsemblePage page;
    QVERIFY(ensemble_testing::openShown(page, s, QSize(1366, 768)));
    QVERIFY(page.currentRun());
    page.refreshRuns();  // still there: still shown
    QVERIFY(page.currentRun());
    {
      cs::Store other(s.path.toStdString());
      QVERIFY(other.delete_run(s.run));
    }
    page.refreshRuns();
    QVERIFY(!page.currentRun());
    QCOMPARE(page.runsModel()->rowCount(), 0);
    QCOMPARE(page.runsPanel()->selectedRun(), -1);
  }
};

QTEST_MAIN(TestDeleteRun)
#include "test_delete_run.moc"
