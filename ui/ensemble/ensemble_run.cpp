#include "ensemble/ensemble_run.h"

#include <stdexcept>
#include <string>

#include "training/training_types.h"
#include "widgets/count_text.h"

EnsembleRun::EnsembleRun(cs::StoredRun run, std::shared_ptr<const cs::Dataset> images,
                         QString imagesNote, bool imagesWarning)
    : m_run(std::move(run)),
      m_names(ClassNames::forDataset(m_run.info.setup.val_name)),
      m_images(std::move(images)),
      m_imagesNote(std::move(imagesNote)),
      m_imagesWarning(imagesWarning) {
  const cs::RunSetup& setup = m_run.info.setup;
  const cs::EpochTop1 history = std::move(m_run.history);  // summed up below, not kept
  if (m_run.eval.nets == 0) {                              // no finished epoch yet
    m_stats.classes = setup.group.spec.classes;
    return;
  }
  m_stats = cs::compute_ensemble_stats(m_run.eval, setup.val_labels, setup.group.spec.classes);
  m_calibration = cs::calibrate_ensemble(m_run.eval, m_stats);
  const int count = m_stats.count;
  m_rank.resize(count);
  for (int r = 0; r < count; ++r) m_rank[m_stats.ranking[r]] = r;
  if (history.empty()) return;
  if (history.nets != m_stats.nets)
    throw std::invalid_argument("the per-epoch top-1 labels are of " +
                                std::to_string(history.nets) + " networks, the run has " +
                                std::to_string(m_stats.nets));
  m_learning = cs::epoch_learning(history, setup.val_labels);
  m_classAccuracy = cs::epoch_class_accuracy(history, setup.val_labels, m_stats.classes);
}

cs::Distribution EnsembleRun::classAccuracySpread(int epoch, int c) const {
  const int nets = m_stats.nets, classes = m_stats.classes;
  std::vector<double> column(static_cast<size_t>(nets));
  for (int n = 0; n < nets; ++n)
    column[n] = m_classAccuracy[(static_cast<size_t>(epoch - 1) * nets + n) * classes + c];
  return cs::describe_distribution(column);
}

int EnsembleRun::topLabel(int net, int index, int k) const {
  return m_run.eval.top_labels[(static_cast<size_t>(net) * m_stats.count + index) * 3 + k];
}

float EnsembleRun::topProbability(int net, int index, int k) const {
  return m_run.eval.top_probs[(static_cast<size_t>(net) * m_stats.count + index) * 3 + k];
}

float EnsembleRun::trueProbability(int net, int index) const {
  return m_run.eval.true_probs[static_cast<size_t>(net) * m_stats.count + index];
}

QString EnsembleRun::title() const {
  const cs::GroupConfig& g = m_run.info.setup.group;
  const QString schedule = g.optimizer.schedule.constant()
                               ? QString()
                               : QString::fromStdString(" · " + g.optimizer.schedule.to_string());
  const QString shift =
      RunInfo::shiftField(g.augment_shift) + RunInfo::smoothingField(g.label_smoothing);
  return QStringLiteral("Run %1 · %2 × %3 · %4%5 · batch %6%7")
      .arg(m_run.info.id)
      .arg(g.nets())
      .arg(QString::fromStdString(g.spec.to_string()), QString::fromStdString(g.optimizer.brief()),
           schedule)
      .arg(g.batch_size)
      .arg(shift);
}

QString EnsembleRun::learningWarning() const {
  if (m_run.epochs.empty()) return {};
  return sentence(QString::fromStdString(m_run.epochs.back().warning));
}
