// The run's metric history as the charts and the CSV export see it: every step's training loss
// and training-batch accuracy with their exponential moving averages, and every evaluation.
// x positions are steps completed.
#pragma once

#include <QPointF>
#include <QTextStream>
#include <vector>

#include "training/training_types.h"

struct EvaluationPoint {
  long long step = 0;  // steps completed when evaluated
  double epoch = 0;
  bool epochEnd = false;
  double valLoss = 0, valAccuracy = 0, trainLoss = 0, trainAccuracy = -1;
  QString warning;  // why the network is not learning ("" when it may be)
};

class MetricsHistory {
 public:
  static constexpr double kSmoothing = 0.97;  // EMA weight of the past (bias-corrected)

  void clear();
  void setStepsPerEpoch(int steps) { m_stepsPerEpoch = steps; }
  int stepsPerEpoch() const { return m_stepsPerEpoch; }
  void addLosses(const std::vector<cs::LossPoint>& points);
  void addEvaluation(const EvaluationReport& report);

  const std::vector<QPointF>& losses() const { return m_losses; }
  const std::vector<QPointF>& smoothedLosses() const { return m_smoothed; }
  // Training-batch top-1 accuracy, smoothed (empty when the backend does not measure it).
  const std::vector<QPointF>& smoothedAccuracies() const { return m_smoothedAccuracy; }
  const std::vector<EvaluationPoint>& evaluations() const { return m_evaluations; }
  bool isEmpty() const { return m_losses.empty() && m_evaluations.empty(); }
  // Increments on every change, so a timer redraws only when something moved.
  long long revision() const { return m_revision; }

  // One row per step completed: step, epoch, train_loss, train_loss_smoothed, train_accuracy,
  // and the evaluation columns filled on the rows where an evaluation happened.
  void writeCsv(QTextStream& out) const;

 private:
  std::vector<QPointF> m_losses, m_smoothed;
  std::vector<float> m_accuracies;  // per loss point; -1 where not measured
  std::vector<QPointF> m_smoothedAccuracy;
  std::vector<EvaluationPoint> m_evaluations;
  int m_stepsPerEpoch = 0;
  double m_ema = 0, m_emaWeight = 0;
  double m_accuracyEma = 0, m_accuracyWeight = 0;
  long long m_revision = 0;
};
