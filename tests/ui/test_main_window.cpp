// Smoke test of the whole window, offscreen: open it, train on a small real subset, and see every
// view update: filter grids fill, the snapshot step advances, the chart series grow, the
// predictions, the confusion matrix and the calibration arrive after the evaluation. Then the
// view switching, probe picking, validation gating of Start, the exports, and Help's About and
// Keyboard shortcuts; the charts' view options kept for the next session.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QSet>
#include <QSettings>
#include <QShortcut>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "canvas/canvas_panel.h"
#include "canvas/digit_canvas.h"
#include "charts/training_charts.h"
#include "convscope/backends.h"
#include "ensemble/ensemble_page.h"
#include "export/run_exports.h"
#include "history/learning_history_panel.h"
#include "network/layer_view.h"
#include "network/network_inspector.h"
#include "predictions/calibration_model.h"
#include "predictions/calibration_view.h"
#include "predictions/confusion_matrix_model.h"
#include "predictions/prediction_filter_model.h"
#include "predictions/prediction_model.h"
#include "predictions/predictions_panel.h"
#include "settings/hyperparameter_panel.h"
#include "sweep/sweep_page.h"
#include "test_data.h"
#include "training/training_session.h"
#include "widgets/elided_label.h"
#include "widgets/shortcut_place.h"
#include "window/live_training_view.h"
#include "window/main_window.h"
#include "window/shortcuts_dialog.h"
#include "window/shortcuts_model.h"
#include "window/training_status_bar.h"
#include "window/unsaved_run_guard.h"

class TestMainWindow : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void trainsAndEveryViewUpdates();
  void uiStaysResponsiveWhileTraining();
  void startNeedsValidSettings();
  void aboutSaysWhatABugReportNeeds();
  void theBackendMadeReadyIsThePanels();
  void aDrawingBehindAnotherTabIsPredictedWhenShown();
  void keyboardShortcutsListEveryShortcut();
  void chartOptionsComeBackInTheNextSession();

 private:
  DatasetPtr m_data;
};

void TestMainWindow::initTestCase() {
  Q_INIT_RESOURCE(convscope);
  testing_data::resetSettings();
  m_data = testing_data::smallDataset(1024, 300);
}

void TestMainWindow::trainsAndEveryViewUpdates() {
  MainWindow window(m_data, {});
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  LiveTrainingView* live = window.live();
  TrainingSession* session = live->session();
  QCOMPARE(live->predictionModel()->rowCount(), 300);  // the images show before any training
  QVERIFY(live->panel()->validation().ok);
  QVERIFY(live->actions().start->isEnabled());
  QVERIFY(!live->actions().stop->isEnabled());

  // Step: one batch, then paused, with the frame of that batch in every layer view.
  live->actions().step->trigger();
  QTRY_COMPARE(session->state(), TrainingState::Paused);
  QTRY_VERIFY(live->inspector()->snapshot() != nullptr);
  const long long firstStep = live->inspector()->snapshot()->step;
  QCOMPARE(firstStep, 1LL);  // the weights after that batch
  QCOMPARE(live->inspector()->layerCount(), 4);
  QVERIFY(live->inspector()->layerModel(0)->rowCount() > 0);
  QVERIFY(!live->panel()->findChild<QWidget*>(QStringLiteral("batchSize"))->isEnabled());
  QVERIFY(!live->actions().start->isEnabled());
  QCOMPARE(live->actions().pauseResume->text(), QStringLiteral("&Resume"));

  live->actions().pauseResume->trigger();
  QTRY_COMPARE_WITH_TIMEOUT(session->state(), TrainingState::Finished, 120000);
  QTRY_VERIFY(live->inspector()->snapshot()->step > firstStep);  // the final frame
  QTRY_VERIFY(live->charts()->plottedLossPoints() >= 32);        // 1024 / 32 steps, one epoch
  QTRY_COMPARE(live->charts()->plottedEvaluationPoints(), 1);
  // The probe, image 0 until another is chosen, has its history below the grid from the start.
  const QString history = live->predictions()->historyPanel()->summaryText();
  QVERIFY2(history.startsWith(QStringLiteral("#0 (")), qPrintable(history));
  QVERIFY(live->predictionModel()->hasEvaluation());
  QCOMPARE(live->confusionModel()->rowCount(), 10);
  // The calibration of the same evaluation: every image binned, right as often as the grid says.
  const cs::Calibration& calibration = live->calibrationModel()->calibration();
  QCOMPARE(calibration.count, 300);
  QCOMPARE(calibration.right, live->predictionModel()->correctCount());
  QVERIFY(live->calibrationModel()->rowCount() > 0);
  QVERIFY2(live->calibrationView()->note().startsWith(QStringLiteral("ECE ")),
           qPrintable(live->calibrationView()->note()));
  // Each class's accuracy line: one pass, at the class's recall in the confusion matrix.
  live->charts()->setClassAccuracyShown(true);
  for (int c = 0; c < 10; ++c) {
    const QList<QPointF> line = live->charts()->plottedClassAccuracy(c);
    QCOMPARE(line.size(), 1);
    QCOMPARE(line[0].y(), 100 * live->confusionModel()->recall(c));
  }
  live->charts()->setClassAccuracyShown(false);
  // The evaluation counted the dead units of conv1 (4 channels) and fc1 (16 units) on its 300
  // validation images; a layer with some says so in its header.
  const cs::DeadUnits& dead = live->inspector()->deadUnits();
  QCOMPARE(dead.images, 300);
  QCOMPARE(dead.layers, std::vector<int>({0, 2}));
  QCOMPARE(dead.units, std::vector<int>({4, 16}));
  QCOMPARE(live->inspector()->layerView(0)->deadText().isEmpty(), dead.dead[0] == 0);
  live->inspector()->setDeadUnits(cs::DeadUnits{300, {0, 2}, {3, 0}, {4, 16}});
  QCOMPARE(live->inspector()->layerView(0)->deadText(), QStringLiteral("3 of 4 dead"));
  QCOMPARE(live->inspector()->layerView(1)->deadText(), QString());
  QCOMPARE(live->inspector()->layerView(2)->deadText(), QString());
  // Where it trains (the bar may show a message in its place for a while).
  QVERIFY(window.trainingStatusBar()->backendText().contains(QStringLiteral("CPU")));
  QVERIFY(live->actions().exportPredictionsCsv->isEnabled());
  QVERIFY(live->actions().exportClassMetricsCsv->isEnabled());

  // Every layer and every quantity has something to show.
  for (GridQuantity q : {GridQuantity::Weights, GridQuantity::ActivationGradients,
                         GridQuantity::WeightGradients, GridQuantity::Activations}) {
    live->inspector()->setQuantity(q);
    QVERIFY(live->inspector()->layerModel(0)->rowCount() > 0);
    QVERIFY(live->inspector()->layerModel(3)->rowCount() > 0);
  }

  // Ctrl+2 / Ctrl+1 switch views; the live view keeps its state.
  QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
  QCOMPARE(window.currentView(), MainWindow::EnsembleView);
  QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
  QCOMPARE(window.currentView(), MainWindow::LiveView);
  QVERIFY(live->inspector()->snapshot() != nullptr);

  // Clicking a misclassified image makes it the probe; the finished run captures a new frame.
  PredictionsPanel* predictions = live->predictions();
  predictions->showFilter(PredictionFilter::Misclassified);
  PredictionFilterModel* proxy = predictions->filterModel();
  QVERIFY(proxy->rowCount() > 0);
  QListView* grid = predictions->view();
  const QModelIndex first = proxy->index(0, 0);
  const int row = proxy->mapToSource(first).row();
  grid->scrollTo(first);
  QTest::mouseClick(grid->viewport(), Qt::LeftButton, {}, grid->visualRect(first).center());
  QCOMPARE(session->probe(), row);
  QTRY_COMPARE(live->inspector()->snapshot()->probe, row);

  QTemporaryDir dir;
  QVERIFY(live->exports()->writeChartsPng(dir.filePath(QStringLiteral("charts.png"))));
  QVERIFY(!QImage(dir.filePath(QStringLiteral("charts.png"))).isNull());
  QVERIFY(live->exports()->writeMetricsCsv(dir.filePath(QStringLiteral("metrics.csv"))));
  QVERIFY(live->exports()->writePredictionsCsv(dir.filePath(QStringLiteral("predictions.csv"))));
  QFile csv(dir.filePath(QStringLiteral("predictions.csv")));
  QVERIFY(csv.open(QIODevice::ReadOnly));
  QCOMPARE(csv.readAll().count('\n'), 301);
  // The per-class report: a row a class, each class's images and right ones the matrix's.
  QVERIFY(live->exports()->writeClassMetricsCsv(dir.filePath(QStringLiteral("classes.csv"))));
  QFile classes(dir.filePath(QStringLiteral("classes.csv")));
  QVERIFY(classes.open(QIODevice::ReadOnly));
  const QList<QByteArray> rows = classes.readAll().split('\n');
  QCOMPARE(rows.size(), 12);  // the header, 10 classes and the last line's end
  QCOMPARE(rows[0], QByteArray("class,name,support,predicted,right,precision,recall,f1"));
  const ConfusionMatrixModel* confusion = live->confusionModel();
  for (int c = 0; c < 10; ++c) {
    const QList<QByteArray> cells = rows[c + 1].split(',');
    long long images = 0;
    for (int p = 0; p < 10; ++p) images += confusion->count(c, p);
    QCOMPARE(cells[2].toLongLong(), images);
    QCOMPARE(cells[4].toLongLong(), confusion->count(c, c));
  }

  // The finished run is not saved: Reset asks first (answered Discard here).
  QStringList questions;
  live->unsavedRunGuard()->setAsker([&questions](const QString& question) {
    questions << question;
    return UnsavedRunGuard::Answer{UnsavedRunGuard::Answer::Discard, {}};
  });
  live->actions().reset->trigger();
  QCOMPARE(questions.size(), 1);
  QTRY_COMPARE(session->state(), TrainingState::Idle);
  QVERIFY(live->history().isEmpty());
  QVERIFY(!live->predictionModel()->hasEvaluation());
  QCOMPARE(live->calibrationModel()->rowCount(), 0);
  QVERIFY(live->inspector()->snapshot() == nullptr);
  QVERIFY(live->inspector()->deadUnits().layers.empty());
}

void TestMainWindow::uiStaysResponsiveWhileTraining() {
  MainWindow window(m_data, {});
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  LiveTrainingView* live = window.live();
  TrainingSettings reference;  // the full reference network, live frames and all
  reference.backend = cs::BackendChoice::Cpu;
  reference.epochs = 1000;  // the panel's maximum: the run outlasts the measurement on any machine
  live->panel()->setSettings(reference);
  QSignalSpy frames(live->session(), &TrainingSession::snapshotReady);
  live->actions().start->trigger();
  QTRY_COMPARE(live->session()->state(), TrainingState::Running);

  // A 10 ms UI timer must keep firing while training runs on the worker thread.
  QElapsedTimer clock;
  qint64 last = 0, worst = 0;
  QTimer tick;
  tick.setInterval(10);
  connect(&tick, &QTimer::timeout, [&] {
    worst = std::max(worst, clock.elapsed() - last);
    last = clock.elapsed();
  });
  clock.start();
  tick.start();
  QTest::qWait(3000);
  tick.stop();
  QCOMPARE(live->session()->state(), TrainingState::Running);  // measured while training
  live->actions().stop->trigger();
  QTRY_COMPARE(live->session()->state(), TrainingState::Stopped);
  qInfo("longest UI event-loop gap while training: %lld ms, %lld frames shown",
        static_cast<long long>(worst), static_cast<long long>(frames.count()));
  QVERIFY2(worst < 250, qPrintable(QString::number(worst)));
  QVERIFY(frames.count() >= 10);  // the views kept updating
}

void TestMainWindow::startNeedsValidSettings() {
  MainWindow window(m_data, {});
  LiveTrainingView* live = window.live();
  TrainingSettings s = live->panel()->settings();
  s.convBlocks = {{5, 8, PoolKind::Max, 2}, {5, 16, PoolKind::Max, 2}, {9, 16, PoolKind::None, 2}};
  live->panel()->setSettings(s);
  QVERIFY(!live->actions().start->isEnabled());
  QVERIFY(!live->actions().step->isEnabled());
  QVERIFY2(live->actions().start->toolTip().contains(QStringLiteral("layer 5")),
           qPrintable(live->actions().start->toolTip()));
  s.convBlocks.back().kernel = 3;
  live->panel()->setSettings(s);
  QVERIFY(live->actions().start->isEnabled());
}

// The worker makes ready the backend the panel shows: a CUDA saved on a machine without a usable
// GPU starts as Auto (the panel's fallback), with no error; a choice made while a run stands is
// made ready once the run is reset.
void TestMainWindow::theBackendMadeReadyIsThePanels() {
  if (cs::cuda_status().available) QSKIP("a GPU is usable here: a saved CUDA stands");
  QSettings().setValue(QStringLiteral("training/backend"), QStringLiteral("cuda"));
  {
    MainWindow window(m_data, {});
    LiveTrainingView* live = window.live();
    QCOMPARE(live->panel()->settings().backend, cs::BackendChoice::Auto);
    QTRY_VERIFY(!window.trainingStatusBar()->backendText().isEmpty());
    QCOMPARE(live->session()->backendReport().kind, QStringLiteral("cpu"));
    QVERIFY(!live->session()->backendReport().note.isEmpty());  // why Auto is the CPU here
    QVERIFY(window.findChildren<QMessageBox*>().isEmpty());

    // A run on the CPU, stopped, Auto chosen: the run keeps its CPU, and Auto is made ready at
    // Reset.
    live->panel()->setSettings(testing_data::smallSettings(1));
    live->actions().step->trigger();
    QTRY_VERIFY(live->session()->hasRun());
    QTRY_VERIFY(live->session()->backendReport().note.isEmpty());
    live->actions().stop->trigger();
    QTRY_COMPARE(live->session()->state(), TrainingState::Stopped);
    auto* backend = live->panel()->findChild<QComboBox*>(QStringLiteral("backend"));
    backend->setCurrentIndex(backend->findData(static_cast<int>(cs::BackendChoice::Auto)));
    QCOMPARE(live->panel()->settings().backend, cs::BackendChoice::Auto);
    QTest::qWait(200);
    QVERIFY(live->session()->backendReport().note.isEmpty());
    live->unsavedRunGuard()->setAsker([](const QString&) {
      return UnsavedRunGuard::Answer{UnsavedRunGuard::Answer::Discard, {}};
    });
    live->actions().reset->trigger();
    QTRY_COMPARE(live->session()->state(), TrainingState::Idle);
    QTRY_VERIFY(!live->session()->backendReport().note.isEmpty());
  }
  testing_data::resetSettings();
}

// The drawing's prediction waits while its dock is behind another tab, and comes with the
// weights as they are once the dock is brought to the front (a paused run sends no more frames).
void TestMainWindow::aDrawingBehindAnotherTabIsPredictedWhenShown() {
  MainWindow window(m_data, {});
  window.resize(1366, 768);
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  LiveTrainingView* live = window.live();
  auto* draw = live->findChild<QDockWidget*>(QStringLiteral("draw"));
  auto* charts = live->findChild<QDockWidget*>(QStringLiteral("charts"));
  QVERIFY(draw && charts);
  charts->raise();
  QTRY_VERIFY(live->canvasPanel()->visibleRegion().isEmpty());  // behind the Charts tab
  live->actions().step->trigger();
  QTRY_COMPARE(live->session()->state(), TrainingState::Paused);
  QSignalSpy predicted(live->canvasPanel(), &CanvasPanel::predicted);
  QImage digit(280, 280, QImage::Format_Grayscale8);
  digit.fill(255);
  QPainter(&digit).fillRect(120, 40, 40, 200, Qt::black);  // a "1" of dark ink on white
  live->canvasPanel()->canvas()->setImage(digit);
  QTRY_COMPARE(predicted.size(), 1);  // the drawing itself is predicted at once
  const std::vector<float> before = predicted.back().front().value<DigitPrediction>().probs;
  for (int i = 0; i < 5; ++i) live->actions().step->trigger();
  QTRY_VERIFY(live->inspector()->snapshot() && live->inspector()->snapshot()->step == 6);
  QTest::qWait(200);
  QCOMPARE(predicted.size(), 1);  // out of sight: not again
  draw->raise();
  QTRY_COMPARE(predicted.size(), 2);
  QVERIFY(predicted.back().front().value<DigitPrediction>().probs != before);  // six steps on
  live->unsavedRunGuard()->setAsker([](const QString&) {
    return UnsavedRunGuard::Answer{UnsavedRunGuard::Answer::Discard, {}};
  });
}

void TestMainWindow::aboutSaysWhatABugReportNeeds() {
  MainWindow window(m_data, {});
  QTRY_VERIFY(!window.trainingStatusBar()->backendText().isEmpty());  // the backend's report
  const QString about = window.aboutText();
  QVERIFY2(about.contains(QStringLiteral("Qt ") + QString::fromLatin1(qVersion())),
           qPrintable(about));
  QVERIFY2(about.contains(window.trainingStatusBar()->backendText().toHtmlEscaped()),
           qPrintable(about));
  QVERIFY2(about.contains(QDir::toNativeSeparators(window.ensemble()->storePath())),
           qPrintable(about));
  // Help has About Qt beside it.
  QMenu* help = window.menuBar()->actions().last()->menu();
  QVERIFY(help);
  QCOMPARE(help->actions().size(), 3);
  QCOMPARE(help->actions().last()->text(), QStringLiteral("About &Qt"));
}

// Help ▸ Keyboard shortcuts lists every action of the window that has a shortcut, by its menu or
// the place its creator named (the canvas's Esc, the run lists' Delete), each once.
void TestMainWindow::keyboardShortcutsListEveryShortcut() {
  MainWindow window(m_data, {});
  auto* open = window.findChild<QAction*>(QStringLiteral("keyboardShortcuts"));
  QVERIFY(open);
  QCOMPARE(open->shortcut(), QKeySequence(QKeySequence::HelpContents));
  open->trigger();
  auto* dialog = window.findChild<ShortcutsDialog*>();
  QVERIFY(dialog);
  QAbstractItemModelTester tester(dialog->model(),
                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
  const ShortcutsModel& model = *dialog->model();
  QSet<QString> rows;
  for (int r = 0; r < model.rowCount(); ++r) {
    const QString row = model.index(r, ShortcutsModel::Place).data().toString() + u'|' +
                        model.index(r, ShortcutsModel::Action).data().toString() + u'|' +
                        model.index(r, ShortcutsModel::Keys).data().toString();
    QVERIFY2(!rows.contains(row), qPrintable(row));
    QVERIFY2(!model.index(r, ShortcutsModel::Place).data().toString().isEmpty(), qPrintable(row));
    rows << row;
  }
  const auto keys = [](QKeySequence k) { return k.toString(QKeySequence::NativeText); };
  for (const QString& expected :
       {QStringLiteral("Training|Start|") + keys(Qt::Key_F5),
        QStringLiteral("Training|Network summary…|") + keys(QKeySequence(Qt::CTRL | Qt::Key_I)),
        QStringLiteral("File|Save checkpoint…|") + keys(QKeySequence::Save),
        QStringLiteral("View|Live training|") + keys(QKeySequence(Qt::CTRL | Qt::Key_1)),
        QStringLiteral("Help|Keyboard shortcuts|") + keys(QKeySequence::HelpContents),
        QStringLiteral("Drawing canvas|Clear|") + keys(Qt::Key_Escape),
        QStringLiteral("Drawing canvas|Undo stroke|") + keys(QKeySequence::Undo),
        QStringLiteral("Training|Continue for more epochs|") + keys(Qt::Key_F7),
        QStringLiteral("Training|Pause or resume|") + keys(Qt::Key_F6),
        QStringLiteral("Stored ensembles|Delete run…|") + keys(QKeySequence::Delete),
        QStringLiteral("Stored sweeps|Delete sweep…|") + keys(QKeySequence::Delete)})
    QVERIFY2(rows.contains(expected), qPrintable(expected));
  // Every action with a shortcut of every widget the app made has its row, and no shortcut
  // lives outside an action (a QShortcut the list could not see).
  int shortcuts = 0;
  for (const QWidget* w : QApplication::allWidgets()) {
    QVERIFY2(w->findChildren<QShortcut*>(Qt::FindDirectChildrenOnly).isEmpty(),
             qPrintable(w->objectName()));
    if (w->window() != &window) continue;
    for (const QAction* a : w->actions()) {
      if (a->shortcut().isEmpty()) continue;
      ++shortcuts;
      const QString row = ShortcutsModel::placeOf(a) + u'|' +
                          ShortcutsModel::plain(shortcutText(a)) + u'|' + keys(a->shortcut());
      QVERIFY2(rows.contains(row), qPrintable(row));
    }
  }
  QVERIFY(shortcuts >= rows.size());  // every row an action's (the two canvases share theirs)
  // A second F1 raises the dialog open, not another.
  open->trigger();
  QCOMPARE(window.findChildren<ShortcutsDialog*>().size(), 1);
  // The menus first, in the menu bar's order.
  QCOMPARE(model.index(0, ShortcutsModel::Place).data().toString(), QStringLiteral("File"));
}

void TestMainWindow::chartOptionsComeBackInTheNextSession() {
  const ChartOptions set{0.5, true, true, false};
  {
    MainWindow window(m_data, {});
    QCOMPARE(window.live()->charts()->options(), ChartOptions());
    window.live()->charts()->setOptions(set);
  }
  MainWindow next(m_data, {});
  QCOMPARE(next.live()->charts()->options(), set);
  QVERIFY(next.live()->charts()->logLossAxis());
  next.live()->charts()->setOptions({});
  QCOMPARE(ChartOptions::load(QSettings()), ChartOptions());
}

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
