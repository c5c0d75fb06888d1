// When a view that shows something the training worker computes from the live network (the
// Embedding view, the Class models view) asks for it: when it is shown after the weights
// changed, after every evaluation while it is shown, and whenever the view itself asks (another
// layer chosen). One request is on its way at a time: one asked for meanwhile is sent when it is
// back, or, if the view was hidden by then, when it is shown again. A new run or a reset drops the
// answer on its way and tells the view to clear what it shows.
#pragma once

#include <QObject>
#include <functional>

class QWidget;
class TrainingWorker;

class ViewRefresh : public QObject {
  Q_OBJECT

 public:
  // `send(id)` sends the view's request, with that id, to the worker.
  ViewRefresh(QWidget* view, TrainingWorker* worker, std::function<void(int id)> send);

  // Sends a request now, or once the one on its way is back.
  void refresh();
  // An answer with `id` came: true when it is the one awaited (the view shows it), false for
  // another view's, a superseded one or one of a cleared run (the view drops it).
  bool take(int id);

 Q_SIGNALS:
  // A new run or a reset: what the view shows is of another network.
  void cleared();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void clear();
  void changed();  // new weights to see

  QWidget* m_view;
  std::function<void(int)> m_send;
  int m_pending = 0;     // the id of the request on its way, 0: none
  bool m_again = false;  // refresh() came while one was on its way
  bool m_stale = true;   // the weights changed since the last request
};
