// Training ▸ Find learning rate…: opens an LrFinderDialog for the hyperparameter panel's network,
// optimizer, batch size, seed and backend on the dataset the next run would use, and sets the
// rate it suggests into the panel when "Use" is pressed. Enabled with a dataset, valid settings
// and no run training (a paused run's learning rate stays editable, and takes the rate from its
// next step).
#pragma once

#include <QObject>
#include <QPointer>

#include "training/training_types.h"

class HyperparameterPanel;
class LrFinderDialog;
class QAction;
class QWidget;
class TrainingSession;

class LrFinderAction : public QObject {
  Q_OBJECT

 public:
  // The dialog opens over `dialogParent`.
  LrFinderAction(HyperparameterPanel* panel, TrainingSession* session, QWidget* dialogParent);

  QAction* action() const { return m_action; }
  // The dataset the next run would use.
  void setDataset(DatasetPtr data) { m_data = std::move(data); }
  // Enables the action for the panel's settings and the session's state (the view calls it with
  // its others).
  void updateAction();
  // Opens the dialog (window-modal); does nothing while the action is disabled.
  void open();
  LrFinderDialog* dialog() const { return m_dialog; }  // the one open, or null

 Q_SIGNALS:
  void statusMessage(const QString& text);

 private:
  void useRate(double rate);

  HyperparameterPanel* m_panel;
  TrainingSession* m_session;
  QWidget* m_dialogParent;
  QAction* m_action;
  DatasetPtr m_data;
  QPointer<LrFinderDialog> m_dialog;
};
