// The left side of the Ensemble view (a StoredListPanel): the stored runs, Train ensemble… and
// Continue… (the selected run, when it stopped after recording an epoch), Delete run… (a run not
// being trained), and while the worker trains, its progress (networks × epochs, samples per
// second, time left) with Cancel.
#pragma once

#include "ensemble/ensemble_types.h"
#include "ensemble/runs_model.h"
#include "widgets/stored_list_panel.h"

class QPushButton;
class RunsModel;

class RunsPanel : public StoredListPanel {
  Q_OBJECT

 public:
  static constexpr int kMinRowsShown = 3;  // the run table's rows, also while training
  // Run to Status fit the panel's share of a 1366-wide window; the architecture, last, shows
  // where it has its width too (elsewhere the run's header and tool tip name it), else Status
  // takes the rest of the row.
  static constexpr int kColumnWidths[RunsModel::ColumnCount] = {36, 84, 40, 50, 66, 70, 160};

  explicit RunsPanel(RunsModel* model, QWidget* parent = nullptr);

  QPushButton* trainButton() const { return primaryButton(); }
  QPushButton* continueButton() const { return secondaryButton(); }

  qint64 selectedRun() const;  // -1 when none
  // Selects the run's row without emitting runActivated (or clears the selection).
  void selectRun(qint64 run);

  void showTraining(const QString& description);
  void setProgress(const EnsembleProgress& progress);
  void hideTraining();
  QString progressText() const;
  QString warningText() const;  // the last epoch's not-learning warning ("" when none)

  // 75 → "1:15", 4000 → "1:06:40".
  static QString duration(double seconds);

 Q_SIGNALS:
  void runActivated(qint64 run);
  void trainRequested();
  void continueRequested(qint64 run);
  void deleteRequested(qint64 run);  // confirmed by the user

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
  // Continue… is for a selected run that stopped after recording an epoch, while none trains;
  // Delete run… for a selected run not being trained.
  void updateActions() override;
  void rowActivated(int row) override;
  void confirmDelete() override;

 private:
  void fitColumns();

  RunsModel* m_model;
};
