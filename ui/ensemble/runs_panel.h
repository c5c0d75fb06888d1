// The left side of the Ensemble view: the stored runs, Refresh, Train ensemble… and Continue… (the
// selected run, when it stopped after recording an epoch), Delete run… (the table's context menu
// and the Delete key, confirmed first), and while the worker trains, its progress (networks ×
// epochs, samples per second, time left) with Cancel.
#pragma once

#include <QWidget>

#include "ensemble/ensemble_types.h"
#include "ensemble/runs_model.h"

class NoteLabel;
class QAction;
class QProgressBar;
class QPushButton;
class QTableView;
class QToolButton;
class RunsModel;
class TaskProgressBox;

class RunsPanel : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kMinRowsShown = 3;  // the run table's rows, also while training
  // Run to Status fit the panel's share of a 1366-wide window; the architecture, last, shows
  // where it has its width too (elsewhere the run's header and tool tip name it), else Status
  // takes the rest of the row.
  static constexpr int kColumnWidths[RunsModel::ColumnCount] = {36, 84, 40, 50, 66, 70, 160};

  explicit RunsPanel(RunsModel* model, QWidget* parent = nullptr);

  QTableView* table() const { return m_table; }
  QPushButton* trainButton() const { return m_train; }
  QPushButton* continueButton() const { return m_continue; }
  QAction* deleteAction() const { return m_delete; }
  QPushButton* cancelButton() const;
  QProgressBar* progressBar() const;
  const TaskProgressBox* taskBox() const { return m_training; }

  qint64 selectedRun() const;  // -1 when none
  // Selects the run's row without emitting runActivated (or clears the selection).
  void selectRun(qint64 run);
  void setStoreNote(const QString& text, bool problem);

  void showTraining(const QString& description);
  void setProgress(const EnsembleProgress& progress);
  void hideTraining();
  QString progressText() const;
  QString warningText() const;  // the last epoch's not-learning warning ("" when none)

  // 75 → "1:15", 4000 → "1:06:40".
  static QString duration(double seconds);

  // The layout's minimum at the panel's width, wrapped store note included: the splitter the
  // panel sits in knows nothing of heights that depend on the width, and gave the training box
  // less than its lines.
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  void runActivated(qint64 run);
  void refreshRequested();
  void trainRequested();
  void continueRequested(qint64 run);
  void deleteRequested(qint64 run);  // confirmed by the user
  void cancelRequested();

 protected:
  void resizeEvent(QResizeEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void fitColumns();
  // Continue… is for a selected run that stopped after recording an epoch, while none trains;
  // Delete run… for a selected run not being trained.
  void updateContinue();
  void confirmDelete();  // asks (not modally), then deleteRequested

  RunsModel* m_model;
  QTableView* m_table;
  QToolButton* m_refresh;
  QPushButton* m_train;
  QPushButton* m_continue;
  QAction* m_delete;
  TaskProgressBox* m_training;
  NoteLabel* m_storeNote;
  bool m_selecting = false;
};
