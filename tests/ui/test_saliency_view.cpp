// The Saliency panel on a real (small, CPU) network: each method gives a map of 784 values with
// mass where the digit is, for the class asked; the probe image with its true label; the overlay
// follows the opacity; the export is the input and the map side by side.
#include <QComboBox>
#include <QFileInfo>
#include <QImageReader>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <functional>
#include <memory>

#include "canvas/saliency_image.h"
#include "canvas/saliency_view.h"
#include "test_data.h"
#include "training/training_session.h"

Q_DECLARE_METATYPE(cs::SaliencyMethod)

class TestSaliencyView : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void init();
  void cleanup();
  void drawnDigitMap_data();
  void drawnDigitMap();
  void probeImageWithItsTrueLabel();
  void gradCamOfAChosenLayer();
  void opacityBlendsTheMapOverTheInput();
  void exportsInputAndMapSideBySide();
  void noNetworkIsSaid();
  void aPausedRunsNewWeightsAreMapped();

 private:
  std::vector<float> testImage(int index) const;
  // The next map the view computes after `trigger`.
  static SaliencyResult next(SaliencyView& view, const std::function<void()>& trigger);

  DatasetPtr m_data;
  QTemporaryDir m_dir;
  std::unique_ptr<TrainingSession> m_session;
};

void TestSaliencyView::initTestCase() {
  testing_data::resetSettings();
  m_data = testing_data::smallDataset(512, 64);
  QVERIFY(m_dir.isValid());
}

void TestSaliencyView::init() {
  m_session = std::make_unique<TrainingSession>();
  if (QByteArray(QTest::currentTestFunction()) == "noNetworkIsSaid") return;
  m_session->invoke(&TrainingWorker::setDataset, m_data);
  m_session->invoke(&TrainingWorker::step, testing_data::smallRun(*m_data, 1));
  QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), TrainingState::Paused, 20000);
}

void TestSaliencyView::cleanup() {
  m_session.reset();
}

std::vector<float> TestSaliencyView::testImage(int index) const {
  std::vector<float> image(784);
  const uint8_t* bytes = m_data->test.image(index);
  for (size_t i = 0; i < image.size(); ++i) image[i] = bytes[i] / 255.f;
  return image;
}

SaliencyResult TestSaliencyView::next(SaliencyView& view, const std::function<void()>& trigger) {
  QSignalSpy spy(&view, &SaliencyView::computed);
  trigger();
  // Changes made while a map is computed are coalesced into one more request: take the last.
  if (!spy.wait(20000)) return {};
  while (spy.wait(300)) {
  }
  return view.result();
}

void TestSaliencyView::drawnDigitMap_data() {
  QTest::addColumn<cs::SaliencyMethod>("method");
  QTest::addColumn<bool>("isSigned");
  QTest::newRow("vanilla") << cs::SaliencyMethod::Vanilla << false;
  QTest::newRow("smoothgrad") << cs::SaliencyMethod::SmoothGrad << false;
  QTest::newRow("integrated gradients") << cs::SaliencyMethod::IntegratedGradients << true;
  QTest::newRow("occlusion") << cs::SaliencyMethod::Occlusion << true;
  QTest::newRow("grad-cam") << cs::SaliencyMethod::GradCam << false;
}

void TestSaliencyView::drawnDigitMap() {
  QFETCH(cs::SaliencyMethod, method);
  QFETCH(bool, isSigned);
  SaliencyView view(m_session.get());
  const std::vector<float> image = testImage(1);
  const SaliencyResult r = next(view, [&] {
    view.setMethod(method);
    view.setTargetClass(4);
    view.setDrawnDigit(image);
  });
  QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
  QCOMPARE(r.image, image);
  QCOMPARE(r.map.values.size(), size_t(784));
  QCOMPARE(r.map.width, 28);
  QCOMPARE(r.map.target_class, 4);
  QCOMPARE(r.map.is_signed, isSigned);
  double mass = 0, onInk = 0;
  for (size_t i = 0; i < image.size(); ++i) {
    mass += std::abs(r.map.values[i]);
    if (image[i] > 0.f) onInk += std::abs(r.map.values[i]);
  }
  QVERIFY(mass > 0);
  if (method == cs::SaliencyMethod::IntegratedGradients)
    QCOMPARE(onInk, mass);  // (x - 0) * ...: nothing where the input is black
  QCOMPARE(r.probs.size(), size_t(10));
  QCOMPARE(r.method, method);
  const QString caption = view.findChild<QLabel*>(QStringLiteral("note"))->text();
  if (method == cs::SaliencyMethod::Occlusion) {
    // In units of the class's probability, which the caption gives.
    QCOMPARE(r.map.probability, r.probs[4]);
    const QString p = QStringLiteral("p(4) = %1%").arg(r.probs[4] * 100, 0, 'f', 1);
    QVERIFY2(caption.contains(p), qPrintable(caption));
  } else {
    QVERIFY2(!caption.contains(QStringLiteral("p(4)")), qPrintable(caption));
  }
  QVERIFY(!view.exportImage().isNull());
}

void TestSaliencyView::probeImageWithItsTrueLabel() {
  SaliencyView view(m_session.get());
  m_session->setProbe(5);
  QTRY_VERIFY_WITH_TIMEOUT(m_session->latestSnapshot() && m_session->latestSnapshot()->probe == 5,
                           10000);
  const SaliencyResult r = next(view, [&] {
    view.setTargetClass(-2);
    view.setSource(SaliencyView::Source::Probe);
  });
  QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
  QCOMPARE(r.image, testImage(5));
  QCOMPARE(r.map.target_class, static_cast<int>(m_data->test.labels[5]));
  // "Predicted" explains the network's own choice.
  const SaliencyResult p = next(view, [&] { view.setTargetClass(-1); });
  const int predicted =
      static_cast<int>(std::max_element(p.probs.begin(), p.probs.end()) - p.probs.begin());
  QCOMPARE(p.map.target_class, predicted);
}

// Grad-CAM's layer list offers the network's layers with a map, the last convolution first; a
// layer chosen gives that layer's map (the maps themselves are checked in test_saliency).
void TestSaliencyView::gradCamOfAChosenLayer() {
  SaliencyView view(m_session.get());
  view.resize(600, 400);
  view.show();
  auto* layers = view.findChild<QComboBox*>(QStringLiteral("camLayer"));
  QVERIFY(layers);
  QVERIFY(!layers->isVisible());  // only for Grad-CAM
  const std::vector<float> image = testImage(2);
  const SaliencyResult first = next(view, [&] {
    view.setMethod(cs::SaliencyMethod::GradCam);
    view.setDrawnDigit(image);
  });
  QVERIFY2(first.error.isEmpty(), qPrintable(first.error));
  QVERIFY(layers->isVisible());
  const cs::NetworkSpec spec = testing_data::smallRun(*m_data, 1).config.group.spec;
  const std::vector<int> expected = cs::grad_cam_layers(spec);
  QCOMPARE(first.camLayers, expected);
  QCOMPARE(first.map.layer, cs::default_grad_cam_layer(spec));
  const std::vector<std::string> names = spec.layer_names();
  QCOMPARE(layers->count(), int(expected.size()) + 1);
  QCOMPARE(layers->itemText(0), QStringLiteral("last convolution (%1)")
                                    .arg(QString::fromStdString(names[size_t(first.map.layer)])));
  for (size_t i = 0; i < expected.size(); ++i) {
    QCOMPARE(layers->itemData(int(i) + 1).toInt(), expected[i]);
    QCOMPARE(layers->itemText(int(i) + 1), QString::fromStdString(names[size_t(expected[i])]));
  }
  // Another layer: a map of its own.
  QVERIFY(expected.size() >= 2);
  const int other = expected.front() == first.map.layer ? expected[1] : expected.front();
  const SaliencyResult chosen = next(view, [&] { view.setCamLayer(other); });
  QCOMPARE(chosen.map.layer, other);
  QVERIFY(chosen.map.values != first.map.values);
  const QString caption = view.findChild<QLabel*>(QStringLiteral("note"))->text();
  QVERIFY2(
      caption.contains(QString::fromStdString(names[size_t(other)]) + QStringLiteral("'s maps")),
      qPrintable(caption));
  view.setMethod(cs::SaliencyMethod::Vanilla);
  QVERIFY(!layers->isVisible());
}

void TestSaliencyView::opacityBlendsTheMapOverTheInput() {
  cs::SaliencyMap map;
  map.width = map.height = 2;
  map.values = {0.f, 0.5f, 1.f, 0.f};
  const std::vector<float> input{1.f, 0.f, 0.f, 0.5f};
  const QImage none = SaliencyImage::overlay(input, map, 0.0);
  QCOMPARE(qGray(none.pixel(0, 0)), 255);  // opacity 0: the input alone
  QCOMPARE(qGray(none.pixel(1, 1)), 128);
  const QImage full = SaliencyImage::overlay(input, map, 1.0);
  QCOMPARE(full.pixel(0, 1), SaliencyImage::heat(1.f));  // the strongest pixel: the map alone
  QCOMPARE(full.pixel(0, 0), none.pixel(0, 0));          // no saliency: the input shows
  QVERIFY(full.pixel(1, 0) != none.pixel(1, 0));
}

void TestSaliencyView::exportsInputAndMapSideBySide() {
  SaliencyView view(m_session.get());
  QString error;
  const QString path = m_dir.filePath(QStringLiteral("saliency.png"));
  QVERIFY(!view.exportPng(path, &error));  // nothing yet
  QVERIFY(!error.isEmpty());
  const std::vector<float> image = testImage(2);
  const SaliencyResult r = next(view, [&] { view.setDrawnDigit(image); });
  QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
  QVERIFY2(view.exportPng(path, &error), qPrintable(error));
  QImageReader reader(path);
  QCOMPARE(QByteArray(reader.format()), QByteArray("png"));
  const QImage png = reader.read();
  const int side = 28 * SaliencyView::kExportScale;
  QCOMPARE(png.size(), QSize(2 * side, side));
  // Left: the input in grey; right: the map.
  const int s = SaliencyView::kExportScale;
  for (int y = 0; y < 28; y += 3)
    for (int x = 0; x < 28; x += 3) {
      const int grey = static_cast<int>(image[y * 28 + x] * 255.f + 0.5f);
      QCOMPARE(qGray(png.pixel(x * s + s / 2, y * s + s / 2)), grey);
    }
  const QImage map = SaliencyImage::map(r.map);
  for (int y = 0; y < 28; ++y)
    for (int x = 0; x < 28; ++x)
      QCOMPARE(png.pixel(side + x * s + s / 2, y * s + s / 2), map.pixel(x, y));
}

void TestSaliencyView::noNetworkIsSaid() {
  SaliencyView view(m_session.get());
  const SaliencyResult r = next(view, [&] { view.setDrawnDigit(testImage(0)); });
  QVERIFY(r.map.values.empty());
  QVERIFY(r.error.contains(QStringLiteral("No network")));
  // Once a run has a network, the drawing's map follows without another stroke.
  const SaliencyResult after = next(view, [&] {
    m_session->invoke(&TrainingWorker::setDataset, m_data);
    m_session->invoke(&TrainingWorker::step, testing_data::smallRun(*m_data, 1));
  });
  QVERIFY2(after.error.isEmpty(), qPrintable(after.error));
  QCOMPARE(after.map.values.size(), size_t(784));
  QCOMPARE(after.image, testImage(0));
}

// Paused, a Step or a checkpoint loaded leaves the state as it was: the drawing is mapped again
// with the new weights all the same.
void TestSaliencyView::aPausedRunsNewWeightsAreMapped() {
  SaliencyView view(m_session.get());
  const std::vector<float> image = testImage(1);
  const SaliencyResult first = next(view, [&] {
    view.setMethod(cs::SaliencyMethod::Vanilla);
    view.setTargetClass(4);
    view.setDrawnDigit(image);
  });
  QVERIFY(!first.map.values.empty());
  const QString path = m_dir.filePath(QStringLiteral("one-step.safetensors"));
  m_session->invoke(&TrainingWorker::saveCheckpoint, path);
  QTRY_VERIFY(QFileInfo::exists(path));
  const SaliencyResult stepped = next(
      view, [&] { m_session->invoke(&TrainingWorker::step, testing_data::smallRun(*m_data, 1)); });
  QCOMPARE(m_session->state(), TrainingState::Paused);
  QVERIFY(!stepped.map.values.empty());
  QVERIFY(stepped.map.values != first.map.values);
  const SaliencyResult loaded = next(view, [&] {
    m_session->invoke(&TrainingWorker::loadCheckpoint, path, testing_data::smallRun(*m_data, 1));
  });
  QCOMPARE(loaded.map.values, first.map.values);
}

QTEST_MAIN(TestSaliencyView)
#include "test_saliency_view.moc"
