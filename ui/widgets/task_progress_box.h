// A long task's progress under a list (the Ensemble view's training, the Sweeps view's sweep): a
// title, a progress bar with Cancel, status lines and a warning, in a framed box (style sheet:
// #trainingBox). Hidden until begin() and after end(); changed() and ended() let another widget
// follow the task (the status bar's TaskIndicator). The title and the warning are one line each,
// elided and whole in their tool tips, and the status breaks only where its text has line breaks: a
// word-wrapped label asks a splitter for too little height, and the box was cut at 1366x768.
#pragma once

#include <QWidget>

class ElidedLabel;
class QLabel;
class QProgressBar;
class QPushButton;

class TaskProgressBox : public QWidget {
  Q_OBJECT

 public:
  explicit TaskProgressBox(QWidget* parent = nullptr);

  QPushButton* cancelButton() const { return m_cancel; }
  QProgressBar* progressBar() const { return m_progress; }

  // Shows the box with `title`, a first status, an empty bar and Cancel enabled. Begun again while
  // shown (a worker saying what it started), it is the same task retitled: its bar, its warning
  // and a Cancel already pressed stay as they are.
  void begin(const QString& title, const QString& status);
  // `fraction` (0 to 1) of the task done; `warning` under the status, hidden when empty.
  void setProgress(double fraction, const QString& status, const QString& warning = {});
  // Hides the box: the task is over.
  void end();
  QString titleText() const;
  QString statusText() const;
  QString warningText() const;  // "" when none is shown
  double fraction() const;      // of the task done, 0 to 1

 Q_SIGNALS:
  void cancelRequested();
  // After begin() and each setProgress().
  void changed();
  void ended();

 private:
  ElidedLabel* m_title;
  QProgressBar* m_progress;
  QPushButton* m_cancel;
  QLabel* m_status;
  ElidedLabel* m_warning;
};
