// "Continue run": how many more epochs a stopped ensemble run (cancelled, interrupted or
// finished) trains, from its latest recorded epoch (or from where it stopped inside the next)
// with its networks' weights and optimizer state. Its networks, optimizer, batch size, random
// shift, seeds and training images are the run's own and are shown read-only.
#pragma once

#include <QDialog>

#include "convscope/backends.h"
#include "convscope/store.h"

class QLabel;
class QSpinBox;

class ContinueRunDialog : public QDialog {
  Q_OBJECT

 public:
  // `info` is the run's; `trainImages` its training images an epoch (TrainingState);
  // `stoppedAt` the samples of the next epoch it trained before it stopped (0: none);
  // `dataFolder` the folder its images are read from, empty where they are the live view's.
  ContinueRunDialog(const cs::RunInfo& info, int trainImages, int stoppedAt,
                    const QString& dataFolder, QWidget* parent = nullptr);

  int moreEpochs() const;
  void setMoreEpochs(int epochs);
  // The run's training configuration with the epochs planned in all: recorded + more.
  cs::TrainConfig config() const;
  // The run's backend: a run goes on on the kind it trained on (cs::continue_ensemble refuses
  // another), never the one Auto would pick here.
  cs::BackendChoice backend() const;

 private:
  void updateSummary();

  cs::RunInfo m_info;
  int m_trainImages;
  int m_stoppedAt;
  QSpinBox* m_more;
  QLabel* m_summary;
};
