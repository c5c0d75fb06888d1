// The Ensemble page: opens stored runs (no retraining), shows the selected image's per-network
// predictions and the vote's calibration, finds the validation images and says when they differ,
// keeps its state while hidden, and the time to open and sort a stored 50-network run over 10,000
// images (printed, not asserted). Training from the page: test_ensemble_training; filtering its
// table: test_ensemble_filters.
#include <QComboBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cmath>

#include "ensemble/ensemble_page.h"
#include "ensemble/ensemble_run.h"
#include "ensemble/ensemble_summary.h"
#include "ensemble/image_detail_panel.h"
#include "ensemble/misclassification_filter_model.h"
#include "ensemble/misclassification_model.h"
#include "ensemble/misclassification_panel.h"
#include "ensemble/net_predictions_model.h"
#include "ensemble/runs_model.h"
#include "ensemble/runs_panel.h"
#include "ensemble/top_prediction_delegate.h"
#include "ensemble_test_data.h"
#include "predictions/calibration_model.h"
#include "predictions/calibration_view.h"
#include "predictions/confusion_matrix_model.h"
#include "test_data.h"
#include "widgets/elided_label.h"

using namespace ensemble_testing;

namespace {

DatasetPtr pairWith(const cs::Dataset& val) {
  return std::make_shared<const cs::DatasetPair>(cs::DatasetPair{val.head(1), val});
}

void closeMessageBoxes(QWidget* parent) {
  for (QMessageBox* box : parent->findChildren<QMessageBox*>()) box->close();
}

}  // namespace

class TestEnsemblePage : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { Q_INIT_RESOURCE(convscope); }

  void opensAStoredRunFromTheList() {
    StoredHandBuilt s;
    EnsemblePage page;
    page.setStorePath(s.path);
    QCOMPARE(page.runsModel()->rowCount(), 1);
    QVERIFY(!page.currentRun());
    QSignalSpy opened(&page, &EnsemblePage::runOpened);
    QTableView* runs = page.runsPanel()->table();
    runs->setCurrentIndex(page.runsModel()->index(0, 0));  // as a click would
    QCOMPARE(opened.count(), 1);
    QCOMPARE(page.currentRun()->info().id, s.run);
    QCOMPARE(page.filterModel()->rowCount(), 7);
    QCOMPARE(page.table()->currentImage(), 2);  // the top row: most often wrong
    QCOMPARE(page.detail()->image(), 2);
    QCOMPARE(page.detail()->model()->rowCount(), 4);
    QCOMPARE(page.summary()->meanText(), QStringLiteral("57.14% ± 16.50"));  // 5 3 3 5 of 7
    QCOMPARE(page.summary()->voteText(),
             QStringLiteral("71.43%"));  // 5 of 7: images 2 and 4 out-voted
    QCOMPARE(page.confusionModel()->rowCount(), 10);
    // The vote's calibration: every image, right as often as the vote; the networks' beside it.
    const cs::Calibration& vote = page.calibrationModel()->calibration();
    QCOMPARE(vote.count, 7);
    QCOMPARE(vote.right, 5);
    QCOMPARE(page.currentRun()->calibration().net_ece.size(), size_t(4));
    const QString note = page.calibrationView()->note();
    QVERIFY2(note.startsWith(QStringLiteral("ECE ")) &&
                 note.contains(QStringLiteral("\nThe vote of 4 networks (")) &&
                 note.contains(QStringLiteral("A network alone: ECE ")),
             qPrintable(note));
  }

  // A run whose networks' outputs all overflowed (no top-1 probability is a number): no network
  // alone has a calibration, said so, not an ECE of 0.
  void overflowedOutputsHaveNoCalibration() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("runs.db"));
    const HandBuilt h = handBuilt();
    cs::EvalResult eval = h.eval;
    std::fill(eval.top_probs.begin(), eval.top_probs.end(), std::nanf(""));
    {
      cs::Store store(path.toStdString());
      storeRun(store, eval, validationSet(h.labels, "sha-of-val"));
    }
    EnsemblePage page;
    page.setStorePath(path);
    page.runsPanel()->table()->setCurrentIndex(page.runsModel()->index(0, 0));
    QVERIFY(page.currentRun());
    QVERIFY(std::isnan(page.currentRun()->calibration().mean_net_ece));
    const QString note = page.calibrationView()->note();
    QVERIFY2(note.endsWith(QStringLiteral(" A network alone: none, no network's top-1 probability "
                                          "is a number in [0, 1].")),
             qPrintable(note));
    QVERIFY2(!note.contains(QStringLiteral("A network alone: ECE")), qPrintable(note));
  }

  void showingThePageOpensTheNewestRun() {
    StoredHandBuilt s;
    qint64 newer = 0;
    {
      cs::Store store(s.path.toStdString());
      newer = storeRun(store, s.h.eval, s.val);
    }
    EnsemblePage page;
    page.setStorePath(s.path);
    QVERIFY(!page.currentRun());
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QCOMPARE(page.currentRun()->info().id, newer);
    QVERIFY(page.openRun(s.run));  // the user's choice stays when shown again
    page.hide();
    page.show();
    QCOMPARE(page.currentRun()->info().id, s.run);
  }

  void summarySaysWhenARunIsNotLearning() {
    StoredHandBuilt s;
    qint64 stuck = 0;
    {
      cs::Store store(s.path.toStdString());
      stuck = storeRun(store, s.h.eval, s.val, "all 3 networks are not learning after 938 steps");
    }
    EnsemblePage page;
    page.setStorePath(s.path);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    const auto* warning = page.findChild<ElidedLabel*>(QStringLiteral("issue"));
    QVERIFY(page.openRun(stuck));
    QVERIFY(warning && warning->isVisible());
    QCOMPARE(warning->text(), QStringLiteral("All 3 networks are not learning after 938 steps."));
    QVERIFY(page.openRun(s.run));  // a run without a warning hides it
    QVERIFY(!warning->isVisible());
  }

  void selectingARowShowsItsPredictions() {
    StoredHandBuilt s;
    EnsemblePage page;
    QVERIFY(openStored(page, s));
    QVERIFY(page.table()->selectImage(4));
    QCOMPARE(page.detail()->image(), 4);
    const NetPredictionsModel* nets = page.detail()->model();
    QCOMPARE(nets->index(1, NetPredictionsModel::Top1Column)
                 .data(NetPredictionsModel::LabelRole)
                 .toInt(),
             5);
    QVERIFY(page.detail()->captionText().contains(QStringLiteral("<b>3</b> of 4")));
  }

  void classNamesOfTheRunsDataset() {
    HandBuilt h = handBuilt();
    const cs::Dataset val = validationSet(h.labels, "sha-of-val", "fashion-mnist/test");
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("runs.db"));
    qint64 run = 0;
    {
      cs::Store store(path.toStdString());
      run = storeRun(store, h.eval, val);
    }
    EnsemblePage page;
    page.setStorePath(path);
    QVERIFY(page.openRun(run));
    QCOMPARE(page.confusionModel()->headerData(9, Qt::Vertical).toString(),
             QStringLiteral("Ankle boot"));
    // Image 2 is a 7 (Sneaker) that three networks take for a 2 (Pullover).
    const MisclassificationModel* model = page.misclassificationModel();
    QCOMPARE(model->index(2, MisclassificationModel::TrueLabelColumn).data().toString(),
             QStringLiteral("Sneaker"));
    QCOMPARE(model->index(2, MisclassificationModel::CommonWrongColumn).data().toString(),
             QStringLiteral("Pullover"));
    auto* trueLabel = page.table()->findChild<QComboBox*>();
    QCOMPARE(trueLabel->itemText(1 + 3), QStringLiteral("Dress"));
    closeMessageBoxes(&page);
  }

  void detailTableKeepsRowsOnSmallScreens() {
    StoredHandBuilt s;
    EnsemblePage page;
    page.rememberDataset(pairWith(s.val));  // with pictures
    // The page's room in the window at 1366×768, then at 1920×1080.
    QVERIFY(openShown(page, s, QSize(1366, 650)));
    QVERIFY(page.table()->selectImage(4));
    QTest::qWait(20);
    const ImageDetailPanel* detail = page.detail();
    const QTableView* nets = detail->table();
    const int rows = nets->viewport()->height() / nets->verticalHeader()->defaultSectionSize();
    QVERIFY2(rows >= 4, qPrintable(QStringLiteral("room for %1 rows of networks").arg(rows)));
    QVERIFY(detail->imageSide() >= ImageDetailPanel::kMinImageSize);
    QVERIFY(detail->imageSide() < ImageDetailPanel::kImageSize);
    page.resize(1920, 960);
    QTest::qWait(20);
    QCOMPARE(detail->imageSide(), ImageDetailPanel::kImageSize);
  }

  // Every header whole; the top-3 columns with their probabilities, or the top 2 where three
  // would not have room for them (the page at 1280×720).
  void detailTableColumnsFitTheirContents() {
    StoredHandBuilt s;
    EnsemblePage page;
    page.rememberDataset(pairWith(s.val));
    QVERIFY(openShown(page, s, QSize(1280, 600)));
    QVERIFY(page.table()->selectImage(4));
    const QTableView* nets = page.detail()->table();
    const QHeaderView* header = nets->horizontalHeader();
    for (const QSize size : {QSize(1280, 600), QSize(1366, 650), QSize(1920, 960)}) {
      page.resize(size);
      QTest::qWait(20);
      const int full = TopPredictionDelegate::fullWidth(nets->font());
      using N = NetPredictionsModel;
      const bool three = !nets->isColumnHidden(N::Top3Column);
      QVERIFY(!nets->isColumnHidden(N::Top1Column) && !nets->isColumnHidden(N::Top2Column));
      for (int c = 0; c < N::ColumnCount; ++c) {
        if (nets->isColumnHidden(c)) continue;
        const QString title = nets->model()->headerData(c, Qt::Horizontal).toString();
        QVERIFY2(header->sectionSize(c) >= header->fontMetrics().horizontalAdvance(title),
                 qPrintable(QStringLiteral("%1 at %2 px: %3 px")
                                .arg(title)
                                .arg(size.width())
                                .arg(header->sectionSize(c))));
      }
      if (three) {
        QVERIFY2(header->sectionSize(N::Top3Column) >= full,
                 qPrintable(QStringLiteral("3rd at %1: %2 px of %3")
                                .arg(size.width())
                                .arg(header->sectionSize(N::Top3Column))
                                .arg(full)));
      }
      // Three columns at 1366 and wider; two at 1280, where three would lack room.
      QCOMPARE(three, size.width() >= 1366);
    }
  }

  void longRunTextsDoNotWidenThePage() {
    EnsembleSummary summary;
    summary.setRun(nullptr);
    const int empty = summary.minimumSizeHint().width();
    const std::vector<uint8_t> labels(10000, 3);  // counts in the thousands
    cs::StoredRun stored;
    stored.info.id = 12345;
    stored.info.epochs_done = 1;
    stored.info.setup.val_labels = labels;
    stored.info.setup.group.spec = cs::NetworkSpec::parse(
        "c3x32:relu:same-c3x32:relu:same-m2-c3x64:relu:same-c3x64:relu:same-m2-d256:relu-d10",
        {1, 28, 28}, 10);
    stored.info.setup.group.seeds.assign(50, 1);
    stored.info.setup.backend = {"cuda", "NVIDIA H200 (139 GiB), CUDA 13.0, cuDNN 9.13, graphs on"};
    stored.eval = randomEval(50, labels, 0.5, 3);
    summary.setRun(
        std::make_shared<const EnsembleRun>(std::move(stored), nullptr, QString(), false));
    QVERIFY(summary.findChild<ElidedLabel*>(QStringLiteral("runTitle"))->text().contains("c3x32"));
    // The summary above the page's panels leaves them room on a 1366-wide screen (the run list
    // beside it takes about 370 px).
    const int least = summary.minimumSizeHint().width();
    QVERIFY2(
        least <= std::max(empty, 880),
        qPrintable(QStringLiteral("%1 px wide with the run, %2 without").arg(least).arg(empty)));
  }

  void validationImagesAreFoundAndChecked() {
    StoredHandBuilt s;
    EnsemblePage page;
    QVERIFY(openStored(page, s));  // "synthetic/test" names no folder and nothing is known
    QVERIFY(!page.currentRun()->images());
    QVERIFY(page.summary()->imagesNote().startsWith(QStringLiteral("No validation images")));

    cs::Dataset other = s.val;
    other.sha256 = "another-checksum";
    page.rememberDataset(pairWith(other));
    QVERIFY(page.openRun(s.run));
    QVERIFY(page.currentRun()->images());
    QVERIFY(page.currentRun()->imagesWarning());
    QVERIFY(page.summary()->imagesNote().contains(QStringLiteral("differs")));

    page.rememberDataset(pairWith(s.val));  // the very set: preferred, no warning
    QVERIFY(page.openRun(s.run));
    QVERIFY(!page.currentRun()->imagesWarning());
    QVERIFY(page.summary()->imagesNote().contains(QStringLiteral("matches")));
    const QModelIndex thumb =
        page.misclassificationModel()->index(2, MisclassificationModel::ImageColumn);
    const QImage image = thumb.data(Qt::DecorationRole).value<QImage>();
    QCOMPARE(image.size(), QSize(28, 28));
    QCOMPARE(image.pixelColor(5, 3).red(), int(s.val.image(2)[3 * 28 + 5]));
  }

  void missingRunsAreReported() {
    StoredHandBuilt s;
    EnsemblePage page;
    QVERIFY(openStored(page, s));
    QVERIFY(!page.openRun(s.run + 41));
    QCOMPARE(page.currentRun()->info().id, s.run);  // the shown run stays
    QCOMPARE(page.findChildren<QMessageBox*>().size(), 1);
    closeMessageBoxes(&page);
  }

  void keepsItsStateWhileHidden() {
    StoredHandBuilt s;
    QTabWidget tabs;
    auto* page = new EnsemblePage;
    tabs.addTab(new QWidget, QStringLiteral("Live"));
    tabs.addTab(page, QStringLiteral("Ensemble"));
    page->setStorePath(s.path);
    tabs.setCurrentIndex(1);
    tabs.show();
    QVERIFY(page->openRun(s.run));
    page->filterModel()->setMinimumWrong(1);
    QVERIFY(page->table()->selectImage(6));
    tabs.setCurrentIndex(0);
    QVERIFY(!page->isVisible());
    tabs.setCurrentIndex(1);
    QCOMPARE(page->currentRun()->info().id, s.run);
    QCOMPARE(page->table()->currentImage(), 6);
    QCOMPARE(page->detail()->image(), 6);
    QCOMPARE(page->filterModel()->rowCount(), 5);
    QCOMPARE(page->runsPanel()->selectedRun(), s.run);
  }

  void opensAndSortsFiftyNetworksQuickly() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("runs.db"));
    std::vector<uint8_t> labels(10000);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = uint8_t((i * 7) % 10);
    const cs::Dataset val = validationSet(labels, "fifty");
    qint64 run = 0;
    {
      cs::Store store(path.toStdString());
      run = storeRun(store, randomEval(50, labels, 0.985, 11), val);
    }
    EnsemblePage page;
    page.resize(1600, 1000);
    page.setStorePath(path);
    page.rememberDataset(pairWith(val));
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));

    QElapsedTimer clock;
    clock.start();
    QVERIFY(page.openRun(run));
    const qint64 openMs = clock.elapsed();
    MisclassificationFilterModel* proxy = page.filterModel();
    QCOMPARE(proxy->rowCount(), 10000);
    clock.restart();
    proxy->sort(MisclassificationModel::MeanTrueProbColumn, Qt::AscendingOrder);
    const qint64 sortMs = clock.elapsed();
    clock.restart();
    proxy->sort(MisclassificationModel::WrongColumn, Qt::DescendingOrder);
    const qint64 resortMs = clock.elapsed();
    qInfo(
        "50 nets x 10,000 images: open (load_run + statistics + models + default sort) %lld ms; "
        "sort by mean p(true) %lld ms; back to wrong count %lld ms; total %lld ms",
        openMs, sortMs, resortMs, openMs + sortMs + resortMs);
    const std::vector<int> ranking = page.currentRun()->stats().ranking;
    QCOMPARE(proxyOrder(*proxy), ranking);
  }
};

QTEST_MAIN(TestEnsemblePage)
#include "test_ensemble_page.moc"
