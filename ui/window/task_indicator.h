// A task running in another view, in the status bar: "Ensemble 43%" and a small bar, shown while
// the TaskProgressBox it follows runs (an ensemble or a sweep training while the live view is
// shown), the box's title and status in its tool tip. Clicking it asks for the task's view. The
// status bar's left part is the live run's: without this, it said "Idle" while a sweep trained.
#pragma once

#include <QWidget>

class QProgressBar;
class QToolButton;
class TaskProgressBox;

class TaskIndicator : public QWidget {
  Q_OBJECT

 public:
  // `name`: what the task is, as the view's tab calls it ("Ensemble").
  explicit TaskIndicator(const QString& name, QWidget* parent = nullptr);

  // Shows the box's task from now on, and at once if it runs.
  void follow(const TaskProgressBox* box);
  QString text() const;  // "Ensemble 43%"
  // "Ensemble 43%: Training run 3: 10 × …", for a question about it.
  QString description() const;
  QToolButton* button() const { return m_button; }

 Q_SIGNALS:
  void activated();

 private:
  QString m_name;
  QString m_title;  // the box's
  QToolButton* m_button;
  QProgressBar* m_bar;

  void showTask(const TaskProgressBox* box);
};
