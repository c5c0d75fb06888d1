#include "predictions/confusion_matrix_model.h"

#include <QColor>
#include <algorithm>
#include <cmath>

#include "predictions/prediction_model.h"

ConfusionMatrixModel::ConfusionMatrixModel(QObject* parent) : QAbstractTableModel(parent) {}

void ConfusionMatrixModel::recount(const PredictionModel& predictions) {
  beginResetModel();
  const bool evaluated = predictions.hasEvaluation() && predictions.dataset();
  m_classes = evaluated ? predictions.dataset()->test.classes : 0;
  m_counts.assign(static_cast<size_t>(m_classes) * m_classes, 0);
  m_rowTotals.assign(m_classes, 0);
  m_maxOffDiagonal = 0;
  for (int row = 0; evaluated && row < predictions.rowCount(); ++row) {
    const int t = predictions.trueLabel(row), p = predictions.predicted(row);
    if (t < 0 || t >= m_classes || p < 0 || p >= m_classes) continue;
    ++m_counts[static_cast<size_t>(t) * m_classes + p];
    ++m_rowTotals[t];
  }
  for (int t = 0; t < m_classes; ++t)
    for (int p = 0; p < m_classes; ++p)
      if (t != p) m_maxOffDiagonal = std::max(m_maxOffDiagonal, count(t, p));
  endResetModel();
}

int ConfusionMatrixModel::count(int trueLabel, int predicted) const {
  return m_counts[static_cast<size_t>(trueLabel) * m_classes + predicted];
}

int ConfusionMatrixModel::rowTotal(int trueLabel) const {
  return m_rowTotals[trueLabel];
}

double ConfusionMatrixModel::tint(int trueLabel, int predicted) const {
  const int n = count(trueLabel, predicted);
  if (trueLabel == predicted) return rowTotal(trueLabel) > 0 ? double(n) / rowTotal(trueLabel) : 0;
  return std::sqrt(double(n) / std::max(1, m_maxOffDiagonal));
}

int ConfusionMatrixModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : m_classes;
}

int ConfusionMatrixModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : m_classes;
}

QVariant ConfusionMatrixModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const int t = index.row(), p = index.column(), n = count(t, p);
  const double share = rowTotal(t) > 0 ? double(n) / rowTotal(t) : 0.0;
  switch (role) {
    case Qt::DisplayRole:
      return n > 0 ? QVariant(n) : QVariant();
    case CountRole:
      return n;
    case RowShareRole:
      return share;
    case Qt::TextAlignmentRole:
      return int(Qt::AlignCenter);
    case Qt::ToolTipRole:
      return tr("true %1 → predicted %2: %3 images (%4% of the %1s)\nClick to show them")
          .arg(t)
          .arg(p)
          .arg(n)
          .arg(100 * share, 0, 'f', 1);
    case Qt::BackgroundRole: {
      if (n == 0) return {};
      QColor c = t == p ? QColor(0x2e, 0x9e, 0x4f) : QColor(0xd6, 0x45, 0x45);
      c.setAlphaF(0.12 + 0.78 * tint(t, p));
      return c;
    }
    case Qt::ForegroundRole:
      return n > 0 && tint(t, p) > 0.55 ? QColor(Qt::white) : QVariant();
    default:
      return {};
  }
}

QVariant ConfusionMatrixModel::headerData(int section, Qt::Orientation orientation,
                                          int role) const {
  if (section < 0 || section >= m_classes) return {};
  if (role == Qt::DisplayRole) return section;
  if (role == Qt::ToolTipRole)
    return orientation == Qt::Vertical
               ? tr("True label %1 (%2 images): click to show them")
                     .arg(section)
                     .arg(rowTotal(section))
               : tr("Predicted label %1: click to show the images predicted as %1").arg(section);
  return {};
}
