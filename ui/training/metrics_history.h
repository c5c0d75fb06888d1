// The run's metric history as the charts and the CSV export see it: the worker's cs::RunHistory,
// mirrored on the UI thread, with the moving averages of the training loss and training-batch
// accuracy. x positions are steps completed.
#pragma once

#include <QPointF>
#include <QTextStream>
#include <vector>

#include "training/training_types.h"

class MetricsHistory {
 public:
  static constexpr double kSmoothing = 0.97;  // EMA weight of the past (bias-corrected)

  void clear();
  void setStepsPerEpoch(int steps) { m_stepsPerEpoch = steps; }
  int stepsPerEpoch() const { return m_stepsPerEpoch; }
  void addLosses(const std::vector<cs::LossPoint>& points);
  // As cs::RunHistory::add_evaluation: a pass at the last one's step replaces its figures.
  void addEvaluation(const cs::EvaluationRecord& record);
  // Everything of a loaded run so far (after clear()).
  void restore(const cs::RunHistory& history);

  const std::vector<QPointF>& losses() const { return m_losses; }
  const std::vector<QPointF>& smoothedLosses() const { return m_smoothed; }
  // Training-batch top-1 accuracy, smoothed (empty when the backend does not measure it).
  const std::vector<QPointF>& smoothedAccuracies() const { return m_smoothedAccuracy; }
  // (step, rate) of each step whose learning rate was recorded (LossPoint::lr).
  const std::vector<QPointF>& learningRates() const { return m_rates; }
  // Two of them differ: a schedule, or a rate changed while paused.
  bool learningRateVaries() const { return m_rateMin < m_rateMax; }
  const std::vector<cs::EvaluationRecord>& evaluations() const { return m_run.evaluations; }
  bool isEmpty() const { return m_run.empty(); }
  // Increments on every change, so a timer redraws only when something moved.
  long long revision() const { return m_revision; }

  // One row per step completed: step, epoch, train_loss, train_loss_smoothed, train_accuracy,
  // the evaluation columns filled on the rows where an evaluation happened, and learning_rate.
  void writeCsv(QTextStream& out) const;

 private:
  cs::RunHistory m_run;
  std::vector<QPointF> m_losses, m_smoothed;  // m_run's losses as the charts plot them
  std::vector<QPointF> m_smoothedAccuracy;
  std::vector<QPointF> m_rates;
  double m_rateMin = 0, m_rateMax = 0;  // over m_rates
  int m_stepsPerEpoch = 0;
  double m_ema = 0, m_emaWeight = 0;
  double m_accuracyEma = 0, m_accuracyWeight = 0;
  long long m_revision = 0;
};
