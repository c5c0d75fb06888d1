// The left side of the Sweep view: the sweeps of the store, Refresh, New sweep… and Resume, Delete
// sweep… (the table's context menu and the Delete key, confirmed first), and while the worker
// runs, its progress (configurations done, the one in training) with Cancel.
#pragma once

#include <QWidget>

#include "sweep/sweep_types.h"

class NoteLabel;
class QAction;
class QProgressBar;
class QPushButton;
class QTableView;
class QToolButton;
class SweepListModel;
class TaskProgressBox;

class SweepListPanel : public QWidget {
  Q_OBJECT

 public:
  explicit SweepListPanel(SweepListModel* model, QWidget* parent = nullptr);

  QTableView* table() const { return m_table; }
  QPushButton* newButton() const { return m_new; }
  QPushButton* resumeButton() const { return m_resume; }
  QAction* deleteAction() const { return m_delete; }
  QPushButton* cancelButton() const;
  QProgressBar* progressBar() const;
  const TaskProgressBox* taskBox() const { return m_running; }

  qint64 selectedSweep() const;  // -1 when none
  // Selects the sweep's row without emitting sweepActivated (or clears the selection).
  void selectSweep(qint64 sweep);
  void setStoreNote(const QString& text, bool problem);
  // Resume is offered for a selected sweep with unfinished configurations, when not running.
  void setResumable(bool resumable);

  void showRunning(const QString& title);
  void setProgress(const SweepProgress& progress);
  void hideRunning();
  bool isRunning() const;

 Q_SIGNALS:
  void sweepActivated(qint64 sweep);
  void refreshRequested();
  void newRequested();
  void resumeRequested();
  void deleteRequested(qint64 sweep, bool withRuns);  // confirmed by the user
  void cancelRequested();

 private:
  void updateDelete();   // for a selected sweep not being trained
  void confirmDelete();  // asks (not modally), then deleteRequested

  SweepListModel* m_model;
  QTableView* m_table;
  QToolButton* m_refresh;
  QPushButton* m_new;
  QPushButton* m_resume;
  QAction* m_delete;
  TaskProgressBox* m_running;
  NoteLabel* m_storeNote;
  bool m_selecting = false;
  bool m_resumable = false;
};
