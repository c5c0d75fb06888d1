// LiveTrainingView's docks: the panels around the network inspector, their default places (the
// charts, "Draw a digit", the layer statistics, the embedding, the class models and the
// calibration as tabs on the right), Reset layout, and the layout kept across sessions. The rest
// of the class is in live_training_view.cpp.
#include "window/live_training_view.h"

#include <QChildEvent>
#include <QDockWidget>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QTabBar>
#include <QTimer>

#include "canvas/canvas_panel.h"
#include "canvas/saliency_view.h"
#include "charts/embedding_view.h"
#include "charts/layer_stats_chart.h"
#include "charts/training_charts.h"
#include "network/class_models_view.h"
#include "network/network_inspector.h"
#include "predictions/calibration_view.h"
#include "predictions/confusion_matrix_view.h"
#include "predictions/predictions_panel.h"
#include "settings/hyperparameter_panel.h"
#include "training/training_session.h"

void LiveTrainingView::createDocks() {
  const auto dock = [this](const QString& title, const QString& name, QWidget* widget) {
    auto* d = new QDockWidget(title, this);
    d->setObjectName(name);
    d->setWidget(widget);
    d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable |
                   QDockWidget::DockWidgetFloatable);
    m_docks << d;
    return d;
  };
  auto* scroll = new QScrollArea;
  scroll->setWidget(m_panel);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  auto* confusion = new QWidget;
  auto* caption =
      new QLabel(tr("Rows: true label · columns: predicted · click to filter, right-click for %"));
  caption->setObjectName(QStringLiteral("note"));
  caption->setWordWrap(true);
  auto* confusionLayout = new QVBoxLayout(confusion);
  confusionLayout->setContentsMargins(8, 6, 8, 6);
  confusionLayout->addWidget(caption);
  confusionLayout->addWidget(m_confusionView, 1);
  m_confusionView->setPlaceholderText(
      tr("Not evaluated yet: every epoch ends with an evaluation of the validation set, or use "
         "Evaluate validation set."));

  setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
  setCorner(Qt::BottomRightCorner, Qt::BottomDockWidgetArea);
  setTabPosition(Qt::RightDockWidgetArea, QTabWidget::East);  // the tabs cost width, not height
  dock(tr("Hyperparameters"), QStringLiteral("hyperparameters"), scroll);
  dock(tr("Charts"), QStringLiteral("charts"), m_charts);
  dock(tr("Validation predictions"), QStringLiteral("predictions"), m_predictionsPanel);
  dock(tr("Confusion matrix"), QStringLiteral("confusion"), confusion);
  auto* drawing = new QSplitter(Qt::Vertical);
  drawing->addWidget(m_canvasPanel);
  drawing->addWidget(m_saliency);
  drawing->setChildrenCollapsible(false);
  auto* drawingScroll = new QScrollArea;  // the window still fits 1280×720
  drawingScroll->setWidget(drawing);
  drawingScroll->setWidgetResizable(true);
  drawingScroll->setFrameShape(QFrame::NoFrame);
  // Brought to the front, the drawing is predicted by the weights as they are now: behind another
  // tab it was not (CanvasPanel::predictAgain()), and a stopped run sends no more frames.
  connect(dock(tr("Draw a digit"), QStringLiteral("draw"), drawingScroll),
          &QDockWidget::visibilityChanged, m_canvasPanel, [panel = m_canvasPanel](bool shown) {
            if (shown) QTimer::singleShot(0, panel, &CanvasPanel::predictAgain);
          });
  // The worker measures steps for the layer statistics while they are shown. The session, and
  // the worker with it, goes before the docks: the connection goes with it.
  connect(dock(tr("Layer statistics"), QStringLiteral("layerStats"), m_layerChart),
          &QDockWidget::visibilityChanged, m_session,
          [w = m_session->worker()](bool shown) { w->setMeasureUpdates(shown); });
  dock(tr("Embedding"), QStringLiteral("embedding"), m_embedding);
  dock(tr("Class models"), QStringLiteral("classModels"), m_classModels);
  dock(tr("Calibration"), QStringLiteral("calibration"), m_calibrationView);
  placeDocks();
  scroll->setMinimumWidth(m_panel->minimumSizeHint().width() + 16);
  m_charts->setMinimumWidth(280);
}

void LiveTrainingView::placeDocks() {
  // m_docks: hyperparameters, charts, predictions, confusion, draw, layer statistics, embedding,
  // class models, calibration (createDocks' order).
  addDockWidget(Qt::LeftDockWidgetArea, m_docks[0]);
  addDockWidget(Qt::RightDockWidgetArea, m_docks[1]);
  addDockWidget(Qt::BottomDockWidgetArea, m_docks[2]);
  addDockWidget(Qt::BottomDockWidgetArea, m_docks[3]);
  splitDockWidget(m_docks[2], m_docks[3], Qt::Horizontal);
  tabifyDockWidget(m_docks[1], m_docks[4]);
  tabifyDockWidget(m_docks[4], m_docks[5]);
  tabifyDockWidget(m_docks[5], m_docks[6]);
  tabifyDockWidget(m_docks[6], m_docks[7]);
  tabifyDockWidget(m_docks[7], m_docks[8]);
  m_docks[1]->raise();
}

void LiveTrainingView::applyDefaultLayout() {
  QDockWidget* settings = findChild<QDockWidget*>(QStringLiteral("hyperparameters"));
  QDockWidget* charts = findChild<QDockWidget*>(QStringLiteral("charts"));
  QDockWidget* predictions = findChild<QDockWidget*>(QStringLiteral("predictions"));
  QDockWidget* matrix = findChild<QDockWidget*>(QStringLiteral("confusion"));
  resizeDocks({settings, charts}, {340, 520}, Qt::Horizontal);
  resizeDocks({predictions}, {height() * 37 / 100}, Qt::Vertical);
  resizeDocks({matrix}, {matrix->widget()->sizeHint().width()}, Qt::Horizontal);
}

void LiveTrainingView::resetLayout() {
  for (QDockWidget* d : m_docks) removeDockWidget(d);
  placeDocks();
  for (QDockWidget* d : m_docks) {
    d->setFloating(false);
    d->show();
  }
  m_docks[1]->raise();  // the charts, in front of "Draw a digit"
  applyDefaultLayout();
}

void LiveTrainingView::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  if (m_shown) return;
  m_shown = true;
  // Dock sizes only stick once the window has its size: after the first show.
  if (!m_layoutRestored) QTimer::singleShot(0, this, &LiveTrainingView::applyDefaultLayout);
}

void LiveTrainingView::childEvent(QChildEvent* event) {
  QMainWindow::childEvent(event);
  // Polished once shown, after QMainWindow set its own elide mode on making it.
  if (auto* tabs = qobject_cast<QTabBar*>(event->child()); tabs && event->polished()) {
    tabs->setElideMode(Qt::ElideNone);
    tabs->setUsesScrollButtons(true);
  }
}

QList<QAction*> LiveTrainingView::panelToggleActions() const {
  QList<QAction*> toggles;
  for (QDockWidget* d : m_docks) toggles << d->toggleViewAction();
  return toggles;
}

void LiveTrainingView::saveLayout() const {
  QSettings().setValue(QStringLiteral("live/dockState"), saveState());
}
