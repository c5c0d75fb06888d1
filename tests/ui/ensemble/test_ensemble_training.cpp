// Training an ensemble from the Ensemble page: the Train ensemble dialog builds the group and
// remembers the last choice, a tiny ensemble trains into the page's store and opens (shown as it
// trains, epoch by epoch), and a store that cannot be written is reported with the page ready to
// train again.
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "ensemble/ensemble_page.h"
#include "ensemble/ensemble_run.h"
#include "ensemble/ensemble_train_dialog.h"
#include "ensemble/misclassification_filter_model.h"
#include "ensemble/misclassification_panel.h"
#include "ensemble/runs_model.h"
#include "ensemble/runs_panel.h"
#include "ensemble_test_data.h"
#include "test_data.h"

using ensemble_testing::tinyRequest;

class TestEnsembleTraining : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { Q_INIT_RESOURCE(convscope); }

  void trainDialogBuildsTheGroup() {
    testing_data::resetSettings();
    cs::TrainConfig base;
    base.group.seeds = {7};
    base.group.batch_size = 32;
    base.epochs = 4;
    base.patience = 2;     // the live run's early stopping does not go with the group
    base.eval_every = 50;  // nor do its passes between epoch ends: 50 networks' each time
    EnsembleTrainDialog dialog(base, testing_data::smallDataset(300, 100));
    QCOMPARE(dialog.nets(), 50);
    QCOMPARE(dialog.epochs(), 4);
    dialog.setNets(5);
    dialog.setPerNetShuffle(true);
    dialog.setTrainLimit(200);
    const cs::TrainConfig cfg = dialog.config();
    QCOMPARE(cfg.group.seeds, (std::vector<uint64_t>{7, 8, 9, 10, 11}));
    QVERIFY(cfg.group.per_net_shuffle);
    QCOMPARE(cfg.group.batch_size, 32);
    QCOMPARE(cfg.epochs, 4);
    QCOMPARE(cfg.patience, 0);
    QCOMPARE(cfg.eval_every, 0);
    QCOMPARE(dialog.trainLimit(), 200);
    const QString summary = dialog.findChild<QLabel*>(QStringLiteral("note"))->text();
    QVERIFY2(
        summary.startsWith(QStringLiteral("5 networks × 200 images × 4 epochs = 4,000 samples")),
        qPrintable(summary));
    dialog.setNets(1000);
    dialog.setTrainLimit(0);
    QVERIFY2(dialog.findChild<QLabel*>(QStringLiteral("note"))
                 ->text()
                 .startsWith(QStringLiteral("1,000 networks × 300 images × 4 epochs = 1.2 M")),
             qPrintable(dialog.findChild<QLabel*>(QStringLiteral("note"))->text()));
    QVERIFY(!dialog.findChild<QLabel*>(QStringLiteral("note"))->text().contains("Learning rate"));
    QCOMPARE(ensemble_testing::formValue(dialog, QStringLiteral("Batch size")),
             QStringLiteral("32"));
    QCOMPARE(ensemble_testing::formValue(dialog, QStringLiteral("Random shift")),
             QStringLiteral("none"));
    QCOMPARE(cfg.group.augment_shift, 0);

    // A learning-rate schedule goes with the group, and the summary says its rates: halved after
    // 2 of the 4 epochs of 10 steps.
    base.group.optimizer.lr = 0.01f;
    base.group.optimizer.schedule = cs::LrSchedule::parse("step:2:0.5");
    EnsembleTrainDialog scheduled(base, testing_data::smallDataset(300, 100));
    QCOMPARE(scheduled.config().group.optimizer.schedule, base.group.optimizer.schedule);
    const QString rates = scheduled.findChild<QLabel*>(QStringLiteral("note"))->text();
    QVERIFY2(rates.endsWith(QStringLiteral(
                 " Learning rate: 0.01 at the first step → 0.005 at the last (epoch 4).")),
             qPrintable(rates));

    // So does the random shift (the live view's Advanced ▸ Random shift), shown with the batch.
    base.group.augment_shift = 2;
    EnsembleTrainDialog shifted(base, testing_data::smallDataset(300, 100));
    shifted.setNets(3);
    QCOMPARE(shifted.config().group.augment_shift, 2);
    QCOMPARE(ensemble_testing::formValue(shifted, QStringLiteral("Random shift")),
             QStringLiteral("±2 px"));
  }

  void trainDialogRemembersTheLastEnsemble() {
    testing_data::resetSettings();
    cs::TrainConfig base;
    base.epochs = 4;
    const DatasetPtr data = testing_data::smallDataset(300, 100);
    {
      EnsembleTrainDialog cancelled(base, data);
      cancelled.setNets(7);
      cancelled.reject();
    }
    {
      EnsembleTrainDialog first(base, data);
      QCOMPARE(first.nets(), EnsembleTrainDialog::kDefaultNets);  // a cancelled choice is not kept
      first.setNets(12);
      first.setTrainLimit(250);
      first.setPerNetShuffle(true);
      first.accept();
    }
    base.epochs = 9;  // the live view's epochs changed meanwhile
    EnsembleTrainDialog again(base, data);
    QCOMPARE(again.nets(), 12);
    QCOMPARE(again.epochs(), 4);
    QCOMPARE(again.trainLimit(), 250);
    QVERIFY(again.perNetShuffle());
    EnsembleTrainDialog fewer(base, testing_data::smallDataset(200, 100));
    QCOMPARE(fewer.trainLimit(), 0);  // 250 of 200 images: all of them
  }

  void trainsATinyEnsembleAndOpensIt() {
    QTemporaryDir dir;
    EnsemblePage page;
    page.setStorePath(dir.filePath(QStringLiteral("runs.db")));
    const EnsembleRequest request = tinyRequest(1, {1, 2, 3});
    QSignalSpy opened(&page, &EnsemblePage::runOpened);
    QSignalSpy finished(&page, &EnsemblePage::trainingFinished);
    page.startTraining(request);
    QVERIFY(page.isTraining());
    QVERIFY(!page.runsPanel()->trainButton()->isEnabled());
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished[0][1].toBool(), false);
    QVERIFY(!page.isTraining());
    QVERIFY(page.runsPanel()->trainButton()->isEnabled());
    QCOMPARE(opened.size(), 3);  // as it began, with its epoch, and at its end
    QCOMPARE(page.runsModel()->rowCount(), 1);
    // The list shows the end without a Refresh.
    QCOMPARE(page.runsModel()->index(0, RunsModel::StatusColumn).data().toString(),
             QStringLiteral("finished"));
    QCOMPARE(page.runsModel()->index(0, RunsModel::EpochsColumn).data().toString(),
             QStringLiteral("1/1"));
    const EnsembleRunPtr& run = page.currentRun();
    QCOMPARE(run->nets(), 3);
    QCOMPARE(run->info().status, cs::RunStatus::Finished);
    QCOMPARE(page.filterModel()->rowCount(), 200);
    QVERIFY(run->images());  // the training data's test set was remembered
    QVERIFY(!run->imagesWarning());
    QCOMPARE(page.runsPanel()->selectedRun(), run->info().id);
    // The last report, in the (now hidden) progress box: the weights, after all the steps.
    QCOMPARE(page.runsPanel()->progressText(), QStringLiteral("Saving the weights of 3 networks…"));
    QCOMPARE(page.runsPanel()->progressBar()->value(), page.runsPanel()->progressBar()->maximum());
  }

  // A run trained into another store than the page shows (a run there has the same id as one
  // here) changes nothing here: neither the list's row of that id nor the run shown. The page's
  // store given another way ("./here.db") is the same store: its run is shown.
  void aRunOfAnotherStoreLeavesThisOneAlone() {
    QTemporaryDir dir;
    const QString here = dir.filePath(QStringLiteral("here.db")),
                  there = dir.filePath(QStringLiteral("there.db"));
    EnsemblePage page;
    page.setStorePath(here);
    EnsembleRequest first = tinyRequest(1, {1, 2});
    first.storePath = dir.path() + QStringLiteral("/./here.db");  // this store, named otherwise
    QSignalSpy finished(&page, &EnsemblePage::trainingFinished);
    page.startTraining(first);
    QVERIFY(finished.wait(120000));
    QVERIFY(page.currentRun());
    QCOMPARE(page.currentRun()->info().id, 1);
    page.setStorePath(here);  // the same store: nothing changes
    QCOMPARE(page.currentRun()->info().id, 1);
    EnsembleRequest other = tinyRequest(2, {3, 4, 5});
    other.storePath = there;  // its first run: 1 too
    QSignalSpy opened(&page, &EnsemblePage::runOpened);
    page.startTraining(other);
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.size(), 2);
    QCOMPARE(opened.size(), 0);
    QCOMPARE(page.currentRun()->nets(), 2);
    QCOMPARE(page.runsModel()->rowCount(), 1);
    QCOMPARE(page.runsModel()->index(0, RunsModel::EpochsColumn).data().toString(),
             QStringLiteral("1/1"));
  }

  // The run is shown as it trains: opened as it begins and again as each epoch is recorded, with
  // the image looked at still selected.
  void theRunIsShownAsItTrains() {
    QTemporaryDir dir;
    EnsemblePage page;
    page.setStorePath(dir.filePath(QStringLiteral("runs.db")));
    const EnsembleRequest request = tinyRequest(3, {1, 2});
    QSignalSpy finished(&page, &EnsemblePage::trainingFinished);
    struct Seen {
      qint64 run;
      int epochs;
      int image;
    };
    std::vector<Seen> seen;  // the page as each recorded epoch is reported
    connect(&page, &EnsemblePage::statusMessage, this, [&](const QString& text) {
      if (!text.contains(QStringLiteral(" recorded"))) return;
      const EnsembleRunPtr& run = page.currentRun();
      seen.push_back({run ? run->info().id : -1, run ? run->info().epochs_done : 0,
                      page.table()->currentImage()});
      if (seen.size() == 1) QVERIFY(page.table()->selectImage(7));
    });
    page.startTraining(request);
    QVERIFY(finished.wait(120000));
    const qint64 run = finished[0][0].toLongLong();
    QCOMPARE(seen.size(), size_t(3));
    for (size_t e = 0; e < seen.size(); ++e) {
      QCOMPARE(seen[e].run, run);  // shown before the training ended
      QVERIFY(seen[e].epochs >= int(e) + 1);
    }
    QCOMPARE(seen[1].image, 7);  // kept through the reopening
    QCOMPARE(seen[2].image, 7);
    QCOMPARE(page.table()->currentImage(), 7);
  }

  void trainingErrorsAreShownAndTheRunsKept() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("junk.db"));
    QFile junk(path);
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(4096, 'x'));
    junk.close();
    EnsemblePage page;
    EnsembleRequest request;
    request.data = testing_data::smallDataset(64, 20);
    request.config = testing_data::smallRun(*request.data, 1).config;
    request.backend = cs::BackendChoice::Cpu;
    request.storePath = path;
    QSignalSpy failed(&page, &EnsemblePage::trainingFailed);
    page.startTraining(request);
    QVERIFY(failed.wait(60000));
    QVERIFY(!page.isTraining());
    QVERIFY(page.runsPanel()->trainButton()->isEnabled());
    const QList<QMessageBox*> boxes = page.findChildren<QMessageBox*>();
    QCOMPARE(boxes.size(), 1);
    QCOMPARE(boxes.front()->windowTitle(), QStringLiteral("Run store error"));
    for (QMessageBox* box : page.findChildren<QMessageBox*>()) box->close();
  }
};

QTEST_MAIN(TestEnsembleTraining)
#include "test_ensemble_training.moc"
