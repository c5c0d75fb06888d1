// Training ▸ Network summary… (Ctrl+I): opens a NetworkSummaryDialog for the hyperparameter
// panel's network (the next run's, or the run's while one is under way) on its dataset, and keeps
// it up to date as the panel's settings change: an impossible architecture, or no dataset, is
// said instead; other settings the panel refuses do not hide the network. Enabled once a dataset
// is loaded.
#pragma once

#include <QObject>
#include <QPointer>

class HyperparameterPanel;
class NetworkSummaryDialog;
class QAction;
class QWidget;

class NetworkSummaryAction : public QObject {
  Q_OBJECT

 public:
  // The dialog opens over `dialogParent`.
  NetworkSummaryAction(HyperparameterPanel* panel, QWidget* dialogParent);

  QAction* action() const { return m_action; }
  void open();                                               // or raises the one open
  NetworkSummaryDialog* dialog() const { return m_dialog; }  // the one open, or null

 private:
  void update();  // the action's state and the open dialog's network

  HyperparameterPanel* m_panel;
  QWidget* m_dialogParent;
  QAction* m_action;
  QPointer<NetworkSummaryDialog> m_dialog;
};
