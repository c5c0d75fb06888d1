// The Class models view: no network yet is said; after a step and an evaluation, one image per
// class, each the worker's cs::class_models() of the run's network (a second backend trained the
// same step gives the same pixels and captions); the strip and its PNG; a click makes an image
// the probe, named as the class model (in the whole window too); a hidden layer chosen shows its
// channels' images; Reset clears; computeClassModels() without a network is an error.
#include <QComboBox>
#include <QDockWidget>
#include <QImageReader>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "convscope/cpu_backend.h"
#include "network/class_model_types.h"
#include "network/class_models_view.h"
#include "network/network_inspector.h"
#include "network/probe_view.h"
#include "test_data.h"
#include "training/training_session.h"
#include "window/live_training_view.h"
#include "window/main_window.h"

class TestClassModelsView : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void theViewShowsTheNetworksClassModels();
  void aClickInTheWindowNamesTheProbe();
  void withoutANetworkThereIsNothingToShow();

 private:
  DatasetPtr m_data;
};

void TestClassModelsView::initTestCase() {
  testing_data::resetSettings();
  m_data = testing_data::smallDataset(512, 300);
}

void TestClassModelsView::theViewShowsTheNetworksClassModels() {
  TrainingSession session;
  ClassModelsView view(&session);
  view.resize(520, 420);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  QTRY_COMPARE(view.note(), QStringLiteral("Train or load a network first."));
  auto* save = view.findChild<QPushButton*>(QStringLiteral("save"));
  QVERIFY(save && !save->isEnabled());

  const RunRequest run = testing_data::smallRun(*m_data, 1);
  session.invoke(&TrainingWorker::setDataset, m_data);
  session.invoke(&TrainingWorker::step, run);
  QTRY_COMPARE_WITH_TIMEOUT(session.state(), TrainingState::Paused, 20000);
  session.invoke(&TrainingWorker::evaluateNow);
  QTRY_VERIFY2_WITH_TIMEOUT(view.note().contains(QStringLiteral("(step 1 of training")),
                            qPrintable(view.note()), 20000);
  QVERIFY(save->isEnabled());

  // The same network trained the same step elsewhere: the same class models.
  auto backend = cs::make_cpu_backend(1);
  backend->configure(run.config.group, m_data->train, m_data->test);
  backend->begin_epoch(0);
  backend->train_step(0, run.config.group.batch_size);
  ClassModelsRequest request;
  request.steps = ClassModelsView::kSteps;
  const ClassModelsResult expected = computeClassModels(backend.get(), m_data->test.name, request);
  QVERIFY2(expected.error.isEmpty(), qPrintable(expected.error));
  QCOMPARE(view.units(), 10);
  for (int c = 0; c < 10; ++c) {
    const QImage image = view.image(c);
    QCOMPARE(image.size(), QSize(28, 28));
    QCOMPARE(image, expected.image(c));
    const QString percent = QString::number(
        100 * expected.probability[size_t(c)], 'f',
        expected.probability[size_t(c)] >= 0.995 || expected.probability[size_t(c)] < 0.1 ? 1 : 0);
    QVERIFY2(view.caption(c).startsWith(QStringLiteral("%1 · %2%").arg(c).arg(percent)),
             qPrintable(view.caption(c)));
    QCOMPARE(view.caption(c).contains(QStringLiteral("taken for")),
             expected.predicted[size_t(c)] != c);
  }
  QVERIFY(view.image(10).isNull());
  QVERIFY2(view.toolTip(3).contains(QStringLiteral("scores highest as 3")),
           qPrintable(view.toolTip(3)));

  // The strip: the classes side by side, each pixel 2 x 2, 2 grey pixels between them.
  const QImage strip = view.strip(2);
  QCOMPARE(strip.size(), QSize(10 * 56 + 9 * 2, 56));
  for (int c : {0, 4, 9})
    for (const QPoint& p : {QPoint(0, 0), QPoint(13, 20), QPoint(27, 27)}) {
      const int shown = qGray(strip.pixel(c * 58 + 2 * p.x() + 1, 2 * p.y() + 1));
      QCOMPARE(shown, qGray(view.image(c).pixel(p)));
    }
  QCOMPARE(strip.pixelColor(56, 10), QColor(128, 128, 128));
  QTemporaryDir dir;
  QString error;
  QVERIFY2(view.save(dir.filePath(QStringLiteral("models.png")), &error), qPrintable(error));
  QCOMPARE(QImageReader(dir.filePath(QStringLiteral("models.png"))).size(), view.strip(4).size());
  QVERIFY(!view.save(dir.filePath(QStringLiteral("no/such/folder/models.png")), &error));
  QVERIFY(!error.isEmpty());

  // A click on class 7's image: it becomes the probe of the layer views.
  auto* tile = view.findChild<QWidget*>(QStringLiteral("classModel7"));
  QVERIFY(tile && tile->isVisible());
  QVERIFY(tile->width() >= 56);
  QSignalSpy named(&session, &TrainingSession::probeImageNamed);
  QTest::mouseClick(tile, Qt::LeftButton);
  QVERIFY(session.probeIsImage());
  QCOMPARE(named.size(), 1);
  QCOMPARE(named.first().at(0).toInt(), -1);  // the session's first image probe
  QCOMPARE(named.first().at(1).toString(), QStringLiteral("the class model of 7"));
  QCOMPARE(named.first().at(2).toString(), QStringLiteral("model"));
  const std::vector<uint8_t> bytes = expected.bytes(7);
  QTRY_VERIFY_WITH_TIMEOUT(session.latestSnapshot() && session.latestSnapshot()->probe == -1,
                           10000);
  const std::vector<float>& input = session.latestSnapshot()->input;
  QCOMPARE(input.size(), bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) QCOMPARE(std::lround(input[i] * 255), long(bytes[i]));
  // The probe view calls it by that name.
  ProbeView probeView;
  probeView.setImageName(-1, QStringLiteral("the class model of 7"), QStringLiteral("model"));
  probeView.setSnapshot(*session.latestSnapshot());
  QStringList texts;
  for (const QLabel* label : probeView.findChildren<QLabel*>()) texts << label->text();
  QVERIFY2(texts.join(u'|').contains(QStringLiteral("the class model of 7")),
           qPrintable(texts.join(u'|')));
  QCOMPARE(probeView.findChild<QSpinBox*>()->text(), QStringLiteral("model"));

  // A hidden layer: conv1's 4 filters, each the image it responds to most; then fc1's 16 units.
  auto* layers = view.findChild<QComboBox*>(QStringLiteral("layer"));
  QVERIFY(layers);
  QStringList offered;
  for (int i = 0; i < layers->count(); ++i) offered << layers->itemText(i);
  QCOMPARE(offered, QStringList({QStringLiteral("the classes"), QStringLiteral("conv1"),
                                 QStringLiteral("pool1"), QStringLiteral("fc1")}));
  view.chooseLayer(0);
  QTRY_VERIFY2_WITH_TIMEOUT(
      view.note().startsWith(QStringLiteral("For each of conv1's 4 channels")),
      qPrintable(view.note()), 20000);
  QCOMPARE(view.layer(), 0);
  request.layer = 0;
  const ClassModelsResult conv1 = computeClassModels(backend.get(), m_data->test.name, request);
  QCOMPARE(view.units(), 4);
  for (int u = 0; u < 4; ++u) {
    QCOMPARE(view.image(u), conv1.image(u));
    QCOMPARE(view.caption(u), conv1.score[size_t(u)] == 0 ? QStringLiteral("%1 · silent").arg(u)
                                                          : QString::number(u));
  }
  for (int u = 0; u < 4; ++u)
    QVERIFY2(view.toolTip(u).contains(QStringLiteral("channel %1 of conv1").arg(u)),
             qPrintable(view.toolTip(u)));
  QVERIFY(!view.findChild<QWidget*>(QStringLiteral("classModel4"))->isVisible());
  view.chooseLayer(2);
  QTRY_VERIFY_WITH_TIMEOUT(view.units() == 16, 20000);
  QVERIFY2(view.note().startsWith(QStringLiteral("For each of fc1's 16 units")),
           qPrintable(view.note()));
  QVERIFY(view.findChild<QWidget*>(QStringLiteral("classModel15"))->isVisibleTo(&view));
  QCOMPARE(view.strip(1).width(), 16 * 28 + 15);
  // A layer the network has not as a hidden one (the output, or past it): the classes.
  for (int layer : {3, 99}) {
    request.layer = layer;
    const ClassModelsResult r = computeClassModels(backend.get(), m_data->test.name, request);
    QVERIFY(r.ofClasses);
    QCOMPARE(r.layer, 3);
    QCOMPARE(r.units(), 10);
  }
  view.chooseLayer(-1);
  QTRY_VERIFY_WITH_TIMEOUT(view.units() == 10 && view.layer() == 3, 20000);

  // Reset: nothing of the old network is shown or saved.
  session.invoke(&TrainingWorker::reset);
  QTRY_COMPARE(view.note(), QStringLiteral("Train or load a network first."));
  QCOMPARE(view.units(), 0);
  QVERIFY(!tile->isVisible());
  QVERIFY(!save->isEnabled());
  QVERIFY(view.strip(4).isNull());
}

// In the whole window: the tab raised computes the class models, and a click on one makes it the
// probe that the network inspector's probe view names.
void TestClassModelsView::aClickInTheWindowNamesTheProbe() {
  MainWindow window(m_data, {});
  window.resize(1366, 768);
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  LiveTrainingView* live = window.live();
  live->actions().step->trigger();
  QTRY_COMPARE_WITH_TIMEOUT(live->session()->state(), TrainingState::Paused, 20000);
  live->findChild<QDockWidget*>(QStringLiteral("classModels"))->raise();
  ClassModelsView* view = live->classModelsView();
  QTRY_COMPARE_WITH_TIMEOUT(view->units(), 10, 20000);
  auto* tile = view->findChild<QWidget*>(QStringLiteral("classModel3"));
  QVERIFY(tile && tile->isVisible());
  QTest::mouseClick(tile, Qt::LeftButton);
  auto* probe = live->inspector()->findChild<ProbeView*>();
  QVERIFY(probe);
  const auto texts = [probe] {
    QStringList all;
    for (const QLabel* label : probe->findChildren<QLabel*>()) all << label->text();
    return all.join(u'|');
  };
  QTRY_VERIFY2_WITH_TIMEOUT(texts().contains(QStringLiteral("the class model of 3")),
                            qPrintable(texts()), 20000);
  QCOMPARE(probe->findChild<QSpinBox*>()->text(), QStringLiteral("model"));
}

void TestClassModelsView::withoutANetworkThereIsNothingToShow() {
  ClassModelsRequest request;
  request.id = 4;
  const ClassModelsResult none = computeClassModels(nullptr, "mnist/test", request);
  QCOMPARE(none.id, 4);
  QCOMPARE(none.error, QStringLiteral("Train or load a network first."));
  QCOMPARE(none.units(), 0);
}

QTEST_MAIN(TestClassModelsView)
#include "test_class_models_view.moc"
