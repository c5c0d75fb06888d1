#include "predictions/prediction_model.h"

#include <QImage>
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
  endResetModel();
}

void PredictionModel::setEvaluation(EvalPtr eval) {
  const int rows = rowCount();
  const bool matches = eval && eval->nets > 0 && eval->count == rows &&
                       eval->top_labels.size() >= static_cast<size_t>(rows) * kTop &&
                       eval->top_probs.size() >= static_cast<size_t>(rows) * kTop &&
                       eval->true_probs.size() >= static_cast<size_t>(rows);
  m_eval = matches ? std::move(eval) : nullptr;
  m_correct = 0;
  for (int row = 0; m_eval && row < rows; ++row) m_correct += correct(row);
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

float PredictionModel::loss(int row) const {
  return m_eval ? -std::log(std::max(trueProbability(row), 1e-12f)) : 0.f;
}

int PredictionModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !m_data ? 0 : m_data->test.count;
}

QImage PredictionModel::thumbnail(int row) const {
  const cs::Dataset& d = m_data->test;
  const cs::Shape3 s = d.shape;
  const uint8_t* pixels = d.image(row);
  if (s.c == 1) return QImage(pixels, s.w, s.h, s.w, QImage::Format_Grayscale8).copy();
  QImage image(s.w, s.h, QImage::Format_RGB32);
  const int plane = s.h * s.w;
  for (int y = 0; y < s.h; ++y)
    for (int x = 0; x < s.w; ++x) {
      const auto c = [&](int ch) { return pixels[std::min(ch, s.c - 1) * plane + y * s.w + x]; };
      image.setPixel(x, y, qRgb(c(0), c(1), c(2)));
    }
  return image;
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
      if (m_eval)
        tip += tr("\npredicted %1 (%2%) · loss %3\nClick to make it the probe image")
                   .arg(m_names.name(predicted(row)))
                   .arg(probability(row) * 100, 0, 'f', 1)
                   .arg(loss(row), 0, 'g', 3);
      return tip;
    }
    case ImageRole:
      return thumbnail(row);
    case TrueLabelRole:
      return trueLabel(row);
    case HasPredictionRole:
      return m_eval != nullptr;
    case PredictedLabelRole:
      return m_eval ? QVariant(predicted(row)) : QVariant();
    case ConfidenceRole:
      return m_eval ? QVariant(probability(row)) : QVariant();
    case TrueProbabilityRole:
      return m_eval ? QVariant(trueProbability(row)) : QVariant();
    case LossRole:
      return m_eval ? QVariant(loss(row)) : QVariant();
    case CorrectRole:
      return m_eval ? QVariant(correct(row)) : QVariant();
    case TopLabelsRole:
    case TopProbabilitiesRole: {
      if (!m_eval) return {};
      QVariantList list;
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
                {TopProbabilitiesRole, "topProbabilities"}});
  return names;
}

void PredictionModel::writeCsv(QTextStream& out) const {
  out << "index,true_label,pred1,prob1,pred2,prob2,pred3,prob3,true_prob,loss,correct\n";
  if (!m_eval) return;
  for (int row = 0; row < rowCount(); ++row) {
    out << row << ',' << trueLabel(row);
    for (int k = 0; k < kTop; ++k)
      out << ',' << predicted(row, k) << ',' << QString::number(probability(row, k), 'g', 6);
    out << ',' << QString::number(trueProbability(row), 'g', 6) << ','
        << QString::number(loss(row), 'g', 6) << ',' << (correct(row) ? 1 : 0) << '\n';
  }
}
