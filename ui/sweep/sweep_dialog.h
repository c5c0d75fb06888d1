// "New sweep": the grid of configurations (the syntax of `convscope-cli sweep --grid`, parsed by
// cs::parse_sweep_grid), networks per configuration, epochs, training images, batch size and
// seed. The dialog says how many configurations and networks the grid gives, or why one of them
// cannot train, and only accepts a grid every configuration of which can: its values
// (cs::sweep_train_config()) and, once the data are loaded, its networks on them
// (cs::check_sweep()).
#pragma once

#include <QDialog>

#include "convscope/sweep.h"
#include "training/training_types.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

class SweepDialog : public QDialog {
  Q_OBJECT

 public:
  static constexpr int kDefaultNets = 10;

  // `dataName` names the training data in the summary ("MNIST from …").
  explicit SweepDialog(const QString& dataName, QWidget* parent = nullptr);

  void setGrid(const QString& grid);
  void setNets(int nets);
  void setEpochs(int epochs);
  void setTrainLimit(int images);
  // The data the sweep will train on, when loaded (null: not yet; the values are checked alone).
  void setData(DatasetPtr data);
  QString grid() const;
  int nets() const;
  int epochs() const;

  // The plan: the grid's configurations and the settings (data "mnist": the page sets its own).
  // Throws cs::SweepError when the grid does not parse.
  cs::SweepPlan plan() const;

  QLineEdit* gridEdit() const { return m_grid; }
  QLabel* summaryLabel() const { return m_summary; }
  QPushButton* startButton() const { return m_start; }

 private:
  void updateSummary();
  // Throws what a configuration of `plan` cannot train with (cs::Error).
  void check(const cs::SweepPlan& plan) const;

  DatasetPtr m_data;
  QLineEdit* m_grid;
  QSpinBox* m_nets;
  QSpinBox* m_epochs;
  QSpinBox* m_limit;
  QSpinBox* m_batch;
  QSpinBox* m_seed;
  QLabel* m_summary;
  QPushButton* m_start;
};
