// The "Draw a digit" panel: simulated mouse strokes → the engine's MNIST-style preprocessing →
// a prediction from the training worker's real (small, CPU) network; undo, clear, loading a
// picture, live predictions that never queue up, and the drawing as the probe of the layer views.
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "canvas/canvas_panel.h"
#include "canvas/digit_canvas.h"
#include "canvas/digit_inference.h"
#include "canvas/digit_predictor.h"
#include "canvas/top_predictions.h"
#include "convscope/backends.h"
#include "network/probe_view.h"
#include "test_data.h"
#include "training/training_session.h"

class TestCanvas : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void verticalStrokeIsCentredAndPredicted();
  void undoRemovesTheLastStrokeAndEscClears();
  void loadedDarkOnLightImageIsInverted();
  void unreadableImageIsAnError();
  void predictionsDoNotQueueUp();
  void drawingBecomesTheProbe();
  void drawnProbeSaysWhereTheRunIs();
  void aDrawingANewDatasetDoesNotTakeGivesWay();
  void noNetworkIsSaid();
  void referenceNetworkUpdatesWithin30ms();

 private:
  // A paused run of one step: the worker's backend holds a network.
  void startRun(TrainingSession& session);
  // Drags the left button from `from` to `to` (unit coordinates of the drawing) in `steps`.
  static void stroke(DigitCanvas* canvas, QPointF from, QPointF to, int steps = 12);

  DatasetPtr m_data;
  QTemporaryDir m_dir;
};

void TestCanvas::initTestCase() {
  testing_data::resetSettings();
  m_data = testing_data::smallDataset(512, 64);
  QVERIFY(m_dir.isValid());
}

void TestCanvas::startRun(TrainingSession& session) {
  session.invoke(&TrainingWorker::setDataset, m_data);
  session.invoke(&TrainingWorker::step, testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Paused, 20000);
}

void TestCanvas::stroke(DigitCanvas* canvas, QPointF from, QPointF to, int steps) {
  const QRectF r = canvas->drawingRect();
  const auto at = [&](double t) {
    const QPointF unit = from + (to - from) * t;
    return QPoint(static_cast<int>(r.x() + unit.x() * r.width()),
                  static_cast<int>(r.y() + unit.y() * r.height()));
  };
  QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, at(0));
  for (int i = 1; i <= steps; ++i) QTest::mouseMove(canvas, at(double(i) / steps));
  QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, at(1));
}

void TestCanvas::verticalStrokeIsCentredAndPredicted() {
  TrainingSession session;
  startRun(session);
  CanvasPanel panel(&session);
  panel.resize(700, 420);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  QSignalSpy predicted(&panel, &CanvasPanel::predicted);

  // A vertical line in the upper left of the square.
  stroke(panel.canvas(), {0.25, 0.1}, {0.25, 0.6});
  QCOMPARE(panel.canvas()->strokeCount(), 1);
  const cs::DigitResult& digit = panel.digit();
  QVERIFY(!digit.blank());
  QVERIFY(digit.inverted);  // black ink on white paper
  double cx = 0, cy = 0;
  cs::center_of_mass(digit.pixels.data(), cs::kDigitSide, cs::kDigitSide, &cx, &cy);
  QVERIFY2(std::abs(cx - 14) < 1 && std::abs(cy - 14) < 1,
           qPrintable(QStringLiteral("centre of mass (%1, %2)").arg(cx).arg(cy)));
  // Tall and thin: the ink fills 20 rows and only a few columns.
  int top = 28, bottom = -1, left = 28, right = -1;
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x)
      if (digit.pixels[y * 28 + x] > 64) {
        top = std::min(top, y), bottom = std::max(bottom, y);
        left = std::min(left, x), right = std::max(right, x);
      }
  QVERIFY2(bottom - top + 1 >= 18, qPrintable(QString::number(bottom - top + 1)));
  QVERIFY2(right - left + 1 <= 8, qPrintable(QString::number(right - left + 1)));
  QCOMPARE(panel.input().size(), size_t(784));

  QTRY_VERIFY_WITH_TIMEOUT(!predicted.isEmpty(), 10000);
  QTRY_VERIFY(!panel.lastPrediction().probs.empty());
  const DigitPrediction& p = panel.lastPrediction();
  QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
  QCOMPARE(p.probs.size(), size_t(10));
  QVERIFY(std::abs(std::accumulate(p.probs.begin(), p.probs.end(), 0.0) - 1.0) < 1e-4);
  QVERIFY2(p.milliseconds < 30, qPrintable(QString::number(p.milliseconds)));
  QCOMPARE(panel.predictions()->probabilities(), p.probs);
  QCOMPARE(panel.predictions()->topClasses().size(), size_t(3));
}

void TestCanvas::undoRemovesTheLastStrokeAndEscClears() {
  TrainingSession session;
  CanvasPanel panel(&session);
  panel.resize(700, 420);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  DigitCanvas* canvas = panel.canvas();
  stroke(canvas, {0.5, 0.1}, {0.5, 0.9});
  const std::vector<float> one = panel.input();
  stroke(canvas, {0.2, 0.5}, {0.8, 0.5});
  QCOMPARE(canvas->strokeCount(), 2);
  QVERIFY(panel.input() != one);
  QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
  QCOMPARE(canvas->strokeCount(), 1);
  QCOMPARE(panel.input(), one);  // exactly the drawing of the first stroke again
  QSignalSpy changed(&panel, &CanvasPanel::inputChanged);
  QTest::keyClick(canvas, Qt::Key_Escape);
  QVERIFY(canvas->isEmpty());
  QVERIFY(panel.digit().blank());
  QVERIFY(panel.input().empty());
  QCOMPARE(changed.size(), 1);
  QVERIFY(panel.predictions()->topClasses().empty());
  QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);  // nothing left to undo
  QVERIFY(canvas->isEmpty());
}

void TestCanvas::loadedDarkOnLightImageIsInverted() {
  TrainingSession session;
  CanvasPanel panel(&session);
  // A photo-like picture: light grey paper, a dark "7" off to the right.
  QImage picture(300, 200, QImage::Format_RGB32);
  picture.fill(QColor(230, 228, 220));
  {
    QPainter painter(&picture);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(QColor(30, 30, 40), 12, Qt::SolidLine, Qt::RoundCap));
    painter.drawLine(180, 40, 260, 40);
    painter.drawLine(260, 40, 210, 170);
  }
  const QString path = m_dir.filePath(QStringLiteral("seven.png"));
  QVERIFY(picture.save(path));
  QString error;
  QVERIFY2(panel.loadImage(path, &error), qPrintable(error));
  QVERIFY(panel.digit().inverted);
  double cx = 0, cy = 0;
  cs::center_of_mass(panel.digit().pixels.data(), 28, 28, &cx, &cy);
  QVERIFY(std::abs(cx - 14) < 1 && std::abs(cy - 14) < 1);
  QVERIFY(panel.digit().pixels[0] == 0);  // the paper became background
  QCOMPARE(panel.canvas()->strokeCount(), 0);
  panel.canvas()->clear();
  QVERIFY(panel.input().empty());

  // White chalk on a blackboard, wider than high: the bands that square it are the board's own
  // colour, so the board stays background (white bands would have made it the ink).
  QImage board(300, 200, QImage::Format_RGB32);
  board.fill(QColor(20, 24, 22));
  {
    QPainter painter(&board);
    painter.setPen(QPen(QColor(240, 240, 235), 14, Qt::SolidLine, Qt::RoundCap));
    painter.drawLine(150, 30, 150, 170);
  }
  const QString chalk = m_dir.filePath(QStringLiteral("chalk.png"));
  QVERIFY(board.save(chalk));
  QVERIFY2(panel.loadImage(chalk, &error), qPrintable(error));
  QVERIFY(!panel.digit().inverted);
  QCOMPARE(panel.digit().pixels[0], uint8_t(0));
  const auto ink = std::count_if(panel.digit().pixels.begin(), panel.digit().pixels.end(),
                                 [](uint8_t p) { return p > 127; });
  QVERIFY2(ink > 10 && ink < 28 * 28 / 4,
           qPrintable(QString::number(ink)));  // a stroke, not a block
}

void TestCanvas::unreadableImageIsAnError() {
  TrainingSession session;
  CanvasPanel panel(&session);
  const QString path = m_dir.filePath(QStringLiteral("broken.png"));
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  file.write("not a png");
  file.close();
  QString error;
  QVERIFY(!panel.loadImage(path, &error));
  QVERIFY2(error.contains(QStringLiteral("broken.png")), qPrintable(error));
  QVERIFY(panel.canvas()->isEmpty());
}

void TestCanvas::predictionsDoNotQueueUp() {
  TrainingSession session;
  startRun(session);
  DigitPredictor predictor(&session);
  QSignalSpy predicted(&predictor, &DigitPredictor::predicted);
  // Twenty drawings in a burst: the first goes out, the rest replace each other while it is
  // predicted, and only the newest follows.
  std::vector<float> image(784, 0.f);
  for (int i = 0; i < 20; ++i) {
    image[static_cast<size_t>(300 + i)] = 1.f;
    predictor.request(image);
  }
  QTRY_VERIFY_WITH_TIMEOUT(!predictor.busy(), 10000);
  QCOMPARE(predictor.requestsSent(), 2);
  QCOMPARE(predicted.size(), 2);
  // The last answer is for the last drawing: the same as predicting it alone.
  const auto last = predicted.last().at(0).value<DigitPrediction>();
  DigitPredictor alone(&session);
  QSignalSpy aloneSpy(&alone, &DigitPredictor::predicted);
  alone.request(image);
  QTRY_COMPARE(aloneSpy.size(), 1);
  QCOMPARE(aloneSpy.first().at(0).value<DigitPrediction>().probs, last.probs);
}

void TestCanvas::drawingBecomesTheProbe() {
  TrainingSession session;
  startRun(session);
  CanvasPanel panel(&session);
  panel.resize(700, 420);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  stroke(panel.canvas(), {0.5, 0.15}, {0.45, 0.85});
  QVERIFY(!panel.input().empty());
  const auto sameAs = [](const SnapshotPtr& s, const std::vector<float>& image) {
    if (!s || s->input.size() != image.size()) return false;
    for (size_t i = 0; i < image.size(); ++i)
      if (std::abs(s->input[i] - image[i]) > 1e-6f) return false;
    return true;
  };
  panel.useAsProbe();
  QVERIFY(session.probeIsImage());
  QTRY_VERIFY_WITH_TIMEOUT(sameAs(session.latestSnapshot(), panel.input()), 10000);
  const SnapshotPtr frame = session.latestSnapshot();
  QVERIFY(!frame->layers.empty());
  // Marked as no validation image: the probe view names it the drawn digit, with no true label.
  QCOMPARE(frame->probe, -1);
  ProbeView probeView;
  probeView.setSnapshot(*frame);
  QStringList texts;
  for (const QLabel* label : probeView.findChildren<QLabel*>()) texts << label->text();
  QVERIFY2(texts.join(u'|').contains(QStringLiteral("the drawn digit")),
           qPrintable(texts.join(u'|')));
  QVERIFY(!texts.join(u'|').contains(QStringLiteral("true label")));
  // Activations and gradients of the drawing, from the live network's weights.
  const auto nonzero = [](const std::vector<float>& v) {
    return std::any_of(v.begin(), v.end(), [](float x) { return x != 0.f; });
  };
  QVERIFY(nonzero(frame->layers.front().activation));
  QVERIFY(nonzero(frame->layers.front().dactivation));
  QVERIFY(nonzero(frame->layers.front().weight));
  // Its probabilities are the network's for the drawing (the canvas's prediction).
  QTRY_VERIFY(!panel.lastPrediction().probs.empty());
  for (size_t c = 0; c < frame->probs.size(); ++c)
    QVERIFY(std::abs(frame->probs[c] - panel.lastPrediction().probs[c]) < 1e-4f);
  // Another image of the user's: its frames have a number of their own, so a frame of the
  // drawing that arrives after the new image is chosen (one already on its way) keeps the
  // drawing's name.
  std::vector<float> seven(784);
  std::vector<uint8_t> sevenBytes(m_data->test.image(0), m_data->test.image(0) + 784);
  for (size_t i = 0; i < seven.size(); ++i) seven[i] = sevenBytes[i] / 255.f;
  QSignalSpy named(&session, &TrainingSession::probeImageNamed);
  session.setProbeImage(sevenBytes, QStringLiteral("the loaded image"), QStringLiteral("loaded"));
  QCOMPARE(named.size(), 1);
  QCOMPARE(named.first().at(0).toInt(), -2);
  QTRY_VERIFY_WITH_TIMEOUT(sameAs(session.latestSnapshot(), seven), 10000);
  QCOMPARE(session.latestSnapshot()->probe, -2);
  ProbeView twoImages;
  twoImages.setImageName(-1, QStringLiteral("the drawn digit"), QStringLiteral("drawn"));
  twoImages.setImageName(-2, QStringLiteral("the loaded image"), QStringLiteral("loaded"));
  const auto details = [&twoImages] {
    return twoImages.findChild<QLabel*>(QStringLiteral("probeDetails"))->text();
  };
  twoImages.setSnapshot(*frame);
  QVERIFY2(details().contains(QStringLiteral("the drawn digit")), qPrintable(details()));
  QCOMPARE(twoImages.findChild<QSpinBox*>()->text(), QStringLiteral("drawn"));
  twoImages.setSnapshot(*session.latestSnapshot());
  QVERIFY2(details().contains(QStringLiteral("the loaded image")), qPrintable(details()));
  QCOMPARE(twoImages.findChild<QSpinBox*>()->text(), QStringLiteral("loaded"));
  // Only the last four names are kept: after four more, the loaded image's (-2) falls back to
  // what an unnamed image is called; the oldest kept (-3) is still named.
  for (int probe = -3; probe >= -6; --probe)
    twoImages.setImageName(probe, QStringLiteral("image %1").arg(probe), QStringLiteral("img"));
  twoImages.setSnapshot(*session.latestSnapshot());
  QVERIFY2(details().contains(QStringLiteral("the drawn digit")), qPrintable(details()));
  cs::Snapshot kept = *session.latestSnapshot();
  kept.probe = -3;
  twoImages.setSnapshot(kept);
  QVERIFY2(details().contains(QStringLiteral("image -3")), qPrintable(details()));
  // A validation probe again.
  session.setProbe(3);
  QVERIFY(!session.probeIsImage());
  std::vector<float> three(784);
  const uint8_t* bytes = m_data->test.image(3);
  for (size_t i = 0; i < three.size(); ++i) three[i] = bytes[i] / 255.f;
  QTRY_VERIFY_WITH_TIMEOUT(sameAs(session.latestSnapshot(), three), 10000);
  QCOMPARE(session.latestSnapshot()->probe, 3);
}

void TestCanvas::drawnProbeSaysWhereTheRunIs() {
  TrainingSession session;
  session.invoke(&TrainingWorker::setDataset, m_data);
  session.invoke(&TrainingWorker::start, testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Finished, 60000);
  session.setProbe(2);
  QTRY_VERIFY_WITH_TIMEOUT(session.latestSnapshot() && session.latestSnapshot()->probe == 2, 10000);
  const SnapshotPtr live = session.latestSnapshot();
  CanvasPanel panel(&session);
  panel.resize(700, 420);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  stroke(panel.canvas(), {0.5, 0.15}, {0.45, 0.85});
  panel.useAsProbe();
  QTRY_VERIFY_WITH_TIMEOUT(session.latestSnapshot()->probe == -1, 10000);
  const SnapshotPtr drawn = session.latestSnapshot();
  // The finished run's epoch and step, as its validation frames have them (not the next epoch).
  QCOMPARE(drawn->epoch, live->epoch);
  QCOMPARE(drawn->step, live->step);
  // The probe's index says "drawn" rather than the last validation image; a step up goes to #0.
  ProbeView view;
  view.setProbeCount(m_data->test.count);
  view.setSnapshot(*live);
  auto* index = view.findChild<QSpinBox*>();
  QCOMPARE(index->text(), QStringLiteral("#2"));
  view.setSnapshot(*drawn);
  QCOMPARE(index->text(), QStringLiteral("drawn"));
  QVERIFY(view.findChild<QLabel*>(QStringLiteral("probeDetails"))
              ->text()
              .contains(QStringLiteral("for that class")));
  QSignalSpy requested(&view, &ProbeView::probeRequested);
  index->stepUp();
  QCOMPARE(requested.size(), 1);
  QCOMPARE(requested.first().at(0).toInt(), 0);
  cs::Snapshot first = *live;  // image 0's frame, which that step asks for
  first.probe = 0;
  view.setSnapshot(first);
  QCOMPARE(index->text(), QStringLiteral("#0"));
  QCOMPARE(index->minimum(), 0);
  // A number being typed (not entered yet) stays through the frames of the same image, which
  // come ten times a second while the run trains.
  auto* edit = index->findChild<QLineEdit*>();
  QVERIFY(edit);
  edit->setText(QStringLiteral("#12"));
  view.setSnapshot(first);
  QCOMPARE(index->text(), QStringLiteral("#12"));
  QCOMPARE(requested.size(), 1);
  first.probe = 7;  // another image's frame (chosen elsewhere) says so
  view.setSnapshot(first);
  QCOMPARE(index->text(), QStringLiteral("#7"));
  // So with the drawing's frames: a number typed to go back to a validation image stays.
  view.setSnapshot(*drawn);
  QCOMPARE(index->text(), QStringLiteral("drawn"));
  edit->setText(QStringLiteral("#5"));
  view.setSnapshot(*drawn);
  QCOMPARE(index->text(), QStringLiteral("#5"));
}

// A drawn probe, then a run on 14x14 images: the drawing (28x28) gives way to the validation
// probe, where the run stopped at its first frame ("the network takes 1x14x14 images").
void TestCanvas::aDrawingANewDatasetDoesNotTakeGivesWay() {
  TrainingSession session;
  startRun(session);
  const std::vector<uint8_t> drawing(m_data->test.image(0), m_data->test.image(0) + 784);
  session.setProbeImage(drawing, QStringLiteral("the drawn digit"), QStringLiteral("drawn"));
  QTRY_VERIFY_WITH_TIMEOUT(session.latestSnapshot() && session.latestSnapshot()->probe < 0, 10000);
  session.invokeAndWait(&TrainingWorker::reset);
  auto small = std::make_shared<cs::DatasetPair>(*m_data);  // the top-left quarter of each
  for (cs::Dataset* set : {&small->train, &small->test}) {
    std::vector<uint8_t> cropped;
    for (int i = 0; i < set->count; ++i)
      for (int y = 0; y < 14; ++y)
        cropped.insert(cropped.end(), set->image(i) + y * 28, set->image(i) + y * 28 + 14);
    set->images = std::move(cropped);
    set->shape = {1, 14, 14};
  }
  session.invoke(&TrainingWorker::setDataset, DatasetPtr(small));
  QSignalSpy failed(session.worker(), &TrainingWorker::failed);
  session.invoke(&TrainingWorker::step, testing_data::smallRun(*small, 1));
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Paused, 20000);
  QTRY_VERIFY_WITH_TIMEOUT(
      session.latestSnapshot() && session.latestSnapshot()->input.size() == 196u, 10000);
  QVERIFY(session.latestSnapshot()->probe >= 0);
  QVERIFY(failed.isEmpty());
}

void TestCanvas::noNetworkIsSaid() {
  TrainingSession session;  // no run: the worker has no network
  CanvasPanel panel(&session);
  panel.resize(700, 420);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  QSignalSpy predicted(&panel, &CanvasPanel::predicted);
  stroke(panel.canvas(), {0.5, 0.1}, {0.5, 0.9});
  QTRY_VERIFY(!predicted.isEmpty());
  QVERIFY(panel.lastPrediction().probs.empty());
  QVERIFY(panel.lastPrediction().error.contains(QStringLiteral("No network")));
}

// One live update is what the worker runs per drawing: the reference network (the app's default)
// on the CPU backend, one image. Median of 21, after a warm-up.
void TestCanvas::referenceNetworkUpdatesWithin30ms() {
  cs::GroupConfig group;  // the reference network
  auto backend = std::move(cs::make_backend(cs::BackendChoice::Cpu).backend);
  backend->configure(group, m_data->test, m_data->test);
  std::vector<float> image(784);
  for (size_t i = 0; i < image.size(); ++i) image[i] = m_data->test.image(0)[i] / 255.f;
  (void)DigitInference::predict(backend.get(), 0, image);
  std::vector<double> ms;
  for (int i = 0; i < 21; ++i) {
    const DigitPrediction p = DigitInference::predict(backend.get(), i, image);
    QVERIFY2(p.error.isEmpty(), qPrintable(p.error));
    ms.push_back(p.milliseconds);
  }
  std::nth_element(ms.begin(), ms.begin() + 10, ms.end());
  qInfo("reference network, one drawing: %.2f ms (median of 21)", ms[10]);
  QVERIFY2(ms[10] < 30, qPrintable(QString::number(ms[10])));
  // The UI thread's share of an update: render the drawing, preprocess it (per mouse move).
  TrainingSession session;
  CanvasPanel panel(&session);
  panel.resize(700, 420);
  panel.show();
  QVERIFY(QTest::qWaitForWindowExposed(&panel));
  const QRectF r = panel.canvas()->drawingRect();
  QTest::mousePress(panel.canvas(), Qt::LeftButton, Qt::NoModifier, r.center().toPoint());
  QElapsedTimer clock;
  clock.start();
  for (int i = 1; i <= 20; ++i)
    QTest::mouseMove(panel.canvas(), (r.center() + QPointF(0, 4 * i)).toPoint());
  const double perMove = clock.nsecsElapsed() * 1e-6 / 20;
  QTest::mouseRelease(panel.canvas(), Qt::LeftButton);
  qInfo("render and preprocess: %.2f ms per mouse move", perMove);
  QVERIFY2(perMove < 30, qPrintable(QString::number(perMove)));
  QVERIFY(!panel.input().empty());
}

QTEST_MAIN(TestCanvas)
#include "test_canvas.moc"
