#include "training/metrics_history.h"

#include <algorithm>
#include <map>
#include <optional>

void MetricsHistory::clear() {
  m_run = {};
  m_losses.clear();
  m_smoothed.clear();
  m_smoothedAccuracy.clear();
  m_rates.clear();
  m_rateMin = m_rateMax = 0;
  m_ema = m_emaWeight = 0;
  m_accuracyEma = m_accuracyWeight = 0;
  ++m_revision;
}

void MetricsHistory::addLosses(const std::vector<cs::LossPoint>& points) {
  if (points.empty()) return;
  for (const cs::LossPoint& p : points) {
    const double x = static_cast<double>(p.step + 1);
    m_losses.emplace_back(x, p.loss);
    m_ema = kSmoothing * m_ema + (1 - kSmoothing) * p.loss;
    m_emaWeight = kSmoothing * m_emaWeight + (1 - kSmoothing);
    m_smoothed.emplace_back(x, m_ema / m_emaWeight);
    m_run.losses.push_back(p);
    if (p.lr >= 0) {
      m_rateMin = m_rates.empty() ? p.lr : std::min<double>(m_rateMin, p.lr);
      m_rateMax = m_rates.empty() ? p.lr : std::max<double>(m_rateMax, p.lr);
      m_rates.emplace_back(x, p.lr);
    }
    if (p.accuracy < 0) continue;
    m_accuracyEma = kSmoothing * m_accuracyEma + (1 - kSmoothing) * p.accuracy;
    m_accuracyWeight = kSmoothing * m_accuracyWeight + (1 - kSmoothing);
    m_smoothedAccuracy.emplace_back(x, m_accuracyEma / m_accuracyWeight);
  }
  ++m_revision;
}

void MetricsHistory::addEvaluation(const cs::EvaluationRecord& record) {
  m_run.add_evaluation(record);
  ++m_revision;
}

void MetricsHistory::restore(const cs::RunHistory& history) {
  addLosses(history.losses);
  for (const cs::EvaluationRecord& e : history.evaluations) m_run.add_evaluation(e);
  ++m_revision;
}

void MetricsHistory::writeCsv(QTextStream& out) const {
  struct Row {
    std::optional<double> loss, smoothed, accuracy, rate;
    const cs::EvaluationRecord* eval = nullptr;
  };
  std::map<long long, Row> rows;
  for (size_t i = 0; i < m_losses.size(); ++i) {
    Row& row = rows[static_cast<long long>(m_losses[i].x())];
    row.loss = m_losses[i].y();
    row.smoothed = m_smoothed[i].y();
    if (m_run.losses[i].accuracy >= 0) row.accuracy = m_run.losses[i].accuracy;
    if (m_run.losses[i].lr >= 0) row.rate = m_run.losses[i].lr;
  }
  for (const cs::EvaluationRecord& e : m_run.evaluations) rows[e.step].eval = &e;

  const auto num = [](double v) { return QString::number(v, 'g', 8); };
  const auto cell = [&num](const std::optional<double>& v) { return v ? num(*v) : QString(); };
  out << "step,epoch,train_loss,train_loss_smoothed,train_accuracy,val_loss,val_accuracy,"
         "epoch_train_loss,epoch_train_accuracy,learning_rate\n";
  for (const auto& [step, row] : rows) {
    const double epoch = row.eval              ? row.eval->epoch
                         : m_stepsPerEpoch > 0 ? double(step) / m_stepsPerEpoch
                                               : 0.0;
    const cs::EvaluationRecord* e = row.eval;
    const bool epochEnd = e && e->epoch_end;
    out << step << ',' << num(epoch) << ',' << cell(row.loss) << ',' << cell(row.smoothed) << ','
        << cell(row.accuracy) << ',' << (e ? num(e->val_loss) : QString()) << ','
        << (e ? num(e->val_accuracy) : QString()) << ','
        << (epochEnd ? num(e->train_loss) : QString()) << ','
        << (epochEnd && e->train_accuracy >= 0 ? num(e->train_accuracy) : QString()) << ','
        << cell(row.rate) << '\n';
  }
}
