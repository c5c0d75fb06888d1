// One stored ensemble run as the Ensemble view shows it: the run from the store, its ensemble
// statistics, the top-1 vote counts of every image, the networks' learning over the epochs (when
// the store kept every epoch's top-1 labels) and, when they could be found, the validation
// images. Immutable once built; the models share it.
#pragma once

#include <QString>
#include <cstdint>
#include <memory>
#include <vector>

#include "convscope/calibration.h"
#include "convscope/ensemble.h"
#include "convscope/store.h"
#include "predictions/class_names.h"

class EnsembleRun {
 public:
  // Computes the statistics (throws std::invalid_argument when the predictions, the per-epoch
  // top-1 labels and the stored validation labels do not fit). `images` may be null;
  // `imagesNote` says where they came from or why there are none, `imagesWarning` whether that
  // is a problem. `run.history` (Store::load_run's with history) is summed up into the learning
  // figures and not kept; it is empty for a run recorded before the store kept every epoch.
  EnsembleRun(cs::StoredRun run, std::shared_ptr<const cs::Dataset> images, QString imagesNote,
              bool imagesWarning);

  const cs::RunInfo& info() const { return m_run.info; }
  const cs::EnsembleStats& stats() const { return m_stats; }
  const cs::ImageStats& image(int index) const { return m_stats.images[index]; }
  // The vote's calibration beside each network's; empty before the first finished epoch.
  const cs::EnsembleCalibration& calibration() const { return m_calibration; }

  int nets() const { return m_stats.nets; }
  int count() const { return m_stats.count; }
  int classes() const { return m_stats.classes; }
  bool hasPredictions() const { return m_stats.nets > 0 && m_stats.count > 0; }

  // Nets whose top-1 label for image `index` is `label` (those without an answer: none).
  int votes(int index, int label) const {
    return m_stats.votes[static_cast<size_t>(index) * m_stats.classes + label];
  }
  // Position of image `index` in the default ranking (0 = most often wrong).
  int rank(int index) const { return m_rank[index]; }
  // The k-th (0..2) best label of network `net` for image `index` and its probability.
  int topLabel(int net, int index, int k) const;
  float topProbability(int net, int index, int k) const;
  float trueProbability(int net, int index) const;
  // Whether network `net` answered image `index` (cs::answered()).
  bool answered(int net, int index) const { return cs::answered(m_run.eval, net, index); }

  // Learning over the epochs (cs::epoch_learning): none for a run recorded before the store
  // kept every epoch's top-1 labels.
  bool hasHistory() const { return m_learning.passes > 0; }
  int historyEpochs() const { return m_learning.passes; }
  // Forgetting events of image `index` summed over the networks; -1 without a history.
  int forgotten(int index) const { return hasHistory() ? m_learning.forgetting[index] : -1; }
  // Networks whose top-1 label for image `index` was right at `epoch` (1 .. historyEpochs()).
  int rightAtEpoch(int index, int epoch) const { return m_learning.learned_at(epoch - 1, index); }
  // The networks' accuracies on class `c`'s images at `epoch` (1 .. historyEpochs();
  // cs::epoch_class_accuracy): n = 0 for a class without images.
  cs::Distribution classAccuracySpread(int epoch, int c) const;

  // The names of the validation set's classes (numbers when its dataset has no label file).
  const ClassNames& classNames() const { return m_names; }
  const std::shared_ptr<const cs::Dataset>& images() const { return m_images; }
  const QString& imagesNote() const { return m_imagesNote; }
  // The latest epoch's not-learning warning as a sentence ("" when it had none).
  QString learningWarning() const;
  bool imagesWarning() const { return m_imagesWarning; }

  // "Run 12 · 50 × c5x8r-m2-… · adam lr=0.001 · batch 64", with the weight decay after the rate,
  // the schedule after them unless it is constant, and any random shift last ("shift ±2 px")
  QString title() const;

 private:
  cs::StoredRun m_run;
  cs::EnsembleStats m_stats;
  cs::EnsembleCalibration m_calibration;
  cs::GroupLearning m_learning;
  std::vector<double> m_classAccuracy;  // (historyEpochs(), nets, classes)
  std::vector<int> m_rank;              // (count) inverse of stats.ranking
  ClassNames m_names;
  std::shared_ptr<const cs::Dataset> m_images;
  QString m_imagesNote;
  bool m_imagesWarning = false;
};

using EnsembleRunPtr = std::shared_ptr<const EnsembleRun>;
