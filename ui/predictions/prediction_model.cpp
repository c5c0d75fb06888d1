#include "predictions/prediction_model.h"
#include "widgets/count_text.h"
#include "widgets/planar_image.h"

#include <QImage>
#include <QLocale>
#include <algorithm>
#include <cmath>

namespace {

constexpr int kTop = 3;  // EvalResult keeps the best three classes

}  // namespace

PredictionModel::PredictionModel(QObject* parent) : QAbstractListModel(parent) {}

void PredictionModel::setDataset(DatasetPtr data) {
  beginResetModel();
  m_data = std::move(data);
  m_names = m_data ? ClassNames::forDataset(m_data->test.name) : ClassNames();
  m_eval.reset();
  m_correct = 0;
  m_history.reset();
  m_forgotten.clear();
  m_firstLearned.clear();
  m_stableSince.clear();
  endResetModel();
}

void PredictionModel::setEvaluation(EvalPtr eval, HistoryPtr history) {
  const int rows = rowCount();
  const bool matches = eval && eval->nets > 0 && eval->count == rows &&
                       eval->top_labels.size() >= static_cast<size_t>(rows) * kTop &&
                       eval->top_probs.size() >= static_cast<size_t>(rows) * kTop &&
                       eval->true_probs.size() >= static_cast<size_t>(rows);
  m_eval = matches ? std::move(eval) : nullptr;
  m_correct = 0;
  for (int row = 0; m_eval && row < rows; ++row) m_correct += correct(row);
  m_history = m_eval && history && history->images() == rows ? std::move(history) : nullptr;
  m_forgotten.assign(m_history ? rows : 0, 0);
  m_firstLearned.assign(m_history ? rows : 0, -1);
  m_stableSince.assign(m_history ? rows : 0, -1);
  if (m_history) {
    m_forgotten = m_history->forgetting_counts();
    // first_learned / stable_since name eval indices; the grid counts passes from 0.
    const std::vector<cs::EvalPoint>& points = m_history->points();
    const auto pass = [&](int evalIndex) {
      if (evalIndex < 0) return -1;
      const auto at =
          std::lower_bound(points.begin(), points.end(), evalIndex,
                           [](const cs::EvalPoint& point, int i) { return point.eval_index < i; });
      return static_cast<int>(at - points.begin());
    };
    const std::vector<int> first = m_history->first_learned_all();
    const std::vector<int> stable = m_history->stable_since_all();
    for (int row = 0; row < rows; ++row) {
      m_firstLearned[row] = pass(first[static_cast<size_t>(row)]);
      m_stableSince[row] = pass(stable[static_cast<size_t>(row)]);
    }
  }
  if (rows > 0) Q_EMIT dataChanged(index(0), index(rows - 1));
}

void PredictionModel::clearEvaluation() {
  setEvaluation(nullptr);
}

int PredictionModel::classes() const {
  return m_data ? m_data->test.classes : 0;
}

std::vector<long long> PredictionModel::confusionCounts() const {
  if (!m_eval) return {};
  const int n = classes();
  std::vector<long long> counts(static_cast<size_t>(n) * n, 0);
  for (int row = 0; row < rowCount(); ++row) {
    if (!answered(row)) continue;  // outputs that overflowed: no prediction
    const int t = trueLabel(row), p = predicted(row);
    if (t >= 0 && t < n && p >= 0 && p < n) ++counts[static_cast<size_t>(t) * n + p];
  }
  return counts;
}

int PredictionModel::trueLabel(int row) const {
  return m_data->test.labels[row];
}

int PredictionModel::predicted(int row, int rank) const {
  return m_eval ? m_eval->top_labels[static_cast<size_t>(row) * kTop + rank] : -1;
}

float PredictionModel::probability(int row, int rank) const {
  return m_eval ? m_eval->top_probs[static_cast<size_t>(row) * kTop + rank] : 0.f;
}

float PredictionModel::trueProbability(int row) const {
  return m_eval ? m_eval->true_probs[row] : 0.f;
}

int PredictionModel::timesForgotten(int row) const {
  return m_history ? m_forgotten[row] : 0;
}

int PredictionModel::firstLearned(int row) const {
  return m_history ? m_firstLearned[row] : -1;
}

int PredictionModel::stableSince(int row) const {
  return m_history ? m_stableSince[row] : -1;
}

QString PredictionModel::historyText(int row) const {
  const std::vector<cs::EvalPoint>& points = m_history->points();
  const auto epoch = [&](int pass) { return numberText(points[pass].epoch_position, 2); };
  QString text = tr("\nhistory over %1: %2")
                     .arg(countText(m_history->passes(), tr("evaluation"), tr("evaluations")),
                          forgottenText(timesForgotten(row)));
  if (firstLearned(row) < 0) return text + tr(", never learned");
  text += tr(", first learned at epoch %1").arg(epoch(firstLearned(row)));
  if (stableSince(row) >= 0)
    return text + tr(", right since epoch %1").arg(epoch(stableSince(row)));
  return text + tr(", wrong now");
}

float PredictionModel::loss(int row) const {
  return m_eval ? -std::log(std::max(trueProbability(row), 1e-12f)) : 0.f;
}

int PredictionModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !m_data ? 0 : m_data->test.count;
}

QImage PredictionModel::thumbnail(int row) const {
  return planarImage(m_data->test.image(row), m_data->test.shape);
}

QVariant PredictionModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const int row = index.row();
  switch (role) {
    case Qt::DisplayRole:
      return QString::number(row);
    case Qt::ToolTipRole: {
      QString tip =
          tr("Validation image #%1 · true label %2").arg(row).arg(m_names.name(trueLabel(row)));
      if (answered(row))
        tip +=
            tr("\npredicted %1 (%2%) · loss %3\nClick to make it the probe image")
                .arg(m_names.name(predicted(row)))
                .arg(numberText(probability(row) * 100, 1), QLocale().toString(loss(row), 'g', 3));
      else if (m_eval)
        tip +=
            tr("\nno answer: the network's probabilities are not numbers\nClick to make it "
               "the probe image");
      if (m_history) tip += historyText(row);
      return tip;
    }
    case ImageRole:
      return thumbnail(row);
    case TrueLabelRole:
      return trueLabel(row);
    case HasPredictionRole:
      return m_eval != nullptr;
    case PredictedLabelRole:
      return answered(row) ? QVariant(predicted(row)) : QVariant();
    case ConfidenceRole:
      return m_eval ? QVariant(probability(row)) : QVariant();
    case TrueProbabilityRole:
      return m_eval ? QVariant(trueProbability(row)) : QVariant();
    case LossRole:
      return m_eval ? QVariant(loss(row)) : QVariant();
    case CorrectRole:
      return m_eval ? QVariant(correct(row)) : QVariant();
    case TimesForgottenRole:
      return m_history ? QVariant(timesForgotten(row)) : QVariant();
    case FirstLearnedRole:
      return m_history ? QVariant(firstLearned(row)) : QVariant();
    case StableSinceRole:
      return m_history ? QVariant(stableSince(row)) : QVariant();
    case TopLabelsRole:
    case TopProbabilitiesRole: {
      if (!m_eval) return {};
      QVariantList list;  // empty for no answer
      if (!answered(row)) return list;
      for (int k = 0; k < kTop; ++k)
        list << (role == TopLabelsRole ? QVariant(predicted(row, k))
                                       : QVariant(probability(row, k)));
      return list;
    }
    default:
      return {};
  }
}

QHash<int, QByteArray> PredictionModel::roleNames() const {
  QHash<int, QByteArray> names = QAbstractListModel::roleNames();
  names.insert({{ImageRole, "image"},
                {TrueLabelRole, "trueLabel"},
                {HasPredictionRole, "hasPrediction"},
                {PredictedLabelRole, "predictedLabel"},
                {ConfidenceRole, "confidence"},
                {TrueProbabilityRole, "trueProbability"},
                {LossRole, "loss"},
                {CorrectRole, "correct"},
                {TopLabelsRole, "topLabels"},
                {TopProbabilitiesRole, "topProbabilities"},
                {TimesForgottenRole, "timesForgotten"},
                {FirstLearnedRole, "firstLearned"},
                {StableSinceRole, "stableSince"}});
  return names;
}

void PredictionModel::writeCsv(QTextStream& out) const {
  out << "index,true_label,pred1,prob1,pred2,prob2,pred3,prob3,true_prob,loss,correct\n";
  if (!m_eval) return;
  for (int row = 0; row < rowCount(); ++row) {
    out << row << ',' << trueLabel(row);
    if (!answered(row)) {  // no answer: as eval --csv writes it
      out << ",,,,,,,,,0\n";
      continue;
    }
    for (int k = 0; k < kTop; ++k)
      out << ',' << predicted(row, k) << ',' << QString::number(probability(row, k), 'g', 6);
    out << ',' << QString::number(trueProbability(row), 'g', 6) << ','
        << QString::number(loss(row), 'g', 6) << ',' << (correct(row) ? 1 : 0) << '\n';
  }
}
