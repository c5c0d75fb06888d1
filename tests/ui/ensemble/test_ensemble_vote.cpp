// The ensemble's vote on a drawn digit: the vote arithmetic on a hand-made case, the vote table
// (QAbstractItemModelTester), and the Ensemble page's "Draw a digit" tab voting with the real
// stored weights of every network of a run, read again as a run that trains records an epoch.
#include <QAbstractItemModelTester>
#include <QFont>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "canvas/digit_canvas.h"
#include "canvas/ensemble_vote.h"
#include "canvas/ensemble_voter.h"
#include "canvas/vote_model.h"
#include "canvas/vote_panel.h"
#include "convscope/backends.h"
#include "convscope/checkpoint.h"
#include "convscope/digit_preprocess.h"
#include "ensemble/ensemble_page.h"
#include "ensemble_test_data.h"

class TestEnsembleVote : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void voteArithmetic();
  void voteModel();
  void storedNetworksVoteOnTheDrawing();
  void aRunsNextEpochVotesWithItsNewWeights();
  void noNetworkAnsweringIsNoVote();

 private:
  static constexpr int kNets = 5;
  static constexpr uint64_t kWeightSeed = 100;  // the stored weights' seeds: 100 + net
  QTemporaryDir m_dir;
  QString m_store;
  qint64 m_run = -1;
};

namespace {

// A run of reference networks with `seeds` in `store`, on a validation set of `images` (labels
// 0-9 in turn).
struct StoredRun {
  cs::TrainConfig cfg;
  std::vector<uint8_t> labels;
  qint64 id = -1;

  StoredRun(cs::Store& store, std::vector<uint64_t> seeds, int images) : labels(images) {
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<uint8_t>(i % 10);
    const cs::Dataset val = ensemble_testing::validationSet(labels, "sha-val");
    cs::Dataset train = val.head(1);
    train.name = "synthetic/train";
    cfg.group.seeds = std::move(seeds);
    id = store.begin_run(cs::RunSetup::from(cfg, train, val, {"cpu", "test"}, "test"));
  }
  // Records `epoch` and stores, as its weights, network n's initialization from `seed` + n (not
  // its own seed's: votes that match them can only come from the store).
  void recordEpoch(cs::Store& store, int epoch, uint64_t seed) const {
    const int nets = cfg.group.nets();
    const cs::EvalResult eval = ensemble_testing::randomEval(nets, labels, 0.8, 6 + epoch);
    cs::EpochMetrics m;
    m.epoch = epoch;
    m.net_val_loss = eval.loss;
    m.net_val_accuracy = eval.accuracy;
    store.record_epoch(id, m, eval);
    const std::vector<cs::ParamInfo> params = cfg.group.spec.params();
    for (int net = 0; net < nets; ++net) {
      const auto values = cs::init_parameters(cfg.group.spec, seed + net);
      std::vector<cs::NamedTensor> tensors;
      for (size_t p = 0; p < params.size(); ++p)
        tensors.push_back({params[p].name, params[p].shape, values[p]});
      store.save_weights(id, net, tensors);
    }
  }
};

// A diagonal stroke across `canvas`.
void drawStroke(DigitCanvas* canvas) {
  const QRectF r = canvas->drawingRect();
  const auto at = [&](double x, double y) {
    return QPoint(static_cast<int>(r.x() + x * r.width()),
                  static_cast<int>(r.y() + y * r.height()));
  };
  QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, at(0.3, 0.2));
  for (int i = 1; i <= 10; ++i) QTest::mouseMove(canvas, at(0.3 + 0.04 * i, 0.2 + 0.06 * i));
  QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, at(0.7, 0.8));
}

// `page` showing its Draw a digit tab, shown at 1366 x 768.
VotePanel* showVotePanel(EnsemblePage& page) {
  page.resize(1366, 768);
  page.show();
  if (!QTest::qWaitForWindowExposed(&page)) return nullptr;
  VotePanel* panel = page.votePanel();
  panel->window()->findChild<QTabWidget*>(QStringLiteral("detailTabs"))->setCurrentWidget(panel);
  return panel;
}

}  // namespace

void TestEnsembleVote::initTestCase() {
  QVERIFY(m_dir.isValid());
  m_store = m_dir.filePath(QStringLiteral("runs.db"));
  // A finished run of kNets reference networks whose stored weights differ from what their
  // initialization seeds would give.
  cs::Store store(m_store.toStdString());
  const StoredRun run(store, {1, 2, 3, 4, 5}, 40);
  run.recordEpoch(store, 1, kWeightSeed);
  m_run = run.id;
  store.finish_run(m_run);
}

void TestEnsembleVote::voteArithmetic() {
  // 4 networks, 3 classes: two vote 1, one votes 0, one votes 2.
  const EnsembleVote v({0.2f, 0.7f, 0.1f,   //
                        0.1f, 0.5f, 0.4f,   //
                        0.6f, 0.3f, 0.1f,   //
                        0.1f, 0.2f, 0.7f},  //
                       4, 3);
  QCOMPARE(v.vote(0), 1);
  QCOMPARE(v.vote(2), 0);
  QCOMPARE(v.votes(0), 1);
  QCOMPARE(v.votes(1), 2);
  QCOMPARE(v.votes(2), 1);
  QCOMPARE(v.majority(), 1);
  QCOMPARE(v.disagreement(), 0.5);
  QVERIFY(std::abs(v.voteEntropy() - 1.5) < 1e-12);  // (1/4, 1/2, 1/4)
  QVERIFY(std::abs(v.meanProbability(1) - 0.425) < 1e-6);
  QCOMPARE(v.netsVoting(1), (std::vector<int>{0, 1}));
  QCOMPARE(v.netsVoting(2), (std::vector<int>{3}));
  // A tie goes to the higher mean probability.
  const EnsembleVote tie({0.6f, 0.4f, 0.45f, 0.55f}, 2, 2);
  QCOMPARE(tie.majority(), 0);
  const EnsembleVote unanimous({0.9f, 0.1f, 0.8f, 0.2f}, 2, 2);
  QCOMPARE(unanimous.voteEntropy(), 0.0);
  QCOMPARE(unanimous.disagreement(), 0.0);
  // A network whose probabilities are not numbers gives no vote, not one for class 0.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const EnsembleVote diverged({nan, nan, 0.3f, 0.7f}, 2, 2);
  QCOMPARE(diverged.vote(0), -1);
  QCOMPARE(diverged.votes(0), 0);
  QCOMPARE(diverged.majority(), 1);
  QCOMPARE(diverged.answered(), 1);
  QVERIFY(std::abs(diverged.meanProbability(1) - 0.7) < 1e-6);
  QVERIFY(diverged.netsVoting(0).empty());
  QCOMPARE(EnsembleVote({nan, nan}, 1, 2).majority(), -1);
}

void TestEnsembleVote::voteModel() {
  VoteModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QCOMPARE(model.rowCount(), 0);
  std::vector<float> probs(3 * 10, 0.f);
  for (int n = 0; n < 3; ++n) probs[n * 10 + (n == 2 ? 4 : 7)] = 1.f;
  model.setVote(EnsembleVote(probs, 3, 10));
  QCOMPARE(model.rowCount(), 10);
  QCOMPARE(model.columnCount(), int(VoteModel::ColumnCount));
  QCOMPARE(model.index(7, VoteModel::VotesColumn).data().toInt(), 2);
  QCOMPARE(model.index(4, VoteModel::VotesColumn).data().toInt(), 1);
  QVERIFY(std::abs(model.index(7, VoteModel::VotesColumn).data(VoteModel::ShareRole).toDouble() -
                   2.0 / 3) < 1e-9);
  QCOMPARE(model.index(7, VoteModel::MeanColumn).data().toString(), QStringLiteral("66.7%"));
  {
    // In German the column and its tool tip alike: 66,7%.
    const QLocale before;
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    const auto restore = qScopeGuard([&] { QLocale::setDefault(before); });
    QCOMPARE(model.index(7, VoteModel::MeanColumn).data().toString(), QStringLiteral("66,7%"));
    QVERIFY2(model.index(7, 0).data(Qt::ToolTipRole).toString().endsWith(QStringLiteral("66,7%")),
             qPrintable(model.index(7, 0).data(Qt::ToolTipRole).toString()));
  }
  QVERIFY(model.index(7, 0).data(Qt::FontRole).value<QFont>().bold());
  QVERIFY(!model.index(4, 0).data(Qt::FontRole).isValid());
  model.setClassNames(ClassNames({QStringLiteral("zero"), QStringLiteral("one")}));
  QCOMPARE(model.index(1, VoteModel::ClassColumn).data().toString(), QStringLiteral("one"));
  model.setVote({});
  QCOMPARE(model.rowCount(), 0);
}

void TestEnsembleVote::storedNetworksVoteOnTheDrawing() {
  EnsemblePage page;
  page.setStorePath(m_store);
  QVERIFY(page.openRun(m_run));
  VotePanel* panel = showVotePanel(page);
  QVERIFY(panel);
  QSignalSpy voted(panel, &VotePanel::voted);
  DigitCanvas* canvas = panel->canvas();
  QTRY_VERIFY(canvas->isVisible());
  const QRectF r = canvas->drawingRect();
  const auto at = [&](double x, double y) {
    return QPoint(static_cast<int>(r.x() + x * r.width()),
                  static_cast<int>(r.y() + y * r.height()));
  };
  drawStroke(canvas);
  QTRY_VERIFY_WITH_TIMEOUT(!voted.isEmpty() && !panel->model()->vote().isEmpty(), 20000);
  const EnsembleVote vote = panel->model()->vote();
  QVERIFY2(vote.error.isEmpty(), qPrintable(vote.error));
  QCOMPARE(vote.nets(), kNets);
  QCOMPARE(panel->model()->rowCount(), 10);

  // Each network's probabilities are those of its stored weights on the drawing.
  const cs::Dataset one = ensemble_testing::validationSet({0}, "x");
  std::vector<float> input(784);
  {
    // The input the panel voted on: render and preprocess as it does, through its canvas.
    QImage drawn = canvas->render(280);
    const QImage gray = drawn.convertToFormat(QImage::Format_Grayscale8);
    std::vector<uint8_t> pixels(280 * 280);
    for (int y = 0; y < 280; ++y) std::memcpy(&pixels[y * 280], gray.constScanLine(y), 280);
    const cs::DigitResult d = cs::preprocess_digit(pixels.data(), 280, 280);
    for (int i = 0; i < 784; ++i) input[i] = d.pixels[i] / 255.f;
  }
  int agreeing = 0;
  for (int net = 0; net < kNets; ++net) {
    cs::GroupConfig single;
    single.seeds = {kWeightSeed + net};
    auto backend = std::move(cs::make_backend(cs::BackendChoice::Cpu).backend);
    backend->configure(single, one, one);
    std::vector<float> probs(10);
    backend->predict(0, input.data(), 1, probs.data(), nullptr);
    for (int c = 0; c < 10; ++c)
      QVERIFY2(std::abs(probs[c] - vote.probs(net)[c]) < 1e-5f,
               qPrintable(QStringLiteral("net %1 class %2").arg(net).arg(c)));
    agreeing += vote.vote(net) == vote.majority();
  }
  QCOMPARE(agreeing, vote.votes(vote.majority()));

  // A click on a class lists the networks that chose it.
  const int major = vote.majority();
  panel->table()->selectRow(major);
  QStringList nets;
  for (int net : vote.netsVoting(major)) nets << QString::number(net);
  QCOMPARE(panel->netsText(),
           QStringLiteral("Networks choosing %1: %2").arg(major).arg(nets.join(", ")));

  // Ctrl+Z takes the stroke back; Esc clears, as in the live view's canvas.
  QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
  QVERIFY(canvas->isEmpty());
  QVERIFY(panel->model()->vote().isEmpty());
  QCOMPARE(panel->netsText(), QString());  // the vote's words go with it
  QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, at(0.5, 0.2));
  QTest::mouseMove(canvas, at(0.5, 0.8));
  QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, at(0.5, 0.8));
  QCOMPARE(canvas->strokeCount(), 1);
  QTest::keyClick(canvas, Qt::Key_Escape);
  QVERIFY(canvas->isEmpty());

  // The run closed while its networks vote on a drawing: their vote, when it comes, is not shown.
  QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, at(0.5, 0.2));
  QTest::mouseMove(canvas, at(0.5, 0.8));
  QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, at(0.5, 0.8));
  QTRY_VERIFY(!panel->model()->vote().isEmpty());
  QTest::qWait(1000);  // the votes the stroke asked for have all come
  const qsizetype shown = voted.size();
  QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, at(0.3, 0.5));  // one vote asked
  panel->setRun({}, -1, 0, {}, {});
  QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, at(0.3, 0.5));
  QTest::qWait(3000);  // far longer than a vote of five small networks
  QCOMPARE(voted.size(), shown);
  QVERIFY(panel->model()->vote().isEmpty());
}

void TestEnsembleVote::aRunsNextEpochVotesWithItsNewWeights() {
  // A run that trains stores each epoch's weights in place of the last: the voter, which keeps
  // the weights it read, reads them again for the next epoch.
  const QString path = m_dir.filePath(QStringLiteral("training.db"));
  cs::Store store(path.toStdString());
  const StoredRun run(store, {1, 2}, 20);
  const int nets = run.cfg.group.nets();
  std::vector<float> image(784);
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<float>((i * 37) % 101) / 100.f;
  const auto expected = [&](uint64_t seed, int net) {
    cs::GroupConfig single;
    single.seeds = {seed + net};
    const cs::Dataset one = ensemble_testing::validationSet({0}, "x");
    auto backend = std::move(cs::make_backend(cs::BackendChoice::Cpu).backend);
    backend->configure(single, one, one);
    std::vector<float> probs(10);
    backend->predict(0, image.data(), 1, probs.data(), nullptr);
    return probs;
  };
  EnsembleVoter voter;
  QSignalSpy voted(&voter, &EnsembleVoter::voted);
  const auto voteMatches = [&](int epochs, uint64_t seed) {
    voter.vote(epochs, path, run.id, epochs, run.cfg.group, image);
    const EnsembleVote vote = voted.takeLast().front().value<EnsembleVote>();
    if (!vote.error.isEmpty()) return false;
    for (int net = 0; net < nets; ++net) {
      const std::vector<float> want = expected(seed, net);
      for (int c = 0; c < 10; ++c)
        if (std::abs(want[c] - vote.probs(net)[c]) > 1e-5f) return false;
    }
    return true;
  };
  run.recordEpoch(store, 1, 100);
  QVERIFY(voteMatches(1, 100));
  run.recordEpoch(store, 2, 200);
  QVERIFY(voteMatches(2, 200));
  QVERIFY(!voteMatches(2, 100));
}

// Networks whose outputs overflow (every parameter made huge) give no answer; with none answering,
// the panel says there is no vote rather than a majority for class 0.
void TestEnsembleVote::noNetworkAnsweringIsNoVote() {
  const QString path = m_dir.filePath(QStringLiteral("overflowing.db"));
  cs::Store store(path.toStdString());
  const StoredRun run(store, {1, 2}, 20);
  run.recordEpoch(store, 1, kWeightSeed);
  for (int net = 0; net < 2; ++net) {
    std::vector<cs::NamedTensor> weights = store.load_weights(run.id, net);
    for (cs::NamedTensor& t : weights)  // every output +inf (no ReLU stops it): NaN in the softmax
      std::fill(t.data.begin(), t.data.end(), 3e38f);
    store.save_weights(run.id, net, weights);
  }
  store.finish_run(run.id);
  EnsemblePage page;
  page.setStorePath(path);
  QVERIFY(page.openRun(run.id));
  VotePanel* panel = showVotePanel(page);
  QVERIFY(panel);
  QTRY_VERIFY(panel->canvas()->isVisible());
  drawStroke(panel->canvas());
  QTRY_VERIFY_WITH_TIMEOUT(!panel->model()->vote().isEmpty(), 20000);
  const EnsembleVote vote = panel->model()->vote();
  QVERIFY2(vote.error.isEmpty(), qPrintable(vote.error));
  QCOMPARE(vote.answered(), 0);
  QCOMPARE(vote.majority(), -1);
  QVERIFY2(panel->summaryText().startsWith(
               QStringLiteral("No vote: not one of the 2 networks' probabilities are numbers")),
           qPrintable(panel->summaryText()));
}

QTEST_MAIN(TestEnsembleVote)
#include "test_ensemble_vote.moc"
