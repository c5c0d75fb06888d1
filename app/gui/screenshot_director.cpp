#include "screenshot_director.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QMouseEvent>
#include <QPixmap>
#include <QTabWidget>
#include <cstdio>

#include "canvas/canvas_panel.h"
#include "canvas/digit_canvas.h"
#include "canvas/saliency_view.h"
#include "canvas/vote_model.h"
#include "canvas/vote_panel.h"
#include "charts/layer_stats_chart.h"
#include "charts/training_charts.h"
#include "ensemble/accuracy_charts.h"
#include "ensemble/ensemble_page.h"
#include "network/class_models_view.h"
#include "network/network_inspector.h"
#include "predictions/calibration_view.h"
#include "predictions/prediction_filter_model.h"
#include "predictions/predictions_panel.h"
#include "settings/hyperparameter_panel.h"
#include "sweep/sweep_page.h"
#include "training/training_session.h"
#include "window/live_training_view.h"
#include "window/lr_finder_dialog.h"
#include "window/main_window.h"
#include "window/network_summary_dialog.h"
#include "window/unsaved_run_guard.h"

namespace {

constexpr const char* kShownSchedule = "step:0.2:0.5";

// Draws a "7" on `canvas` with mouse events, as a user would.
void drawSeven(DigitCanvas* canvas) {
  const QRectF r = canvas->drawingRect();
  const auto send = [canvas, r](QEvent::Type type, QPointF unit) {
    const QPointF p(r.x() + unit.x() * r.width(), r.y() + unit.y() * r.height());
    QMouseEvent event(type, p, canvas->mapToGlobal(p), Qt::LeftButton,
                      type == QEvent::MouseButtonRelease ? Qt::NoButton : Qt::LeftButton,
                      Qt::NoModifier);
    QApplication::sendEvent(canvas, &event);
  };
  const QPointF points[] = {{0.28, 0.24}, {0.5, 0.22},  {0.72, 0.22},
                            {0.62, 0.45}, {0.52, 0.66}, {0.46, 0.82}};
  send(QEvent::MouseButtonPress, points[0]);
  for (const QPointF& p : points) send(QEvent::MouseMove, p);
  send(QEvent::MouseButtonRelease, points[std::size(points) - 1]);
  // The bar of a continental seven.
  send(QEvent::MouseButtonPress, {0.42, 0.47});
  send(QEvent::MouseMove, {0.56, 0.46});
  send(QEvent::MouseMove, {0.7, 0.46});
  send(QEvent::MouseButtonRelease, {0.7, 0.46});
}

}  // namespace

ScreenshotDirector::ScreenshotDirector(MainWindow* window, int steps, const QString& dir,
                                       QObject* parent)
    : QObject(parent), m_window(window), m_steps(std::max(1, steps)), m_dir(dir) {
  m_watchdog.setSingleShot(true);
  m_watchdog.setInterval(kTimeoutMs);
  connect(&m_watchdog, &QTimer::timeout, this, [this] { fail(tr("timed out")); });
}

void ScreenshotDirector::start() {
  if (!m_dir.mkpath(QStringLiteral("."))) return fail(tr("cannot create %1").arg(m_dir.path()));
  LiveTrainingView* live = m_window->live();
  TrainingSession* session = live->session();
  connect(session->worker(), &TrainingWorker::progress, this, &ScreenshotDirector::onProgress);
  connect(session->worker(), &TrainingWorker::evaluated, this, &ScreenshotDirector::onEvaluated);
  // Once the first run is reset (and Start is on again), the run shown starts.
  connect(session, &TrainingSession::stateChanged, this, [this](TrainingState state) {
    if (m_phase != Phase::Resetting || state != TrainingState::Idle) return;
    m_phase = Phase::Training;
    startRun(m_lr);
  });
  connect(session->worker(), &TrainingWorker::failed, this,
          [this](const QString& title, const QString& message) { fail(title + ": " + message); });
  m_watchdog.start();
  m_window->showView(MainWindow::LiveView);
  // The comparison run is reset without asking to save it.
  live->unsavedRunGuard()->setAsker([](const QString&) {
    return UnsavedRunGuard::Answer{UnsavedRunGuard::Answer::Discard, {}};
  });
  m_lr = live->panel()->settings().learningRate;
  // Let the backend come up and the layout settle before pressing Start.
  QTimer::singleShot(1500, this, [this] { startRun(10 * m_lr); });
}

void ScreenshotDirector::startRun(double lr) {
  LiveTrainingView* live = m_window->live();
  // Evaluations within the run give the learning history (live-history.png) its cells.
  TrainingSettings settings = live->panel()->settings();
  settings.evalEvery = std::max(10, m_steps / 8);
  settings.learningRate = lr;
  // The run shown halves its rate every fifth of an epoch: the loss chart draws the schedule.
  settings.schedule =
      m_phase == Phase::Training ? cs::LrSchedule::parse(kShownSchedule) : cs::LrSchedule();
  live->panel()->setSettings(settings);
  // The Layer statistics tab in front while the run shown trains, as a user who watches them has
  // it: the worker measures the update ratios only then (the shots put the charts back first).
  if (m_phase == Phase::Training)
    live->findChild<QDockWidget*>(QStringLiteral("layerStats"))->raise();
  if (!live->actions().start->isEnabled())
    return fail(tr("cannot start: %1").arg(live->panel()->validation().message));
  std::printf("convscope: training %d steps at learning rate %g (%s)…\n", m_steps, lr,
              settings.schedule.to_string().c_str());
  std::fflush(stdout);
  live->actions().start->trigger();
}

void ScreenshotDirector::onProgress(const TrainingProgress& progress) {
  if (m_phase == Phase::Comparing && progress.globalStep >= m_steps) {
    m_phase = Phase::Resetting;  // its later reports are not the shown run's
    LiveTrainingView* live = m_window->live();
    live->actions().reset->trigger();
    return;
  }
  if (m_phase != Phase::Training || m_pausing || progress.globalStep < m_steps) return;
  m_pausing = true;
  TrainingSession* session = m_window->live()->session();
  session->invoke(&TrainingWorker::pause);
  session->invoke(&TrainingWorker::evaluateNow);
}

void ScreenshotDirector::onEvaluated() {
  if (!m_pausing || m_shooting) return;
  m_shooting = true;
  takeScreenshots();
}

void ScreenshotDirector::takeScreenshots() {
  LiveTrainingView* live = m_window->live();
  NetworkInspector* inspector = live->inspector();
  const auto tab = [this, inspector](GridQuantity q, const QString& name) {
    m_script.push_back({100, [inspector, q] { inspector->setQuantity(q); }});
    m_script.push_back({600, [this, name] { shoot(name); }});
  };
  m_script.push_back(
      {0, [live] { live->findChild<QDockWidget*>(QStringLiteral("charts"))->raise(); }});
  m_script.push_back({1500, [] {}});  // charts redraw, a frame of the paused state arrives
  tab(GridQuantity::Activations, QStringLiteral("live-activations.png"));
  tab(GridQuantity::Weights, QStringLiteral("live-weights.png"));
  tab(GridQuantity::ActivationGradients, QStringLiteral("live-activation-gradients.png"));
  tab(GridQuantity::WeightGradients, QStringLiteral("live-weight-gradients.png"));
  m_script.push_back({100, [live] {
                        live->predictions()->showFilter(PredictionFilter::Misclassified);
                        live->predictions()->showOrder(PredictionOrder::HighestLoss);
                        PredictionFilterModel* proxy = live->predictions()->filterModel();
                        if (proxy->rowCount() > 0)
                          live->setProbe(proxy->mapToSource(proxy->index(0, 0)).row());
                        live->inspector()->setQuantity(GridQuantity::Activations);
                      }});
  m_script.push_back({1200, [this] { shoot(QStringLiteral("live-misclassified.png")); }});
  m_script.push_back({100, [live] {  // the most often forgotten image and its history strip
                        live->predictions()->showFilter(PredictionFilter::Forgotten);
                        live->predictions()->showOrder(PredictionOrder::MostForgotten);
                        PredictionFilterModel* proxy = live->predictions()->filterModel();
                        if (proxy->rowCount() > 0)
                          live->setProbe(proxy->mapToSource(proxy->index(0, 0)).row());
                      }});
  m_script.push_back({1200, [this] { shoot(QStringLiteral("live-history.png")); }});
  // The accuracy chart's line of each class over the demo's evaluations.
  m_script.push_back({100, [live] { live->charts()->setClassAccuracyShown(true); }});
  m_script.push_back({1200, [this] { shoot(QStringLiteral("class-accuracy.png")); }});
  m_script.push_back({100, [live] { live->charts()->setClassAccuracyShown(false); }});
  m_script.push_back({100, [this, live] {
                        // Not through File > Export: its status message would name this
                        // folder in the shots that follow.
                        const QString path = m_dir.filePath(QStringLiteral("charts.png"));
                        QString error;
                        if (!live->charts()->exportPng(path, &error))
                          return fail(tr("charts export failed: %1").arg(error));
                        std::printf("convscope: wrote %s\n", qPrintable(path));
                      }});
  // Draw a digit: the canvas tab beside the charts, a drawn 7, its saliency map.
  m_script.push_back({100, [live] {
                        live->findChild<QDockWidget*>(QStringLiteral("draw"))->raise();
                        live->saliencyView()->setMethod(cs::SaliencyMethod::SmoothGrad);
                      }});
  m_script.push_back({400, [live] { drawSeven(live->canvasPanel()->canvas()); }});
  m_script.push_back({1500, [this] { shoot(QStringLiteral("canvas.png")); }});
  m_script.push_back({100, [live] {
                        live->canvasPanel()->useAsProbe();
                        live->saliencyView()->setMethod(cs::SaliencyMethod::IntegratedGradients);
                      }});
  m_script.push_back({1500, [this] { shoot(QStringLiteral("saliency.png")); }});
  m_script.push_back(
      {100, [live] { live->saliencyView()->setMethod(cs::SaliencyMethod::Occlusion); }});
  m_script.push_back({1500, [this] { shoot(QStringLiteral("saliency-occlusion.png")); }});
  m_script.push_back(
      {100, [live] { live->saliencyView()->setMethod(cs::SaliencyMethod::GradCam); }});
  m_script.push_back({1500, [this] { shoot(QStringLiteral("saliency-gradcam.png")); }});
  m_script.push_back(
      {100, [live] { live->findChild<QDockWidget*>(QStringLiteral("layerStats"))->raise(); }});
  m_script.push_back({1200, [this] { shoot(QStringLiteral("layer-stats.png")); }});
  // The same tab's distribution of fc1's weights over the run.
  m_script.push_back({100, [live] {
                        LayerStatsChart* chart = live->layerStatsChart();
                        chart->setStatistic(LayerStatsChart::WeightDistribution);
                        chart->setDistributionLayer(2);  // conv1, conv2, fc1
                      }});
  m_script.push_back({1200, [this] { shoot(QStringLiteral("layer-distribution.png")); }});
  m_script.push_back(
      {100, [live] { live->layerStatsChart()->setStatistic(LayerStatsChart::UpdateRatio); }});
  // The Embedding tab: fc1's outputs of the first 2,000 validation images, projected.
  m_script.push_back(
      {100, [live] { live->findChild<QDockWidget*>(QStringLiteral("embedding"))->raise(); }});
  m_script.push_back({2500, [this] { shoot(QStringLiteral("embedding.png")); }});
  // The Class models tab: each class's image by gradient ascent on the pixels.
  m_script.push_back(
      {100, [live] { live->findChild<QDockWidget*>(QStringLiteral("classModels"))->raise(); }});
  m_script.push_back({2500, [this] { shoot(QStringLiteral("class-models.png")); }});
  // The same for conv2's 16 filters (layers conv1, pool1, conv2, ...).
  m_script.push_back({100, [live] { live->classModelsView()->chooseLayer(2); }});
  m_script.push_back({2500, [this] { shoot(QStringLiteral("class-models-conv2.png")); }});
  m_script.push_back({100, [live] { live->classModelsView()->chooseLayer(-1); }});
  // The Calibration tab: the reliability diagram of the last evaluation.
  m_script.push_back(
      {100, [live] { live->findChild<QDockWidget*>(QStringLiteral("calibration"))->raise(); }});
  m_script.push_back({800, [this] { shoot(QStringLiteral("calibration.png")); }});
  m_script.push_back({100, [this, live] {
                        live->findChild<QDockWidget*>(QStringLiteral("charts"))->raise();
                        m_window->showView(MainWindow::EnsembleView);
                      }});
  m_script.push_back({400, [this] { shoot(QStringLiteral("ensemble.png")); }});
  m_script.push_back({100, [this] {
                        VotePanel* vote = m_window->ensemble()->votePanel();
                        m_window->ensemble()
                            ->findChild<QTabWidget*>(QStringLiteral("detailTabs"))
                            ->setCurrentWidget(vote);
                      }});
  m_script.push_back({300, [this] { drawSeven(m_window->ensemble()->votePanel()->canvas()); }});
  m_script.push_back({2500, [this] {
                        VotePanel* vote = m_window->ensemble()->votePanel();
                        if (!vote->model()->vote().isEmpty())
                          vote->selectClass(vote->model()->vote().majority());
                      }});
  m_script.push_back({300, [this] { shoot(QStringLiteral("ensemble-vote.png")); }});
  m_script.push_back({100, [this] {
                        EnsemblePage* page = m_window->ensemble();
                        page->findChild<QTabWidget*>(QStringLiteral("detailTabs"))
                            ->setCurrentWidget(page->calibrationView());
                      }});
  m_script.push_back({500, [this] { shoot(QStringLiteral("ensemble-calibration.png")); }});
  // Each class's accuracies over the networks.
  m_script.push_back({100, [this] {
                        m_window->ensemble()->charts()->setCurrentChart(AccuracyCharts::ClassChart);
                      }});
  m_script.push_back({400, [this] { shoot(QStringLiteral("ensemble-classes.png")); }});
  m_script.push_back(
      {0,
       [this] { m_window->ensemble()->charts()->setCurrentChart(AccuracyCharts::SortedChart); }});
  m_script.push_back({100, [this] { m_window->showView(MainWindow::SweepView); }});
  m_script.push_back({600, [this] { shoot(QStringLiteral("sweep.png")); }});
  m_script.push_back({100, [this] { m_window->sweep()->chartTabs()->setCurrentIndex(1); }});
  m_script.push_back({400, [this] { shoot(QStringLiteral("sweep-by-parameter.png")); }});
  m_script.push_back({0, [this] { m_window->sweep()->chartTabs()->setCurrentIndex(0); }});
  m_script.push_back({100, [this, live] {
                        m_window->showView(MainWindow::LiveView);
                        live->session()->invoke(&TrainingWorker::stop);
                      }});
  // The learning-rate range test of the panel's network, once the live run no longer trains.
  m_script.push_back({800, [live] { live->actions().findLearningRate->trigger(); }});
  m_script.push_back({400, [this] {
                        auto* dialog = m_window->findChild<LrFinderDialog*>();
                        if (!dialog) return fail(tr("Find learning rate opened no dialog"));
                        dialog->run();
                      }});
  m_script.push_back({4000, [this] {
                        auto* dialog = m_window->findChild<LrFinderDialog*>();
                        if (!dialog) return fail(tr("the learning-rate dialog is gone"));
                        shoot(QStringLiteral("lr-finder.png"), dialog);
                        dialog->close();
                      }});
  m_script.push_back({400, [live] { live->actions().networkSummary->trigger(); }});
  m_script.push_back({600, [this] {
                        auto* dialog = m_window->findChild<NetworkSummaryDialog*>();
                        if (!dialog) return fail(tr("Network summary opened no dialog"));
                        shoot(QStringLiteral("network-summary.png"), dialog);
                        dialog->close();
                      }});
  m_script.push_back({800, [live] {
                        TrainingSettings settings = live->panel()->settings();
                        settings.convBlocks.push_back({9, 32, PoolKind::None, 2});
                        live->panel()->setSettings(settings);
                      }});
  m_script.push_back({400, [this] { shoot(QStringLiteral("invalid-architecture.png")); }});
  m_script.push_back({0, [this] { Q_EMIT finished(0); }});
  runNext();
}

void ScreenshotDirector::runNext() {
  if (m_failed || m_next >= m_script.size()) return;
  QTimer::singleShot(m_script[m_next].first, this, [this] {
    if (m_failed) return;
    m_script[m_next++].second();
    runNext();
  });
}

void ScreenshotDirector::shoot(const QString& name, QWidget* widget) {
  const QString path = m_dir.filePath(name);
  if (!(widget ? widget : m_window)->grab().save(path))
    return fail(tr("cannot write %1").arg(path));
  std::printf("convscope: wrote %s\n", qPrintable(path));
  std::fflush(stdout);
}

void ScreenshotDirector::fail(const QString& why) {
  if (m_failed) return;
  m_failed = true;
  std::fprintf(stderr, "convscope: screenshots failed: %s\n", qPrintable(why));
  Q_EMIT finished(1);
}
