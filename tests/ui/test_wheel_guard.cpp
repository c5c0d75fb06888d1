// WheelGuard: in a scroll area (the Hyperparameters panel's), the wheel over a spin box or a combo
// box without focus leaves its value alone, a convolution row made later included, and the field
// takes focus by click or Tab, not by the wheel; with focus the wheel turns it; a spin box outside
// a scroll area turns as before.
#include <QApplication>
#include <QComboBox>
#include <QScrollArea>
#include <QSpinBox>
#include <QTest>
#include <QWheelEvent>

#include "settings/hyperparameter_panel.h"
#include "test_data.h"
#include "widgets/wheel_guard.h"

class TestWheelGuard : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void theWheelTurnsOnlyAFocusedFieldOfAScrollArea();
};

namespace {

// One notch of the wheel away from the user (up) over the middle of `w`: whether `w` took it (an
// event left unaccepted goes on to the parents, the scroll area, when the window system sends it).
bool wheelUp(QWidget* w) {
  const QPointF at(w->width() / 2.0, w->height() / 2.0);
  QWheelEvent event(at, w->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
  QApplication::sendEvent(w, &event);
  return event.isAccepted();
}

}  // namespace

void TestWheelGuard::initTestCase() {
  testing_data::resetSettings();
}

void TestWheelGuard::theWheelTurnsOnlyAFocusedFieldOfAScrollArea() {
  auto* guard = new WheelGuard(qobject_cast<QApplication*>(QCoreApplication::instance()));
  QScrollArea area;
  auto* panel = new HyperparameterPanel;
  area.setWidget(panel);
  area.setWidgetResizable(true);
  area.resize(320, 300);
  area.show();
  area.activateWindow();
  QVERIFY(QTest::qWaitForWindowActive(&area));

  auto* batch = panel->findChild<QSpinBox*>(QStringLiteral("batchSize"));
  auto* optimizer = panel->findChild<QComboBox*>(QStringLiteral("optimizer"));
  QVERIFY(batch && optimizer);
  QCOMPARE(batch->focusPolicy(), Qt::StrongFocus);
  QCOMPARE(optimizer->focusPolicy(), Qt::StrongFocus);
  const int batchSize = batch->value();
  const int optimizerIndex = optimizer->currentIndex();
  QVERIFY(!wheelUp(batch));
  QVERIFY(!wheelUp(optimizer));
  QCOMPARE(batch->value(), batchSize);
  QCOMPARE(optimizer->currentIndex(), optimizerIndex);
  QVERIFY(!batch->hasFocus());

  batch->setFocus(Qt::TabFocusReason);
  QTRY_VERIFY(batch->hasFocus());
  QVERIFY(wheelUp(batch));
  QCOMPARE(batch->value(), batchSize + batch->singleStep());

  // A row made after the panel was shown is guarded too.
  auto* layers = panel->findChild<QSpinBox*>(QStringLiteral("convLayers"));
  QVERIFY(layers);
  layers->setValue(layers->value() + 1);
  auto* filters = panel->findChild<QSpinBox*>(QStringLiteral("filters%1").arg(layers->value()));
  QVERIFY(filters);
  QTRY_COMPARE(filters->focusPolicy(), Qt::StrongFocus);
  const int count = filters->value();
  QVERIFY(!wheelUp(filters));
  QCOMPARE(filters->value(), count);

  // Outside a scroll area nothing changes: the wheel turns the field under the pointer.
  QSpinBox free;
  free.show();
  QVERIFY(QTest::qWaitForWindowExposed(&free));
  QCOMPARE(free.focusPolicy(), Qt::WheelFocus);
  QVERIFY(wheelUp(&free));
  QCOMPARE(free.value(), 1);
  delete guard;
}

QTEST_MAIN(TestWheelGuard)
#include "test_wheel_guard.moc"
