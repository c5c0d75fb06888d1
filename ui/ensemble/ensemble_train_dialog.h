// "Train ensemble": how many networks, epochs and training images, and whether each network gets
// its own sample order. The architecture, optimizer, batch size, random shift and seed come from
// the caller's training configuration and are shown read-only; the backend is chosen
// automatically. The four choices of the last ensemble trained from it come back the next time it
// opens (QSettings).
#pragma once

#include <QDialog>

#include "convscope/trainer.h"
#include "training/training_types.h"

class QCheckBox;
class QLabel;
class QSpinBox;

class EnsembleTrainDialog : public QDialog {
  Q_OBJECT

 public:
  static constexpr int kDefaultNets = 50;
  static constexpr int kMaxNets = 1000;

  // `data` may be null (MNIST is then loaded when training begins).
  EnsembleTrainDialog(const cs::TrainConfig& base, DatasetPtr data, QWidget* parent = nullptr);

  int nets() const;
  int epochs() const;
  bool perNetShuffle() const;
  int trainLimit() const;  // 0: all training images

  void setNets(int nets);
  void setPerNetShuffle(bool on);
  void setTrainLimit(int images);

  // The caller's configuration with seeds seed, seed + 1, …, seed + N − 1, the epochs and the
  // per-network shuffle set.
  cs::TrainConfig config() const;

  // Train: remembers the choices, then closes.
  void accept() override;

 private:
  void updateSummary();
  int trainingImages() const;  // per epoch, the limit applied (0 when unknown)

  cs::TrainConfig m_base;
  DatasetPtr m_data;
  QSpinBox* m_nets;
  QSpinBox* m_epochs;
  QSpinBox* m_limit;
  QCheckBox* m_shuffle;
  QLabel* m_seeds;
  QLabel* m_summary;
};
