// The Ensemble page's filters of its table of images: a click on a confusion cell or header (or
// a class on the Each class chart) filters it, again clears it; Clear filters clears the cell's
// mark too, and a filter that leaves nothing says so with Clear filters; a minimum wrong count
// from a larger run is clamped, and the shown image stays while it passes the filters.
#include <QHeaderView>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <vector>

#include "ensemble/accuracy_charts.h"
#include "ensemble/ensemble_page.h"
#include "ensemble/image_detail_panel.h"
#include "ensemble/misclassification_filter_model.h"
#include "ensemble/misclassification_panel.h"
#include "ensemble_test_data.h"
#include "predictions/confusion_matrix_view.h"
#include "widgets/no_match_placeholder.h"

using namespace ensemble_testing;

class TestEnsembleFilters : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { Q_INIT_RESOURCE(convscope); }

  void confusionCellsFilterTheTable_data() {
    QTest::addColumn<int>("trueLabel");
    QTest::addColumn<int>("predicted");
    QTest::addColumn<std::vector<int>>("expected");
    QTest::newRow("5 taken for 6") << 5 << 6 << std::vector<int>{1};
    QTest::newRow("3 taken for 8") << 3 << 8 << std::vector<int>{4};
    QTest::newRow("7 taken for 2") << 7 << 2 << std::vector<int>{2};
    QTest::newRow("diagonal: all 3s") << 3 << 3 << std::vector<int>{4, 0};
  }

  void confusionCellsFilterTheTable() {
    QFETCH(int, trueLabel);
    QFETCH(int, predicted);
    QFETCH(std::vector<int>, expected);
    StoredHandBuilt s;
    EnsemblePage page;
    QVERIFY(openShown(page, s, QSize(1600, 1000)));
    ConfusionMatrixView* view = page.confusionView();
    const QPoint cell = view->visualRect(view->model()->index(trueLabel, predicted)).center();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cell);
    QCOMPARE(proxyOrder(*page.filterModel()), expected);
    QCOMPARE(page.table()->currentImage(), expected.front());       // a shown row is current
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cell);  // again: cleared
    QCOMPARE(page.filterModel()->rowCount(), 7);
    QVERIFY(!view->currentIndex().isValid());  // and no cell stays highlighted
    QVERIFY(!view->selectionModel()->hasSelection());
    page.filterByCell(trueLabel, predicted);
    QCOMPARE(proxyOrder(*page.filterModel()), expected);
    page.clearCellFilter();
    QCOMPARE(page.filterModel()->rowCount(), 7);
  }

  void aFilterFromALargerRunIsClamped() {
    StoredHandBuilt s;
    EnsemblePage page;
    page.setStorePath(s.path);
    page.filterModel()->setMinimumWrong(25);  // as a 50-network run left it
    QVERIFY(page.openRun(s.run));             // 4 networks
    QCOMPARE(page.filterModel()->minimumWrong(), 4);
    auto* spin = page.table()->findChild<QSpinBox*>();
    QVERIFY(spin);
    QCOMPARE(spin->maximum(), 4);
    QCOMPARE(spin->value(), 4);
    QCOMPARE(spin->text(), QStringLiteral("4 of 4 networks"));
    // No run (another store's first view), then this one again: the filter set is kept through
    // them, not worn down to the smallest run's.
    QTemporaryDir empty;
    page.setStorePath(empty.filePath(QStringLiteral("none.db")));
    QCOMPARE(page.filterModel()->minimumWrong(), 0);
    page.setStorePath(s.path);
    QVERIFY(page.openRun(s.run));
    QCOMPARE(page.filterModel()->minimumWrong(), 4);
    page.setStorePath(empty.filePath(QStringLiteral("none.db")));
    page.filterModel()->setLabels(7, -1);  // another filter, with no run: 25 is still wanted
    page.filterModel()->setLabels(-1, -1);
    page.setStorePath(s.path);
    QVERIFY(page.openRun(s.run));
    QCOMPARE(page.filterModel()->minimumWrong(), 4);
    spin->setValue(2);  // the user's own: kept from now on
    page.setStorePath(empty.filePath(QStringLiteral("none.db")));
    page.setStorePath(s.path);
    QVERIFY(page.openRun(s.run));
    QCOMPARE(page.filterModel()->minimumWrong(), 2);
    QCOMPARE(spin->text(), QStringLiteral("2 of 4 networks"));
  }

  void clearFiltersClearsTheCellMark() {
    StoredHandBuilt s;
    EnsemblePage page;
    QVERIFY(openStored(page, s));
    page.filterByCell(7, 2);
    QVERIFY(page.confusionView()->currentIndex().isValid());
    QToolButton* clear = nullptr;
    for (QToolButton* b : page.table()->findChildren<QToolButton*>())
      if (b->text() == QStringLiteral("Clear filters")) clear = b;
    QVERIFY(clear);
    clear->click();
    QCOMPARE(page.filterModel()->trueLabel(), -1);
    QCOMPARE(page.filterModel()->wrongLabel(), -1);
    QVERIFY(!page.confusionView()->currentIndex().isValid());
    QVERIFY(!page.confusionView()->selectionModel()->hasSelection());
    page.filterByCell(7, 2);  // the same cell again filters (it is not "clicked twice")
    QCOMPARE(page.filterModel()->rowCount(), 1);
  }

  void noMatchShowsClearFilters() {
    StoredHandBuilt s;
    EnsemblePage page;
    QVERIFY(openShown(page, s, QSize(1400, 900)));
    NoMatchPlaceholder* placeholder = page.table()->placeholder();
    QVERIFY(!placeholder->isVisible());
    page.filterByCell(5, 6);                 // image 1 only,
    page.filterModel()->setMinimumWrong(3);  // which is wrong in 2 of 4
    QCOMPARE(page.filterModel()->rowCount(), 0);
    QVERIFY(placeholder->isVisible());
    QTest::mouseClick(placeholder->clearButton(), Qt::LeftButton);
    QCOMPARE(page.filterModel()->rowCount(), 7);
    QVERIFY(!placeholder->isVisible());
    QVERIFY(!page.confusionView()->currentIndex().isValid());
  }

  void headersFilterTheTable() {
    StoredHandBuilt s;
    EnsemblePage page;
    QVERIFY(openShown(page, s, QSize(1400, 900)));
    QHeaderView* rows = page.confusionView()->verticalHeader();
    QTest::mouseClick(rows->viewport(), Qt::LeftButton, {},
                      QPoint(rows->width() / 2, rows->sectionViewportPosition(3) + 4));
    QCOMPARE(page.filterModel()->trueLabel(), 3);
    QCOMPARE(proxyOrder(*page.filterModel()), (std::vector<int>{4, 0}));
    QHeaderView* columns = page.confusionView()->horizontalHeader();
    QTest::mouseClick(columns->viewport(), Qt::LeftButton, {},
                      QPoint(columns->sectionViewportPosition(8) + 4, columns->height() / 2));
    QCOMPARE(page.filterModel()->trueLabel(), -1);
    QCOMPARE(page.filterModel()->wrongLabel(), 8);
    // A class's box on the Each class chart lists that class's images.
    Q_EMIT page.charts()->classActivated(3);
    QCOMPARE(page.filterModel()->trueLabel(), 3);
    QCOMPARE(page.filterModel()->wrongLabel(), -1);
    QCOMPARE(proxyOrder(*page.filterModel()), (std::vector<int>{4, 0}));
  }

  void filtersKeepTheShownImageWhenItPasses() {
    StoredHandBuilt s;
    EnsemblePage page;
    QVERIFY(openStored(page, s));
    QVERIFY(page.table()->selectImage(1));
    page.filterModel()->setMinimumWrong(2);  // image 1 (wrong twice) passes: it stays
    QCOMPARE(page.table()->currentImage(), 1);
    QCOMPARE(page.detail()->image(), 1);
    page.filterModel()->setTrueLabel(3);  // it does not: the top row, image 4
    QCOMPARE(page.table()->currentImage(), 4);
    QCOMPARE(page.detail()->image(), 4);
    page.filterModel()->setTrueLabel(0);  // image 6 is wrong twice
    QCOMPARE(page.table()->currentImage(), 6);
    page.filterModel()->setMinimumWrong(3);  // nothing left
    QCOMPARE(page.filterModel()->rowCount(), 0);
    QCOMPARE(page.table()->currentImage(), -1);
    QCOMPARE(page.detail()->image(), -1);
  }
};

QTEST_MAIN(TestEnsembleFilters)
#include "test_ensemble_filters.moc"
