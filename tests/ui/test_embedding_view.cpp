// The Embedding view: no network yet is said; after a step and an evaluation, a dot per
// validation image (at most EmbeddingView::kImages) in the series of its class, at the place the
// worker's projection gave it, the image found back from its dot; another layer chosen is
// projected anew; Save CSV writes what is shown with the layer's outputs; computeEmbedding()
// itself: the labels and predictions of the images, shares of variance in order, the layer clamped,
// a missing network an error.
#include <QComboBox>
#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <numeric>

#include "charts/embedding_types.h"
#include "charts/embedding_view.h"
#include "convscope/cpu_backend.h"
#include "test_data.h"
#include "training/training_session.h"

class TestEmbeddingView : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void theViewShowsEachImageOfItsClassAndFindsItBack();
  void computeEmbeddingAnswersForTheNetwork();

 private:
  DatasetPtr m_data;
};

void TestEmbeddingView::initTestCase() {
  testing_data::resetSettings();
  m_data = testing_data::smallDataset(512, 300);
}

void TestEmbeddingView::theViewShowsEachImageOfItsClassAndFindsItBack() {
  TrainingSession session;
  EmbeddingView view(&session);
  view.resize(520, 420);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  QTRY_COMPARE(view.note(), QStringLiteral("Train or load a network first."));

  session.invoke(&TrainingWorker::setDataset, m_data);
  session.invoke(&TrainingWorker::step, testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Paused, 20000);
  session.invoke(&TrainingWorker::evaluateNow);
  QTRY_VERIFY2_WITH_TIMEOUT(view.note().contains(QStringLiteral("at step 1;")),
                            qPrintable(view.note()), 20000);
  // conv 3×3×4 + max pool 2, dense 16, dense 10: the layer before the output is fc1.
  QVERIFY2(view.note().startsWith(QStringLiteral("fc1: 16 outputs of all 300 validation images")),
           qPrintable(view.note()));
  QCOMPARE(view.layer(), 2);
  const cs::Dataset& val = m_data->test;
  int plotted = 0;
  for (int label = 0; label < 10; ++label) {
    const QList<QPointF> dots = view.plotted(label);
    QCOMPARE(dots.size(), static_cast<qsizetype>(std::count(val.labels.begin(), val.labels.end(),
                                                            static_cast<uint8_t>(label))));
    plotted += static_cast<int>(dots.size());
    for (const QPointF& dot : dots) {
      const int image = view.imageAt(label, dot);
      QVERIFY(image >= 0 && image < val.count);
      QCOMPARE(val.labels[static_cast<size_t>(image)], static_cast<uint8_t>(label));
    }
  }
  QCOMPARE(plotted, val.count);
  std::vector<int> all(static_cast<size_t>(val.count));
  std::iota(all.begin(), all.end(), 0);
  QCOMPARE(view.images(), all);  // 300 of 300: every one
  QCOMPARE(view.imageAt(10, {0, 0}), -1);

  // Save CSV…: a row per image shown, its label, prediction and place, then fc1's 16 outputs.
  auto* saveCsv = view.findChild<QPushButton*>(QStringLiteral("saveCsv"));
  QVERIFY(saveCsv && saveCsv->isEnabled());
  QTemporaryDir dir;
  QString error;
  QVERIFY2(view.saveCsv(dir.filePath(QStringLiteral("e.csv")), &error), qPrintable(error));
  QFile file(dir.filePath(QStringLiteral("e.csv")));
  QVERIFY(file.open(QIODevice::ReadOnly));
  const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
  QCOMPARE(lines.size(), 1 + val.count);
  QVERIFY(lines[0].startsWith(QStringLiteral("image,label,predicted,pc1,pc2,f0,f1,")));
  QVERIFY(lines[0].endsWith(QStringLiteral(",f15")));
  for (int row : {0, 17, 299}) {
    const QStringList cells = lines[row + 1].split(u',');
    QCOMPARE(cells.size(), 5 + 16);
    const int image = view.images()[size_t(row)];
    QCOMPARE(cells[0].toInt(), image);
    QCOMPARE(cells[1].toInt(), int(val.labels[size_t(image)]));
    const QPointF dot(cells[3].toDouble(), cells[4].toDouble());
    const QList<QPointF> dots = view.plotted(val.labels[size_t(image)]);
    QVERIFY(std::any_of(dots.begin(), dots.end(), [&](const QPointF& p) {
      return std::abs(p.x() - dot.x()) < 1e-4 * (1 + std::abs(p.x())) &&
             std::abs(p.y() - dot.y()) < 1e-4 * (1 + std::abs(p.y()));
    }));
  }
  QVERIFY(!view.saveCsv(dir.filePath(QStringLiteral("no/such/folder/e.csv")), &error));

  // Another layer: conv1's 4 x 26 x 26 outputs.
  auto* layers = view.findChild<QComboBox*>(QStringLiteral("layer"));
  QVERIFY(layers);
  QCOMPARE(layers->count(), 1 + 4);  // "the layer before the output", then conv1 … fc2
  layers->setCurrentIndex(1);
  QTRY_VERIFY2_WITH_TIMEOUT(view.note().startsWith(QStringLiteral("conv1: 2,704 outputs")),
                            qPrintable(view.note()), 20000);
  QCOMPARE(view.layer(), 0);

  // Reset: nothing of the old network is left to see or click.
  session.invoke(&TrainingWorker::reset);
  QTRY_COMPARE(view.note(), QStringLiteral("Train or load a network first."));
  QVERIFY(view.plotted(0).isEmpty());
  QCOMPARE(view.imageAt(0, {0, 0}), -1);
  QVERIFY(!saveCsv->isEnabled());
}

void TestEmbeddingView::computeEmbeddingAnswersForTheNetwork() {
  const cs::Dataset& val = m_data->test;
  const EmbeddingResult none = computeEmbedding(nullptr, &val, {});
  QCOMPARE(none.error, QStringLiteral("Train or load a network first."));
  auto backend = cs::make_cpu_backend(1);
  const RunRequest run = testing_data::smallRun(*m_data, 1);
  backend->configure(run.config.group, m_data->train, val);
  EmbeddingRequest request;
  request.id = 5;
  request.count = 100;
  request.layer = 99;  // past the last: the last
  const EmbeddingResult r = computeEmbedding(backend.get(), &val, request);
  QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
  QCOMPARE(r.id, 5);
  const cs::Embedding& e = r.embedding;
  QCOMPARE(e.layer, 3);  // conv1, pool1, fc1, fc2
  QCOMPARE(e.dimensions, 10);
  QCOMPARE(e.projection.xy.size(), size_t{200});
  for (size_t i = 0; i < e.images.size(); ++i)
    QCOMPARE(e.labels[i], val.labels[static_cast<size_t>(e.images[i])]);
  std::vector<float> x;
  for (int image : e.images)
    for (int p = 0; p < val.shape.size(); ++p) x.push_back(val.image(image)[p] / 255.f);
  std::vector<float> probs(1000);
  backend->predict(0, x.data(), 100, probs.data(), nullptr);
  for (int i = 0; i < 100; ++i) {
    const float* p = probs.data() + i * 10;
    QCOMPARE(static_cast<int>(e.predicted[static_cast<size_t>(i)]),
             static_cast<int>(std::max_element(p, p + 10) - p));
  }
  QVERIFY(e.projection.explained[0] >= e.projection.explained[1] && e.projection.explained[1] > 0);
  // 100 of 300: one in 3, spread over the set.
  QCOMPARE(e.images.size(), size_t{100});
  QCOMPARE(e.images[1], 3);
  QCOMPARE(e.images.back(), 297);
  QVERIFY(e.projection.explained[0] + e.projection.explained[1] <= 1 + 1e-9);
  QCOMPARE(r.datasetName, val.name);
}

QTEST_MAIN(TestEmbeddingView)
#include "test_embedding_view.moc"
