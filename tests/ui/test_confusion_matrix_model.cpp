// The confusion matrix model fed with counts, as the Ensemble view feeds it: its cells as counts
// or each row's shares (under QAbstractItemModelTester), each class's precision, recall and F1 in
// the headers' tool tips and the CSV; and the empty matrix view, which says how to fill it.
#include <QAbstractItemModelTester>
#include <QColor>
#include <QHeaderView>
#include <QSignalSpy>
#include <QTest>
#include <QTextStream>
#include <cmath>
#include <stdexcept>

#include "predictions/confusion_matrix_model.h"
#include "predictions/confusion_matrix_view.h"

class TestConfusionMatrixModel : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void confusionMatrixFedWithCounts();
  void confusionMatrixReportsEachClass();
  void emptyConfusionMatrixSaysHowToFillIt();
};

void TestConfusionMatrixModel::confusionMatrixFedWithCounts() {
  ConfusionMatrixModel confusion;
  QAbstractItemModelTester tester(&confusion,
                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
  QVERIFY_THROWS_EXCEPTION(std::invalid_argument, confusion.setCounts(3, {1, 2, 3}));
  QCOMPARE(confusion.rowCount(), 0);  // a bad call changes nothing
  // Two networks over three images of two classes: 2 + 1 right 0s, one 1 taken for 0 twice.
  confusion.setCounts(2, {3, 1, 2, 0}, 2);
  QCOMPARE(confusion.rowCount(), 2);
  QCOMPARE(confusion.count(1, 0), 2LL);
  QCOMPARE(confusion.index(0, 0).data(ConfusionMatrixModel::RowShareRole).toDouble(), 0.75);
  QVERIFY(!confusion.index(1, 1).data().isValid());
  const QString tip = confusion.index(1, 0).data(Qt::ToolTipRole).toString();
  QVERIFY2(tip.contains(QStringLiteral("1.0 per network")), qPrintable(tip));
  // The wrong cell in the app's one wrong colour, the diagonal in its right colour.
  QCOMPARE(confusion.index(1, 0).data(Qt::BackgroundRole).value<QColor>().rgb(),
           QColor(0xd6, 0x45, 0x45).rgb());
  QCOMPARE(confusion.index(0, 0).data(Qt::BackgroundRole).value<QColor>().rgb(),
           QColor(0x2e, 0x9e, 0x4f).rgb());
  QSignalSpy named(&confusion, &QAbstractItemModel::dataChanged);
  confusion.setClassNames(ClassNames({QStringLiteral("cat"), QStringLiteral("dog")}));
  QCOMPARE(confusion.headerData(1, Qt::Horizontal).toString(), QStringLiteral("dog"));
  QCOMPARE(named.size(), 1);  // the cells' tool tips name the classes
  QCOMPARE(named.first().at(2).value<QList<int>>(), QList<int>({Qt::ToolTipRole}));
  QVERIFY(confusion.index(1, 0)
              .data(Qt::ToolTipRole)
              .toString()
              .startsWith(QStringLiteral("true dog → predicted cat")));
  // Each row's shares instead of the counts: the cells' text and the mix-ups' tints change.
  QCOMPARE(confusion.index(0, 0).data().toString(), QStringLiteral("3"));
  QSignalSpy changed(&confusion, &QAbstractItemModel::dataChanged);
  confusion.setCells(ConfusionMatrixModel::Cells::RowPercent);
  QCOMPARE(changed.size(), 1);
  QCOMPARE(changed.first().at(0).toModelIndex(), confusion.index(0, 0));
  QCOMPARE(changed.first().at(1).toModelIndex(), confusion.index(1, 1));
  QCOMPARE(changed.first().at(2).value<QList<int>>(),
           QList<int>({Qt::DisplayRole, Qt::BackgroundRole, Qt::ForegroundRole}));
  QCOMPARE(confusion.index(0, 0).data().toString(), QStringLiteral("75.0"));
  QCOMPARE(confusion.index(0, 1).data().toString(), QStringLiteral("25.0"));
  QCOMPARE(confusion.index(1, 0).data().toString(), QStringLiteral("100"));
  QVERIFY(!confusion.index(1, 1).data().isValid());
  QCOMPARE(confusion.index(1, 0).data(ConfusionMatrixModel::CountRole).toLongLong(), 2LL);
  QCOMPARE(ConfusionMatrixModel::percent(0.9714), QStringLiteral("97.1"));
  QCOMPARE(ConfusionMatrixModel::percent(0.99962), QStringLiteral("100"));
  QCOMPARE(ConfusionMatrixModel::percent(0.0004), QStringLiteral("<0.1"));
  QCOMPARE(ConfusionMatrixModel::percent(0.0421), QStringLiteral("4.2"));
  confusion.setCells(ConfusionMatrixModel::Cells::RowPercent);  // no change, no signal
  QCOMPARE(changed.size(), 1);
  confusion.setCells(ConfusionMatrixModel::Cells::Counts);
  QCOMPARE(confusion.index(0, 0).data().toString(), QStringLiteral("3"));
  confusion.setCounts(0, {});
  QCOMPARE(confusion.rowCount(), 0);
}

// Three classes: 8 zeros (6 right, 2 taken for 2), 5 ones (4 right, 1 taken for 0), no twos, so
// the two predictions of 2 are wrong. Precision, recall and F1 per class, in the headers' tool
// tips and the CSV, undefined ones left empty.
void TestConfusionMatrixModel::confusionMatrixReportsEachClass() {
  ConfusionMatrixModel confusion;
  confusion.setCounts(3, {6, 0, 2,  //
                          1, 4, 0,  //
                          0, 0, 0});
  QCOMPARE(confusion.recall(0), 0.75);
  QCOMPARE(confusion.precision(0), 6.0 / 7);
  QCOMPARE(confusion.recall(1), 0.8);
  QCOMPARE(confusion.precision(1), 1.0);
  QVERIFY(std::isnan(confusion.recall(2)));  // no image of it
  QCOMPARE(confusion.precision(2), 0.0);     // predicted twice, never right
  QCOMPARE(confusion.headerData(0, Qt::Vertical, Qt::ToolTipRole).toString(),
           QStringLiteral("True label 0 (8 images): recall 75.0%, 6 of them right; most often "
                          "taken for 2 (2)\nClick to show them"));
  QCOMPARE(confusion.headerData(0, Qt::Horizontal, Qt::ToolTipRole).toString(),
           QStringLiteral("Predicted label 0 (7 images): precision 85.7%, 6 of them right\n"
                          "Click to show the images taken for 0"));
  QVERIFY(confusion.headerData(2, Qt::Vertical, Qt::ToolTipRole)
              .toString()
              .startsWith(QStringLiteral("True label 2 (0 images): recall –, 0 of them right\n")));
  confusion.setClassNames(
      ClassNames({QStringLiteral("T-shirt"), QStringLiteral("a \"b\""), QStringLiteral("c")}));
  QString csv;
  QTextStream out(&csv);
  confusion.writeCsv(out);
  out.flush();
  QCOMPARE(csv, QStringLiteral("class,name,support,predicted,right,precision,recall,f1\n"
                               "0,\"T-shirt\",8,7,6,0.857143,0.75,0.8\n"
                               "1,\"a \"\"b\"\"\",5,4,4,1,0.8,0.888889\n"
                               "2,\"c\",0,2,0,0,,\n"));
}

void TestConfusionMatrixModel::emptyConfusionMatrixSaysHowToFillIt() {
  ConfusionMatrixModel confusion;
  ConfusionMatrixView view(&confusion);
  view.resize(320, 240);
  // Pixels of the viewport unlike its background: the placeholder's text, as there are no cells.
  const auto ink = [&] {
    const QImage image = view.viewport()->grab().toImage();
    const QRgb background = image.pixel(2, 2);
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x) n += image.pixel(x, y) != background;
    return n;
  };
  QCOMPARE(ink(), 0);
  view.setPlaceholderText(QStringLiteral("Not evaluated yet"));
  QVERIFY(ink() > 50);
  // No blank header strips beside the text.
  QVERIFY(view.verticalHeader()->isHidden() && view.horizontalHeader()->isHidden());
  confusion.setCounts(2, {3, 1, 2, 0});  // cells now: no placeholder over them
  QVERIFY(!view.verticalHeader()->isHidden() && !view.horizontalHeader()->isHidden());
  view.setPlaceholderText({});
  ink();  // the first paint of the cells fits the headers to them
  const int cells = ink();
  view.setPlaceholderText(QStringLiteral("Not evaluated yet"));
  QCOMPARE(ink(), cells);
}

QTEST_MAIN(TestConfusionMatrixModel)
#include "test_confusion_matrix_model.moc"
