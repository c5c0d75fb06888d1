#include "training/view_refresh.h"

#include <QEvent>
#include <QWidget>

#include "training/training_types.h"
#include "training/training_worker.h"

ViewRefresh::ViewRefresh(QWidget* view, TrainingWorker* worker, std::function<void(int)> send)
    : QObject(view), m_view(view), m_send(std::move(send)) {
  view->installEventFilter(this);
  connect(worker, &TrainingWorker::evaluated, this, &ViewRefresh::changed);
  connect(worker, &TrainingWorker::runStarted, this, [this] {
    clear();
    changed();
  });
  connect(worker, &TrainingWorker::runCleared, this, &ViewRefresh::clear);
}

bool ViewRefresh::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_view && event->type() == QEvent::Show && m_stale) refresh();
  return false;
}

void ViewRefresh::refresh() {
  if (m_pending) {
    m_again = true;
    return;
  }
  m_pending = nextRequestId();
  m_stale = m_again = false;
  m_send(m_pending);
}

bool ViewRefresh::take(int id) {
  if (!m_pending || id != m_pending) return false;
  m_pending = 0;
  if (m_again) {  // its answer comes through the event loop, after the view shows this one
    m_again = false;
    if (m_view->isVisible())
      refresh();
    else
      m_stale = true;
  }
  return true;
}

void ViewRefresh::clear() {
  m_pending = 0;  // an answer on its way is of the old network
  m_again = false;
  m_stale = true;
  Q_EMIT cleared();
}

void ViewRefresh::changed() {
  m_stale = true;
  if (m_view->isVisible()) refresh();
}
