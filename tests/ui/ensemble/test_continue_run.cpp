// Continuing a stopped ensemble run from the Ensemble page: Continue… is offered for a selected
// run that stopped after recording an epoch, asks for the epochs to add (the rest of those
// planned by default), trains the same run on and opens it; a run without a saved training state
// gets a message instead, and a sweep's run is left to its sweep. It takes the live view's data
// only when the run trained on it.
#include <QDir>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "convscope/dataset.h"
#include "convscope/store.h"
#include "ensemble/continue_run_dialog.h"
#include "ensemble/ensemble_page.h"
#include "ensemble/ensemble_summary.h"
#include "ensemble/runs_model.h"
#include "ensemble/runs_panel.h"
#include "ensemble_test_data.h"
#include "test_data.h"

namespace {

constexpr int kPlanned = 40;

// A tiny ensemble of `kPlanned` epochs, trained by `page` into its store and cancelled once its
// first epoch is recorded (the cancel reaches the worker a few steps later).
EnsembleRequest tinyRequest(const DatasetPtr& data) {
  return ensemble_testing::tinyRequest(kPlanned, {1, 2}, data);
}

// Trains tinyRequest(data) on `page` and cancels it once its first epoch is recorded: whether it
// ended (`finished`, the page's trainingFinished, saw it).
bool trainFirstEpoch(EnsemblePage& page, const DatasetPtr& data, QSignalSpy& finished) {
  const QMetaObject::Connection cancel =
      QObject::connect(&page, &EnsemblePage::statusMessage, &page, [&page](const QString& text) {
        if (text.contains(QStringLiteral("epoch 1 recorded"))) page.cancelTraining();
      });
  page.startTraining(tinyRequest(data));
  const bool ended = finished.wait(120000);
  QObject::disconnect(cancel);
  return ended;
}

}  // namespace

class TestContinueRun : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { Q_INIT_RESOURCE(convscope); }

  void aCancelledRunContinuesAsTheSameRun() {
    QTemporaryDir dir;
    EnsemblePage page;
    page.setStorePath(dir.filePath(QStringLiteral("runs.db")));
    RunsPanel* panel = page.runsPanel();
    const DatasetPtr data = testing_data::smallDataset(640, 200);
    QSignalSpy finished(&page, &EnsemblePage::trainingFinished);
    connect(&page, &EnsemblePage::statusMessage, &page, [&page](const QString& text) {
      if (text.contains(QStringLiteral("epoch 1 recorded"))) page.cancelTraining();
    });
    page.startTraining(tinyRequest(data));
    QVERIFY(!panel->continueButton()->isEnabled());  // while a run trains
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished[0][1].toBool(), true);
    const qint64 run = finished[0][0].toLongLong();
    const int done = page.currentRun()->info().epochs_done;
    QVERIFY(done >= 1 && done < kPlanned);

    // The cancelled run, opened and selected: Continue… asks the window for its data.
    QCOMPARE(panel->selectedRun(), run);
    QVERIFY(panel->continueButton()->isEnabled());
    QSignalSpy asked(&page, &EnsemblePage::continueRunRequested);
    panel->continueButton()->click();
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked[0][0].toLongLong(), run);

    page.showContinueDialog(run, data);
    auto* dialog = page.findChild<ContinueRunDialog*>();
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(dialog->moreEpochs(), kPlanned - done);  // the rest of those planned
    dialog->setMoreEpochs(2);
    QCOMPARE(dialog->config().epochs, done + 2);
    QCOMPARE(dialog->config().group.seeds, (std::vector<uint64_t>{1, 2}));
    QCOMPARE(dialog->backend(), cs::BackendChoice::Cpu);  // its own, not what Auto would pick
    dialog->accept();
    QVERIFY(page.isTraining());
    QVERIFY(!panel->continueButton()->isEnabled());
    // Not deleted while it is being continued (the store locks it only once its networks are
    // read): said, and the run trains on.
    page.deleteRun(run);
    const QList<QMessageBox*> refused = page.findChildren<QMessageBox*>();
    QCOMPARE(refused.size(), 1);
    QVERIFY2(refused.front()->text().contains(QStringLiteral("is being continued")),
             qPrintable(refused.front()->text()));
    delete refused.front();
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished[1][0].toLongLong(), run);
    QCOMPARE(finished[1][1].toBool(), false);
    QCOMPARE(page.runsModel()->rowCount(), 1);  // the same run, not a new one
    QCOMPARE(page.currentRun()->info().status, cs::RunStatus::Finished);
    QCOMPARE(page.currentRun()->info().epochs_done, done + 2);
    QCOMPARE(page.runsModel()->index(0, RunsModel::EpochsColumn).data().toString(),
             QStringLiteral("%1/%1").arg(done + 2));
    QVERIFY(panel->continueButton()->isEnabled());  // a finished run may train more
    // A finished run has no epochs left: one more by default.
    page.showContinueDialog(run, data);
    auto* again = page.findChildren<ContinueRunDialog*>().last();
    QCOMPARE(again->moreEpochs(), 1);
    again->reject();

    // The same run as a sweep's configuration: its sweep continues it, not this page.
    {
      cs::Store store(page.storePath().toStdString());
      store.set_sweep_run(store.begin_sweep("a sweep", {"a", "b", "c"}), 2, run);
    }
    EnsemblePage other;  // the store as the app finds it next
    other.setStorePath(page.storePath());
    RunsPanel* runs = other.runsPanel();
    runs->table()->setCurrentIndex(other.runsModel()->index(0, 0));
    QVERIFY(!runs->continueButton()->isEnabled());
    QVERIFY2(other.summary()->subtitle().endsWith(QStringLiteral(" · configuration 2 of sweep 1")),
             qPrintable(other.summary()->subtitle()));  // the run's header says whose it is
    QVERIFY2(runs->continueButton()->toolTip().contains(
                 QStringLiteral("configuration 2 of sweep 1 and is left to that sweep")),
             qPrintable(runs->continueButton()->toolTip()));
    other.showContinueDialog(run, data);  // asked all the same: the engine's reason, no dialog
    QVERIFY(!other.findChild<ContinueRunDialog*>());
    const QList<QMessageBox*> boxes = other.findChildren<QMessageBox*>();
    QCOMPARE(boxes.size(), 1);
    QVERIFY2(boxes.front()->text().contains(QStringLiteral("is left to that sweep")),
             qPrintable(boxes.front()->text()));
  }

  // Continue… trains on the live view's images when the run trained on them (both digests),
  // else on the run's own folder: the synthetic images' is nowhere, which is said before anything
  // trains.
  void theLiveDataIsTakenOnlyWhenTheRunTrainedOnIt() {
    QTemporaryDir dir, noMnist;
    qputenv("CONVSCOPE_DATA", noMnist.path().toUtf8());
    EnsemblePage page;
    page.setStorePath(dir.filePath(QStringLiteral("runs.db")));
    const DatasetPtr data = testing_data::smallDataset(640, 200);  // synthetic: no MNIST here
    qunsetenv("CONVSCOPE_DATA");
    QSignalSpy finished(&page, &EnsemblePage::trainingFinished);
    QVERIFY(trainFirstEpoch(page, data, finished));
    const qint64 run = finished[0][0].toLongLong();
    const int done = page.currentRun()->info().epochs_done;

    for (const char* field : {"train", "test"}) {  // another digest of either set
      auto other = std::make_shared<cs::DatasetPair>(*data);
      (std::string(field) == "train" ? other->train : other->test).sha256 = "other images";
      page.showContinueDialog(run, other);
      QVERIFY(page.findChildren<ContinueRunDialog*>().isEmpty());
      const QList<QMessageBox*> boxes = page.findChildren<QMessageBox*>();
      QVERIFY(!boxes.isEmpty());
      QVERIFY2(boxes.back()->text().contains(
                   QStringLiteral("trained on synthetic, which is not found here")),
               qPrintable(boxes.back()->text()));
      delete boxes.back();
    }
    QCOMPARE(page.currentRun()->info().epochs_done, done);

    page.showContinueDialog(run, data);
    auto* dialog = page.findChildren<ContinueRunDialog*>().last();
    QVERIFY(dialog->findChild<QLabel*>(QStringLiteral("data"))
                ->text()
                .endsWith(QStringLiteral("training images an epoch, the live view's dataset")));
    dialog->setMoreEpochs(1);
    dialog->accept();
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.last()[0].toLongLong(), run);
    QCOMPARE(finished.last()[1].toBool(), false);
    QCOMPARE(page.currentRun()->info().epochs_done, done + 1);
  }

  // A run trained on a folder named by its path (as the app, the command line and sweeps name one;
  // here MNIST's files linked into a folder of their own) continues from that folder, which the
  // worker loads, when the live view holds other data (or none): not from MNIST's (moved away
  // here).
  void theRunsOwnFolderIsLoadedWhenTheLiveDataIsNot() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("digits"));
    if (!testing_data::linkMnistInto(folder))
      QSKIP("MNIST is not fetched (scripts/fetch-mnist.sh)");
    const cs::DatasetPair full = cs::load_idx_folder(folder.toStdString(), folder.toStdString());
    const auto data =
        std::make_shared<const cs::DatasetPair>(cs::DatasetPair{full.train.head(640), full.test});
    EnsemblePage page;
    page.setStorePath(dir.filePath(QStringLiteral("runs.db")));
    QSignalSpy finished(&page, &EnsemblePage::trainingFinished);
    QSignalSpy failed(&page, &EnsemblePage::trainingFailed);
    QVERIFY(trainFirstEpoch(page, data, finished));
    const qint64 run = finished[0][0].toLongLong();
    const int done = page.currentRun()->info().epochs_done;
    QCOMPARE(page.currentRun()->info().setup.val_name, folder.toStdString() + "/test");

    QTemporaryDir noMnist;
    qputenv("CONVSCOPE_DATA", noMnist.path().toUtf8());
    page.showContinueDialog(run, nullptr);  // the live view holds no data
    auto* dialog = page.findChildren<ContinueRunDialog*>().last();
    QCOMPARE(dialog->findChild<QLabel*>(QStringLiteral("data"))->text(),
             QStringLiteral("%1/train, 640 training images an epoch, read from %2")
                 .arg(folder, QDir::toNativeSeparators(folder)));
    dialog->setMoreEpochs(1);
    dialog->accept();
    const bool ended =
        QTest::qWaitFor([&] { return finished.size() == 2 || !failed.isEmpty(); }, 120000);
    qunsetenv("CONVSCOPE_DATA");
    QVERIFY(ended);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed[0][1].toString()));
    QCOMPARE(finished.last()[0].toLongLong(), run);
    QCOMPARE(page.currentRun()->info().epochs_done, done + 1);
  }

  // The dialog says where the networks go on from: a recorded epoch's end, or inside the next
  // epoch where a stop on request left them.
  void theDialogSaysWhereTheRunGoesOnFrom() {
    cs::RunInfo info;
    info.id = 4;
    info.status = cs::RunStatus::Cancelled;
    info.epochs_done = 1;
    info.setup.epochs = 3;
    info.setup.group.seeds = {1, 2, 3};
    const auto summary = [](const ContinueRunDialog& dialog) {
      return dialog.findChild<QLabel*>(QStringLiteral("note"))->text();
    };
    ContinueRunDialog atEpochEnd(info, 60000, 0, {});
    QVERIFY2(summary(atEpochEnd)
                 .startsWith(QStringLiteral(
                     "Trains 3 networks from the end of epoch 1 to the end of epoch 3 ")),
             qPrintable(summary(atEpochEnd)));
    ContinueRunDialog inside(info, 60000, 22656, {});
    inside.setMoreEpochs(4);
    QVERIFY2(summary(inside).startsWith(QStringLiteral(
                 "Trains 3 networks from 22,656 images into epoch 2 to the end of epoch 5 ")),
             qPrintable(summary(inside)));
    const auto recorded = [](const ContinueRunDialog& dialog) {
      return dialog.findChild<QLabel*>(QStringLiteral("recorded"))->text();
    };
    QCOMPARE(recorded(inside),
             QStringLiteral("1 of 3 (cancelled); stopped 22,656 images into epoch 2, which goes on "
                            "from there"));
    info.status = cs::RunStatus::Interrupted;  // killed: where it last saved its place
    info.epochs_done = 0;
    ContinueRunDialog inFirst(info, 60000, 640, {});
    QCOMPARE(recorded(inFirst), QStringLiteral("0 of 3 (interrupted); saved 640 images into epoch "
                                               "1 before it was interrupted, and goes on from "
                                               "there"));
    QVERIFY2(summary(inFirst).startsWith(QStringLiteral(
                 "Trains 3 networks from 640 images into epoch 1 to the end of epoch 3 ")),
             qPrintable(summary(inFirst)));
    QVERIFY(!summary(inFirst).contains(QStringLiteral("Learning rate")));  // a constant rate
    // The run's random shift is shown with its batch size and goes on with the group.
    QCOMPARE(ensemble_testing::formValue(inFirst, QStringLiteral("Random shift")),
             QStringLiteral("none"));
    info.setup.group.augment_shift = 3;
    ContinueRunDialog shifted(info, 60000, 640, {});
    QCOMPARE(ensemble_testing::formValue(shifted, QStringLiteral("Random shift")),
             QStringLiteral("±3 px"));
    QCOMPARE(shifted.config().group.augment_shift, 3);

    // Under a schedule it says the rates to come: a cosine over 3 epochs of 938 steps, going on
    // at step 1293 (22,656 images into epoch 2), has come down to 0.564 of the rate and ends at 0.
    info.epochs_done = 1;
    info.setup.group.optimizer.schedule = cs::LrSchedule::parse("cosine:3");
    ContinueRunDialog scheduled(info, 60000, 22656, {});
    scheduled.setMoreEpochs(4);
    QVERIFY2(summary(scheduled).endsWith(QStringLiteral(
                 " Learning rate: 0.000564 at the next step → 0 at the last (epoch 5).")),
             qPrintable(summary(scheduled)));
  }

  void aRunWithoutATrainingStateIsReported() {
    ensemble_testing::StoredHandBuilt s;  // recorded by hand: weights and training state unsaved
    EnsemblePage page;
    page.setStorePath(s.path);
    page.runsPanel()->table()->setCurrentIndex(page.runsModel()->index(0, 0));
    QPushButton* button = page.runsPanel()->continueButton();
    QVERIFY(!button->isEnabled());  // finished with an epoch recorded, but no state to go on from
    QVERIFY2(button->toolTip().contains(QStringLiteral("cannot continue")),
             qPrintable(button->toolTip()));
    page.showContinueDialog(s.run, nullptr);  // asked all the same: a message, no dialog
    QVERIFY(!page.findChild<ContinueRunDialog*>());
    const QList<QMessageBox*> boxes = page.findChildren<QMessageBox*>();
    QCOMPARE(boxes.size(), 1);
    QCOMPARE(boxes.front()->windowTitle(), QStringLiteral("Run %1 cannot continue").arg(s.run));
    QVERIFY2(boxes.front()->text().contains(QStringLiteral("no saved training state")),
             qPrintable(boxes.front()->text()));
    QVERIFY(!page.isTraining());
  }
};

QTEST_MAIN(TestContinueRun)
#include "test_continue_run.moc"
