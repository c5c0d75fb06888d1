// What the Ensemble view shows of networks that give no answer (their probabilities NaN: outputs
// that overflowed): no vote, no confusion cell, no mean, a wrong row, "no answer" under the image.
#include <QAbstractItemModelTester>
#include <QColor>
#include <QTest>
#include <limits>
#include <set>

#include "ensemble/image_detail_panel.h"
#include "ensemble/misclassification_filter_model.h"
#include "ensemble/misclassification_model.h"
#include "ensemble/net_predictions_model.h"
#include "ensemble_test_data.h"
#include "widgets/palette.h"

using namespace ensemble_testing;
using M = MisclassificationModel;

class TestEnsembleNoAnswer : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // An image no network answers (every network's probabilities for it are NaN, its outputs
  // overflowed) has no vote: the table, its tooltip, the CSV and the image's caption say so, and
  // its common wrong label is none, not a class.
  void anImageNoNetworkAnswersHasNoVote() {
    HandBuilt h = handBuilt();
    const int image = 2, zero = 6, nets = h.eval.nets, count = h.eval.count;  // a 7 and a 0
    for (int n = 0; n < nets; ++n)
      for (const int i : {image, zero}) {
        const size_t at = static_cast<size_t>(n) * count + i;
        for (int k = 0; k < 3; ++k) {
          h.eval.top_labels[3 * at + k] = static_cast<uint8_t>(k);
          h.eval.top_probs[3 * at + k] = std::numeric_limits<float>::quiet_NaN();
        }
        h.eval.true_probs[at] = std::numeric_limits<float>::quiet_NaN();
      }
    const EnsembleRunPtr run = makeRun(h.eval, h.labels);
    M model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRun(run);
    QCOMPARE(model.index(image, M::WrongColumn).data().toString(), QStringLiteral("4 / 4"));
    QCOMPARE(model.index(image, M::VoteColumn).data().toString(), QStringLiteral("–"));
    QCOMPARE(model.index(image, M::CommonWrongColumn).data().toString(), QStringLiteral("–"));
    QCOMPARE(model.index(image, M::CommonCountColumn).data().toString(), QStringLiteral("–"));
    const QString tip = model.index(image, M::VoteColumn).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("ensemble vote none (no network's probabilities are "
                                         "numbers)")),
             qPrintable(tip));
    QVERIFY2(!tip.contains(QStringLiteral("most often as")), qPrintable(tip));
    const QStringList row = model.csvRow(image);
    const QStringList header = M::csvHeader();
    QVERIFY(row.at(header.indexOf(QStringLiteral("vote"))).isEmpty());
    QVERIFY(row.at(header.indexOf(QStringLiteral("common_wrong_label"))).isEmpty());
    // Another image keeps its vote (8, as test_ensemble_models.cpp's
    // misclassificationModelPassesTester finds).
    QCOMPARE(model.index(4, M::VoteColumn).data().toInt(), 8);
    ImageDetailPanel panel;
    panel.setImage(run, image);
    QVERIFY2(panel.captionText().contains(QStringLiteral("ensemble vote <b style='color:")) &&
                 panel.captionText().contains(QStringLiteral("'>none</b>")),
             qPrintable(panel.captionText()));
    QVERIFY2(panel.votesText().contains(QStringLiteral("no answer ×4")) &&
                 !panel.votesText().contains(QStringLiteral("<b>0</b>")),
             qPrintable(panel.votesText()));
    // Their labels 0, 1, 2 are no votes: the image is in no confusion cell of class 0.
    for (int label = 0; label < run->classes(); ++label) QCOMPARE(run->votes(image, label), 0);
    MisclassificationFilterModel proxy;
    proxy.setSourceModel(&model);
    proxy.setLabels(h.labels[image], 0);
    for (int row = 0; row < proxy.rowCount(); ++row)
      QVERIFY(proxy.index(row, 0).data(M::ImageIndexRole).toInt() != image);
    // Sorted by mean p(true), the images without one (NaN) come first, the others in order.
    proxy.setLabels(-1, -1);
    proxy.sort(M::MeanTrueProbColumn, Qt::AscendingOrder);
    QCOMPARE((std::set<int>{proxy.index(0, 0).data(M::ImageIndexRole).toInt(),
                            proxy.index(1, 0).data(M::ImageIndexRole).toInt()}),
             (std::set<int>{image, zero}));
    for (int row = 2; row + 1 < proxy.rowCount(); ++row)
      QVERIFY(proxy.index(row, M::MeanTrueProbColumn).data(M::SortRole).toDouble() <=
              proxy.index(row + 1, M::MeanTrueProbColumn).data(M::SortRole).toDouble());
    proxy.sort(M::MeanTrueProbColumn, Qt::DescendingOrder);  // last, the others in order
    const int shown = proxy.rowCount();
    QCOMPARE((std::set<int>{proxy.index(shown - 2, 0).data(M::ImageIndexRole).toInt(),
                            proxy.index(shown - 1, 0).data(M::ImageIndexRole).toInt()}),
             (std::set<int>{image, zero}));
    for (int row = 0; row + 3 < shown; ++row)
      QVERIFY(proxy.index(row, M::MeanTrueProbColumn).data(M::SortRole).toDouble() >=
              proxy.index(row + 1, M::MeanTrueProbColumn).data(M::SortRole).toDouble());
    // Each network's row on the 0: wrong, though its top label reads 0.
    NetPredictionsModel rows;
    rows.setImage(run, zero);
    using N = NetPredictionsModel;
    for (int net = 0; net < run->nets(); ++net) {
      QCOMPARE(rows.index(net, 0).data(Qt::BackgroundRole).value<QColor>(),
               QColor(palette::kWrongTint));
      // No label and no number: "–" (the delegate draws no bar), sorted after every label.
      for (const int column : {N::Top1Column, N::Top3Column, N::TrueProbColumn}) {
        QCOMPARE(rows.index(net, column).data().toString(), QStringLiteral("–"));
        QVERIFY(!rows.index(net, column).data(N::LabelRole).isValid());
      }
      QCOMPARE(rows.index(net, N::Top1Column).data(N::SortRole).toInt(), int(cs::kNoLabel));
      QVERIFY(rows.index(net, N::Top1Column)
                  .data(Qt::ToolTipRole)
                  .toString()
                  .contains(QStringLiteral("No answer")));
    }
  }
};

QTEST_MAIN(TestEnsembleNoAnswer)
#include "test_ensemble_no_answer.moc"
