// The left side of the Sweep view (a StoredListPanel): the sweeps of the store, New sweep… and
// Resume, Delete sweep… (a sweep not being trained), and while the worker runs, its progress
// (configurations done, the one in training) with Cancel.
#pragma once

#include "sweep/sweep_types.h"
#include "widgets/stored_list_panel.h"

class QPushButton;
class SweepListModel;

class SweepListPanel : public StoredListPanel {
  Q_OBJECT

 public:
  explicit SweepListPanel(SweepListModel* model, QWidget* parent = nullptr);

  QPushButton* newButton() const { return primaryButton(); }
  QPushButton* resumeButton() const { return secondaryButton(); }

  qint64 selectedSweep() const;  // -1 when none
  // Selects the sweep's row without emitting sweepActivated (or clears the selection).
  void selectSweep(qint64 sweep);
  // Resume is offered for a selected sweep with unfinished configurations, when not running.
  void setResumable(bool resumable);

  void showRunning(const QString& title);
  void setProgress(const SweepProgress& progress);
  void hideRunning();
  bool isRunning() const;

 Q_SIGNALS:
  void sweepActivated(qint64 sweep);
  void newRequested();
  void resumeRequested();
  void deleteRequested(qint64 sweep, bool withRuns);  // confirmed by the user

 protected:
  void updateActions() override;  // Delete sweep… for a selected sweep not being trained
  void rowActivated(int row) override;
  void confirmDelete() override;

 private:
  SweepListModel* m_model;
  bool m_resumable = false;
};
