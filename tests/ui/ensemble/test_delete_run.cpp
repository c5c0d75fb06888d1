// Deleting a stored run from the Ensemble view: Delete run… (the run table's context menu and the
// Delete key) asks first; Cancel keeps the run, Delete removes it from the store and closes it
// where it was shown, and a sweep's run is said to be trained again by its sweep. A run being
// trained, here or by another process, cannot be deleted.
#include <QAction>
#include <QMessageBox>
#include <QPushButton>
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
    remove->trigger();
    box = confirmation(panel);
    QVERIFY(box);
    buttonWithRole(box, QMessageBox::DestructiveRole)->click();
    QCOMPARE(deleted.size(), 1);
    QCOMPARE(deleted[0][0].toLongLong(), s.run);
    QVERIFY(!page.currentRun());
    QCOMPARE(page.runsModel()->rowCount(), 1);
    QCOMPARE(page.runsModel()->runAt(0), sweepRun);
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
};

QTEST_MAIN(TestDeleteRun)
#include "test_delete_run.moc"
