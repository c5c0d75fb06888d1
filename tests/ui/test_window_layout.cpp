// The main window at everyday screen sizes: it fits 1280×720, and at every size from there to
// 2560×1440 no panel is clipped by the window or overlaps another, also after shrinking and
// growing back, and with the longest status texts the app writes.
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QScreen>
#include <QScrollBar>
#include <QSplitter>
#include <QTabBar>
#include <QTableView>
#include <QTest>
#include <QToolBar>
#include <algorithm>

#include "canvas/canvas_panel.h"
#include "canvas/digit_canvas.h"
#include "charts/training_charts.h"
#include "ensemble/ensemble_page.h"
#include "ensemble/ensemble_types.h"
#include "ensemble/misclassification_panel.h"
#include "ensemble/runs_model.h"
#include "ensemble/runs_panel.h"
#include "predictions/confusion_matrix_model.h"
#include "predictions/confusion_matrix_view.h"
#include "predictions/predictions_panel.h"
#include "test_data.h"
#include "training/training_session.h"
#include "widgets/elided_label.h"
#include "window/live_training_view.h"
#include "window/main_window.h"

class TestWindowLayout : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void firstWindowFitsItsScreen();
  void fitsSmallScreensWithLongTexts();
  void noPanelClippedOrOverlapping();
  void resetLayoutShowsEveryPanel();
  void drawTabFitsSmallScreens();
  void dockTabTitlesAreWhole();
  void ensembleTrainingBoxFitsSmallScreens();
  void predictionCountIsWhole();
  void toolBarKeepsEveryActionAtTheMinimum();

 private:
  DatasetPtr m_data;
};

namespace {

// Every visible dock of the live view and the inspector in the middle, in window coordinates. A
// dock behind another's tab (Qt keeps it "visible", moved out of sight) does not count.
QList<QPair<QString, QRect>> panels(MainWindow& window) {
  QList<QPair<QString, QRect>> out;
  LiveTrainingView* live = window.live();
  const QWidget* central = live->centralWidget();
  out.append(
      {QStringLiteral("inspector"), QRect(central->mapTo(&window, QPoint(0, 0)), central->size())});
  for (QDockWidget* dock : live->findChildren<QDockWidget*>())
    if (dock->isVisible() &&
        !(live->tabifiedDockWidgets(dock).size() > 0 && dock->visibleRegion().isEmpty()))
      out.append({dock->objectName(), QRect(dock->mapTo(&window, QPoint(0, 0)), dock->size())});
  return out;
}

}  // namespace

void TestWindowLayout::initTestCase() {
  Q_INIT_RESOURCE(convscope);
  testing_data::resetSettings();
  m_data = testing_data::smallDataset(256, 300);
}

void TestWindowLayout::firstWindowFitsItsScreen() {
  QSettings().remove(QStringLiteral("window/geometry"));
  MainWindow window(m_data, {});
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  // The offscreen platform's screen (800 x 600) is smaller than the 1600 x 1000 a first window
  // wants on a large one, and smaller than the window's minimum: the window takes its minimum
  // (no panel over another) and no more, and is not maximized, which would squeeze it below.
  const QRect room = window.screen()->availableGeometry();
  const QSize least = window.minimumSizeHint().expandedTo(window.minimumSize());
  QVERIFY2(room.width() < least.width() || room.height() < least.height(),
           qPrintable(QStringLiteral("the test screen is %1×%2, the window's minimum %3×%4")
                          .arg(room.width())
                          .arg(room.height())
                          .arg(least.width())
                          .arg(least.height())));
  QVERIFY(!window.isMaximized());
  QCOMPARE(window.size(), least.expandedTo(QSize(1600, 1000).boundedTo(room.size())));
  QVERIFY2(window.width() >= least.width() && window.height() >= least.height(),
           qPrintable(QStringLiteral("a %1×%2 window below its minimum %3×%4")
                          .arg(window.width())
                          .arg(window.height())
                          .arg(least.width())
                          .arg(least.height())));
}

void TestWindowLayout::fitsSmallScreensWithLongTexts() {
  MainWindow window(m_data, {});
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  const auto fits = [&](const char* when) {
    const QSize min = window.minimumSizeHint().expandedTo(window.minimumSize());
    if (min.width() > 1280 || min.height() > 720)
      QFAIL(qPrintable(QStringLiteral("%1: the window needs at least %2×%3, more than 1280×720")
                           .arg(QLatin1String(when))
                           .arg(min.width())
                           .arg(min.height())));
  };
  fits("on start");
  // The longest text of the predictions header: a confusion cell's filter.
  window.live()->predictions()->showFilter(PredictionFilter::ConfusionCell, 4, 9);
  fits("with a confusion-cell filter");
  // After a run that stopped learning: every view filled (the probe, the tiles, the history strip,
  // a confusion matrix of counts) and the charts' warning above them, at 1280x720.
  window.resize(1280, 720);
  window.live()->session()->invoke(&TrainingWorker::start, testing_data::smallRun(*m_data, 2));
  QTRY_COMPARE_WITH_TIMEOUT(window.live()->session()->state(), TrainingState::Finished, 60000);
  auto dead = std::make_shared<cs::EvalResult>();  // every image taken for a 0
  dead->nets = 1;
  dead->count = m_data->test.count;
  dead->loss = {2.401f};
  dead->accuracy = {0.1032f};
  dead->top_labels.assign(size_t(dead->count) * 3, 0);
  dead->top_probs.assign(size_t(dead->count) * 3, 0.1f);
  dead->true_probs.assign(size_t(dead->count), 0.1f);
  EvaluationReport stuck;
  stuck.result = dead;
  stuck.metrics.step = 4690;
  stuck.metrics.epoch = 5;
  stuck.metrics.epoch_end = true;
  stuck.metrics.warning =
      "the network is not learning after 4690 steps: its validation accuracy, 10.32%, is no "
      "better than guessing among 10 classes, and its loss is 2.401 (an untrained network's is "
      "2.303); a lower learning rate usually helps";
  Q_EMIT window.live()->session()->worker()->evaluated(stuck);
  window.live()->charts()->refresh();
  QTest::qWait(30);
  QVERIFY(!window.live()->charts()->warning().isEmpty());
  QVERIFY(window.live()->confusionModel()->rowCount() > 0);
  fits("after a run, with the charts' not-learning warning");
  window.showView(MainWindow::EnsembleView);
  fits("on the Ensemble view");
  window.showView(MainWindow::SweepView);
  fits("on the Sweep view");
}

void TestWindowLayout::noPanelClippedOrOverlapping() {
  MainWindow window(m_data, {});
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  window.live()->predictions()->showFilter(PredictionFilter::ConfusionCell, 4, 9);
  // Down, up, and down again: a layout that only holds on the way up fails on the last ones.
  const QList<QSize> sizes{{1280, 720},  {1366, 768}, {1600, 1000},
                           {2560, 1440}, {1280, 720}, {1920, 1080}};
  for (const QSize& size : sizes) {
    window.resize(size);
    QTest::qWait(30);
    const QString at = QStringLiteral("%1×%2").arg(size.width()).arg(size.height());
    QCOMPARE(window.size(), size);
    const QRect inside(QPoint(0, 0), window.size());
    const auto list = panels(window);
    QCOMPARE(list.size(), 5);  // the inspector and four docks ("Draw a digit" is a tab)
    for (const auto& [name, rect] : list) {
      QVERIFY2(inside.contains(rect), qPrintable(at + QStringLiteral(": %1 is clipped").arg(name)));
      QVERIFY2(rect.width() > 50 && rect.height() > 50,
               qPrintable(at + QStringLiteral(": %1 has no room").arg(name)));
    }
    for (int i = 0; i < list.size(); ++i)
      for (int j = i + 1; j < list.size(); ++j)
        QVERIFY2(
            !list[i].second.intersects(list[j].second),
            qPrintable(at + QStringLiteral(": %1 overlaps %2").arg(list[i].first, list[j].first)));
    // The confusion matrix grows with its panel instead of scrolling.
    auto* matrix = window.live()->findChild<ConfusionMatrixView*>();
    QVERIFY2(
        !matrix->verticalScrollBar()->isVisible() && !matrix->horizontalScrollBar()->isVisible(),
        qPrintable(at + QStringLiteral(": the confusion matrix scrolls")));
  }
}

void TestWindowLayout::resetLayoutShowsEveryPanel() {
  MainWindow window(m_data, {});
  window.resize(1366, 768);
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  QList<QDockWidget*> docks = window.live()->findChildren<QDockWidget*>();
  QCOMPARE(docks.size(), 9);
  docks[0]->hide();
  docks[1]->setFloating(true);
  window.live()->findChild<QDockWidget*>(QStringLiteral("draw"))->setFloating(true);
  window.live()->resetLayout();
  QTest::qWait(30);
  for (QDockWidget* dock : docks) {
    QCOMPARE(window.live()->dockWidgetArea(dock) == Qt::NoDockWidgetArea, false);
    QVERIFY2(!dock->isFloating(), qPrintable(dock->objectName()));
    // "Draw a digit", "Layer statistics", "Embedding", "Class models" and "Calibration" are tabs
    // behind the charts.
    if (dock->objectName() == QStringLiteral("draw") ||
        dock->objectName() == QStringLiteral("layerStats") ||
        dock->objectName() == QStringLiteral("embedding") ||
        dock->objectName() == QStringLiteral("classModels") ||
        dock->objectName() == QStringLiteral("calibration"))
      QVERIFY(window.live()->tabifiedDockWidgets(dock).contains(
          window.live()->findChild<QDockWidget*>(QStringLiteral("charts"))));
    else
      QVERIFY2(dock->isVisible(), qPrintable(dock->objectName()));
  }
  QCOMPARE(panels(window).size(), 5);  // the inspector and four docks in front
}

void TestWindowLayout::drawTabFitsSmallScreens() {
  MainWindow window(m_data, {});
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  window.live()->findChild<QDockWidget*>(QStringLiteral("draw"))->raise();
  for (const QSize& size : {QSize(1280, 720), QSize(1366, 768), QSize(1920, 1080)}) {
    window.resize(size);
    QTest::qWait(30);
    const QString at = QStringLiteral("%1×%2").arg(size.width()).arg(size.height());
    QCOMPARE(window.size(), size);
    const auto list = panels(window);
    QCOMPARE(list.size(), 5);  // "Draw a digit" in front of the charts
    QVERIFY(std::any_of(list.begin(), list.end(), [](const auto& p) { return p.first == "draw"; }));
    const QRect inside(QPoint(0, 0), window.size());
    for (const auto& [name, rect] : list)
      QVERIFY2(inside.contains(rect), qPrintable(at + QStringLiteral(": %1 is clipped").arg(name)));
    // The canvas is a usable square, its input and top-3 beside it.
    const DigitCanvas* canvas = window.live()->canvasPanel()->canvas();
    QVERIFY2(canvas->drawingRect().width() >= 150,
             qPrintable(at + QStringLiteral(": canvas %1 px").arg(canvas->drawingRect().width())));
  }
  // The layer statistics, the other tab there, fit the smallest screen too.
  window.live()->findChild<QDockWidget*>(QStringLiteral("layerStats"))->raise();
  window.resize(1280, 720);
  QTest::qWait(30);
  const auto list = panels(window);
  const auto stats =
      std::find_if(list.begin(), list.end(), [](const auto& p) { return p.first == "layerStats"; });
  QVERIFY(stats != list.end());
  QVERIFY(QRect(QPoint(0, 0), window.size()).contains(stats->second));
  QVERIFY2(stats->second.height() >= 300, qPrintable(QString::number(stats->second.height())));
}

// The six tabs on the right do not fit 720 or 768 pixels of height with their whole titles:
// each keeps its title whole ("Layer statistics", not "Layer stati…"), and the bar scrolls.
void TestWindowLayout::dockTabTitlesAreWhole() {
  MainWindow window(m_data, {});
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  for (const QSize& size : {QSize(1280, 720), QSize(1366, 768)}) {
    for (bool reset : {false, true}) {
      window.resize(size);
      if (reset) window.live()->resetLayout();
      QTest::qWait(30);
      const QList<QTabBar*> bars =
          window.live()->findChildren<QTabBar*>(Qt::FindDirectChildrenOnly);
      int shown = 0;
      for (const QTabBar* bar : bars) {
        if (!bar->isVisible()) continue;
        ++shown;
        QCOMPARE(bar->count(), 6);
        for (int i = 0; i < bar->count(); ++i) {
          const QRect tab = bar->tabRect(i);
          const int room = std::max(tab.width(), tab.height());  // East: the text runs down
          QVERIFY2(room >= bar->fontMetrics().horizontalAdvance(bar->tabText(i)),
                   qPrintable(bar->tabText(i) + QStringLiteral(": %1 px").arg(room)));
        }
      }
      QCOMPARE(shown, 1);
    }
  }
}

void TestWindowLayout::ensembleTrainingBoxFitsSmallScreens() {
  MainWindow window(m_data, {});
  window.setWindowState(Qt::WindowNoState);
  window.resize(1366, 768);
  window.showView(MainWindow::EnsembleView);
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  RunsPanel* panel = window.ensemble()->runsPanel();
  // The longest description the worker writes: a group, a device and why there is no GPU.
  panel->showTraining(
      QStringLiteral("Training run 12: 50 × c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10 "
                     "on cpu (2 CPU threads) — no usable GPU (no CUDA driver: "
                     "libcuda.so.1 is not installed)"));
  // A store note long enough to wrap (a store in a deep folder).
  panel->setStoreNote(QStringLiteral("12 runs in /srv/experiments/2026/convscope-ensembles/mnist-"
                                     "reference-network/convscope.db"),
                      false);
  EnsembleProgress p;
  p.phase = EnsembleProgress::Phase::Training;
  p.nets = 50;
  p.epochs = 5;
  p.epoch = 1;
  p.stepInEpoch = 497;
  p.stepsPerEpoch = 938;
  p.groupSamplesPerSecond = 107380;
  p.elapsedSeconds = 15;
  p.etaSeconds = 130;
  p.lastMeanAccuracy = 0.9768;
  p.warning = QStringLiteral(
      "3 of 50 networks (4, 17, 30) are not learning after 938 steps: "
      "validation accuracy at most 10.32%, no better than guessing");
  panel->setProgress(p);
  QVERIFY(!panel->warningText().isEmpty());
  QTest::qWait(50);
  // The runs above the box keep their rows.
  const QTableView* runs = panel->table();
  const int rows = runs->viewport()->height() / runs->verticalHeader()->defaultSectionSize();
  QVERIFY2(rows >= RunsPanel::kMinRowsShown,
           qPrintable(QStringLiteral("room for %1 runs while training").arg(rows)));
  // Run to Status show without scrolling sideways (the architecture, last, is in the header too),
  // with the run list at the width the page gives it first.
  auto* split = qobject_cast<QSplitter*>(window.ensemble()->layout()->itemAt(0)->widget());
  QVERIFY(split && split->orientation() == Qt::Horizontal && split->widget(0)->isAncestorOf(panel));
  const int room = split->width() - split->handleWidth(), share = 400;
  split->setSizes({share, room - share});  // the page's initial sizes
  // more runs than rows: the vertical scroll bar takes its width too
  std::vector<cs::RunSummary> stored(12);
  for (size_t i = 0; i < stored.size(); ++i) {
    stored[i].id = static_cast<int64_t>(i + 1);
    stored[i].created = "2026-03-07T12:05:00.000Z";
    stored[i].status = cs::RunStatus::Interrupted;  // the longest status
    stored[i].spec = "c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10";
  }
  window.ensemble()->runsModel()->setRuns(stored);
  QTest::qWait(30);
  QVERIFY(runs->verticalScrollBar()->isVisible());
  const int statusEnd = runs->columnViewportPosition(RunsModel::StatusColumn) +
                        runs->columnWidth(RunsModel::StatusColumn);
  QVERIFY2(statusEnd <= runs->viewport()->width(),
           qPrintable(QStringLiteral("Status ends at %1 of %2 px")
                          .arg(statusEnd)
                          .arg(runs->viewport()->width())));
  QVERIFY(!runs->horizontalScrollBar()->isVisible());
  // The hard images' table shows all its columns, Forgotten the last, without a sideways scroll.
  const QTableView* hard = window.ensemble()->findChild<MisclassificationPanel*>()->table();
  QVERIFY2(hard->horizontalHeader()->length() <= hard->viewport()->width(),
           qPrintable(QStringLiteral("columns of %1 px in %2")
                          .arg(hard->horizontalHeader()->length())
                          .arg(hard->viewport()->width())));
  // A wide panel shows the architecture too.
  window.resize(1920, 1080);
  QTest::qWait(30);
  split->setSizes({600, split->width() - split->handleWidth() - 600});
  QTest::qWait(30);
  QVERIFY(!runs->isColumnHidden(RunsModel::ArchitectureColumn));
  // Every line of the box is drawn whole: no text cut at its top or bottom.
  const QWidget* box = panel->findChild<QWidget*>(QStringLiteral("trainingBox"));
  QVERIFY(box && box->isVisible());
  for (const QWidget* w : box->findChildren<QWidget*>()) {
    const auto* label = qobject_cast<const QLabel*>(w);
    const int needed =
        label && label->wordWrap() ? label->heightForWidth(label->width()) : w->sizeHint().height();
    QVERIFY2(w->height() >= needed,
             qPrintable(QStringLiteral("%1 (%2) is %3 px high of %4")
                            .arg(QLatin1String(w->metaObject()->className()), w->objectName())
                            .arg(w->height())
                            .arg(needed)));
  }
}

QTEST_MAIN(TestWindowLayout)
void TestWindowLayout::predictionCountIsWhole() {
  MainWindow window(m_data, {});
  window.setWindowState(Qt::WindowNoState);
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  PredictionsPanel* panel = window.live()->predictions();
  // The longest count: a confusion cell's, which ends with the accuracy (or "not evaluated").
  panel->showFilter(PredictionFilter::ConfusionCell, 4, 9);
  const auto* count = panel->findChild<ElidedLabel*>(QString(), Qt::FindDirectChildrenOnly);
  const auto* filter = panel->findChild<QComboBox*>();
  QVERIFY(count->text().endsWith(QStringLiteral("not evaluated yet")));
  for (const QSize& size : {QSize(1280, 720), QSize(1366, 768), QSize(1920, 1080),
                            QSize(2560, 1440), QSize(1366, 768)}) {
    window.resize(size);
    QTest::qWait(30);
    const QString at = QStringLiteral("%1×%2: ").arg(size.width()).arg(size.height());
    QVERIFY2(!count->isElided(), qPrintable(at + count->text()));
    // beside the controls where the panel is wide enough for both, else below them
    const bool wide = panel->width() >= filter->width() * 3 + count->sizeHint().width() + 200;
    const bool beside = count->geometry().top() < filter->geometry().bottom();
    if (wide) QVERIFY2(beside, qPrintable(at + QStringLiteral("below the controls")));
    if (!beside)
      QVERIFY2(count->geometry().left() <= filter->geometry().left(),
               qPrintable(at + QStringLiteral("not at the start of its own row")));
  }
  // A filter by a digit shows its digit box; the others hide it.
  const auto* digit = panel->findChildren<QComboBox*>().value(1);
  QVERIFY(!digit->isVisible());
  panel->showFilter(PredictionFilter::TrueLabel, 3);
  QVERIFY(digit->isVisible());
  QCOMPARE(digit->currentText(), QStringLiteral("3"));
}

void TestWindowLayout::toolBarKeepsEveryActionAtTheMinimum() {
  QFile style(QStringLiteral(":/convscope.qss"));
  QVERIFY(style.open(QIODevice::ReadOnly));
  qApp->setStyleSheet(QString::fromUtf8(style.readAll()));  // the app's padding, as main() sets
  {
    MainWindow window(m_data, {});
    window.setWindowState(Qt::WindowNoState);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.resize(800, 600);  // as narrow as the window goes
    QTest::qWait(50);
    const auto* bar = window.findChild<QToolBar*>();
    for (QAction* action : bar->actions()) {
      if (action->isSeparator()) continue;
      const QWidget* button = bar->widgetForAction(action);
      QVERIFY2(button && button->isVisible() && bar->rect().contains(button->geometry()),
               qPrintable(QStringLiteral("%1 off the bar of a %2 px window")
                              .arg(action->text())
                              .arg(window.width())));
    }
  }
  qApp->setStyleSheet(QString());
}

#include "test_window_layout.moc"
