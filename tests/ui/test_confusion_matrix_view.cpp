// The confusion matrix view's hand: a left click asks for its cell, Enter and Space ask for the
// cell the arrow keys moved to, and no other button, nor a press dragged to another cell, moves
// the mark (the current cell) off the cell the list is filtered by; the context menu of the cells
// and of both headers switches the cells to each row's shares, which then tint the mix-ups.
#include <QAction>
#include <QColor>
#include <QHeaderView>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

#include "predictions/confusion_matrix_model.h"
#include "predictions/confusion_matrix_view.h"

class TestConfusionMatrixView : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void init();
  void cleanup();
  void onlyALeftClickAsksForACell();
  void keyboardAsksForTheCurrentCell();
  void contextMenuSwitchesToShares();
  void sharesTintTheMixUps();

 private:
  // A press of `button` on cell `at`, moved to cell `to` when given, and its release there.
  void press(Qt::MouseButton button, QModelIndex at, QModelIndex to = {});

  ConfusionMatrixModel* m_model = nullptr;
  ConfusionMatrixView* m_view = nullptr;
  QSignalSpy* m_asked = nullptr;
};

void TestConfusionMatrixView::init() {
  m_model = new ConfusionMatrixModel;
  m_model->setCounts(2, {3, 1, 2, 0});
  m_view = new ConfusionMatrixView(m_model);
  m_view->resize(240, 200);
  m_view->show();
  QVERIFY(QTest::qWaitForWindowExposed(m_view));
  // As both pages do: the cell asked for is marked at once.
  connect(m_view, &ConfusionMatrixView::cellActivated, m_view, &ConfusionMatrixView::markCell);
  m_asked = new QSignalSpy(m_view, &ConfusionMatrixView::cellActivated);
}

void TestConfusionMatrixView::cleanup() {
  delete m_asked;
  delete m_view;
  delete m_model;
}

void TestConfusionMatrixView::press(Qt::MouseButton button, QModelIndex at, QModelIndex to) {
  QWidget* viewport = m_view->viewport();
  const QPoint from = m_view->visualRect(at).center();
  const QPoint end = m_view->visualRect(to.isValid() ? to : at).center();
  QMouseEvent down(QEvent::MouseButtonPress, from, viewport->mapToGlobal(from), button, button,
                   Qt::NoModifier);
  QCoreApplication::sendEvent(viewport, &down);
  if (end != from) {
    QMouseEvent move(QEvent::MouseMove, end, viewport->mapToGlobal(end), Qt::NoButton, button,
                     Qt::NoModifier);
    QCoreApplication::sendEvent(viewport, &move);
  }
  QMouseEvent up(QEvent::MouseButtonRelease, end, viewport->mapToGlobal(end), button, Qt::NoButton,
                 Qt::NoModifier);
  QCoreApplication::sendEvent(viewport, &up);
}

void TestConfusionMatrixView::onlyALeftClickAsksForACell() {
  press(Qt::LeftButton, m_model->index(1, 0));
  QCOMPARE(m_asked->size(), 1);
  QCOMPARE(m_asked->first().at(0).toInt(), 1);
  QCOMPARE(m_asked->first().at(1).toInt(), 0);
  QCOMPARE(m_view->currentIndex(), m_model->index(1, 0));
  for (Qt::MouseButton other : {Qt::RightButton, Qt::MiddleButton, Qt::BackButton}) {
    press(other, m_model->index(0, 1));
    QCOMPARE(m_view->currentIndex(), m_model->index(1, 0));
  }
  // A press on one cell let go on another asks for neither, and the mark stays.
  press(Qt::LeftButton, m_model->index(0, 0), m_model->index(0, 1));
  QCOMPARE(m_asked->size(), 1);
  QCOMPARE(m_view->currentIndex(), m_model->index(1, 0));
  // No filter: a drag leaves no cell marked either.
  m_view->markCell(-1, -1);
  press(Qt::LeftButton, m_model->index(0, 0), m_model->index(1, 1));
  QVERIFY(!m_view->currentIndex().isValid());
}

void TestConfusionMatrixView::keyboardAsksForTheCurrentCell() {
  m_view->setFocus();
  m_view->setCurrentIndex(m_model->index(0, 0));
  QTest::keyClick(m_view, Qt::Key_Right);
  QCOMPARE(m_view->currentIndex(), m_model->index(0, 1));
  QCOMPARE(m_asked->size(), 0);
  QTest::keyClick(m_view, Qt::Key_Return);
  QCOMPARE(m_asked->size(), 1);
  QCOMPARE(m_asked->last().at(1).toInt(), 1);
  QTest::keyClick(m_view, Qt::Key_Down);
  QTest::keyClick(m_view, Qt::Key_Space);
  QCOMPARE(m_asked->size(), 2);
  QCOMPARE(m_asked->last().at(0).toInt(), 1);
}

void TestConfusionMatrixView::contextMenuSwitchesToShares() {
  for (QWidget* w :
       {static_cast<QWidget*>(m_view), static_cast<QWidget*>(m_view->horizontalHeader()),
        static_cast<QWidget*>(m_view->verticalHeader())}) {
    QCOMPARE(w->contextMenuPolicy(), Qt::ActionsContextMenu);
    QVERIFY(w->actions().contains(m_view->percentAction()));
  }
  QVERIFY(!m_view->percentAction()->isChecked());
  m_view->percentAction()->trigger();
  QCOMPARE(m_model->cells(), ConfusionMatrixModel::Cells::RowPercent);
  QCOMPARE(m_model->index(0, 0).data().toString(), QStringLiteral("75.0"));
  m_view->percentAction()->trigger();
  QCOMPARE(m_model->cells(), ConfusionMatrixModel::Cells::Counts);
}

void TestConfusionMatrixView::sharesTintTheMixUps() {
  // A mix-up tints by what its cell shows: 100 of 1,000 zeros taken for 1 outweighs 5 of 10 ones
  // taken for 0 as counts, and is outweighed by it as shares of their rows.
  m_model->setCounts(2, {900, 100, 5, 5});
  const auto alpha = [this](int t, int p) {
    return m_model->index(t, p).data(Qt::BackgroundRole).value<QColor>().alphaF();
  };
  QVERIFY(std::abs(alpha(0, 1) - 0.9) < 1e-3);  // the largest count: the full tint
  QVERIFY(alpha(1, 0) < 0.5);
  QVERIFY(m_model->index(0, 1).data(Qt::ForegroundRole).isValid());  // white on the dark cell
  const double diagonal = alpha(0, 0);
  m_view->percentAction()->trigger();           // as the context menu does
  QVERIFY(std::abs(alpha(1, 0) - 0.9) < 1e-3);  // the largest share
  QVERIFY(alpha(0, 1) < 0.5);
  QVERIFY(!m_model->index(0, 1).data(Qt::ForegroundRole).isValid());
  QCOMPARE(alpha(0, 0), diagonal);  // the diagonal is its row's share either way
}

QTEST_MAIN(TestConfusionMatrixView)
#include "test_confusion_matrix_view.moc"
