// Training ▸ Network summary…: the hyperparameter panel's network layer by layer (as Keras's
// model.summary() and torchinfo show it): each layer's output shape, parameters and multiply-adds,
// the totals, and what an epoch of the dataset's training images costs. Not modal: it follows the
// panel as the architecture is edited.
#pragma once

#include <QDialog>

#include "convscope/spec.h"

class NetworkSummaryModel;
class NoteLabel;
class QTableView;

class NetworkSummaryDialog : public QDialog {
  Q_OBJECT

 public:
  explicit NetworkSummaryDialog(QWidget* parent = nullptr);

  // The network and the training images of an epoch.
  void setNetwork(const cs::NetworkSpec& spec, long long trainImages);
  // Instead of a network: why there is none ("layer 5: conv 9x9x16: …").
  void setProblem(const QString& problem);

  NetworkSummaryModel* model() const { return m_model; }
  QString note() const;

 private:
  NetworkSummaryModel* m_model;
  QTableView* m_table;
  NoteLabel* m_note;
};
