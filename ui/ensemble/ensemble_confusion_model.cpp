#include "ensemble/ensemble_confusion_model.h"

#include <QColor>
#include <algorithm>
#include <cmath>

EnsembleConfusionModel::EnsembleConfusionModel(QObject* parent) : QAbstractTableModel(parent) {}

void EnsembleConfusionModel::setRun(EnsembleRunPtr run) {
  beginResetModel();
  m_run = run && run->hasPredictions() ? std::move(run) : nullptr;
  m_classes = m_run ? m_run->classes() : 0;
  m_rowTotals.assign(m_classes, 0);
  m_maxOffDiagonal = 0;
  for (int t = 0; t < m_classes; ++t)
    for (int p = 0; p < m_classes; ++p) {
      m_rowTotals[t] += count(t, p);
      if (t != p) m_maxOffDiagonal = std::max(m_maxOffDiagonal, count(t, p));
    }
  endResetModel();
}

long long EnsembleConfusionModel::count(int trueLabel, int predicted) const {
  return m_run->stats().confusion[static_cast<size_t>(trueLabel) * m_classes + predicted];
}

QString EnsembleConfusionModel::compact(long long n) {
  if (n < 10000) return QString::number(n);
  if (n < 1000000) return QStringLiteral("%1k").arg(std::llround(n / 1000.0));
  return QStringLiteral("%1M").arg(n / 1e6, 0, 'f', 1);
}

double EnsembleConfusionModel::tint(int trueLabel, int predicted) const {
  const long long n = count(trueLabel, predicted);
  if (trueLabel == predicted)
    return m_rowTotals[trueLabel] > 0 ? double(n) / m_rowTotals[trueLabel] : 0;
  return std::sqrt(double(n) / std::max<long long>(1, m_maxOffDiagonal));
}

int EnsembleConfusionModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : m_classes;
}

int EnsembleConfusionModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : m_classes;
}

QVariant EnsembleConfusionModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const int t = index.row(), p = index.column();
  const long long n = count(t, p);
  switch (role) {
    case Qt::DisplayRole:
      return n > 0 ? QVariant(compact(n)) : QVariant();
    case CountRole:
      return n;
    case Qt::TextAlignmentRole:
      return int(Qt::AlignCenter);
    case Qt::ToolTipRole: {
      const double share = m_rowTotals[t] > 0 ? 100.0 * n / m_rowTotals[t] : 0;
      QString text = tr("true %1 → predicted %2: %3 predictions (%4% of the %1s, %5 per network)")
                         .arg(t)
                         .arg(p)
                         .arg(n)
                         .arg(share, 0, 'f', 2)
                         .arg(double(n) / m_run->nets(), 0, 'f', 1);
      return text + (t == p ? tr("\nClick to show the %1s").arg(t)
                            : tr("\nClick to show the %1s taken for %2").arg(t).arg(p));
    }
    case Qt::BackgroundRole: {
      if (n == 0) return {};
      QColor c = t == p ? QColor(0x2e, 0x9e, 0x4f) : QColor(0xd6, 0x45, 0x45);
      c.setAlphaF(0.10 + 0.80 * tint(t, p));
      return c;
    }
    case Qt::ForegroundRole:
      return n > 0 && tint(t, p) > 0.55 ? QColor(Qt::white) : QVariant();
    default:
      return {};
  }
}

QVariant EnsembleConfusionModel::headerData(int section, Qt::Orientation orientation,
                                            int role) const {
  if (section < 0 || section >= m_classes) return {};
  if (role == Qt::DisplayRole) return section;
  if (role == Qt::ToolTipRole)
    return orientation == Qt::Vertical ? tr("True label %1").arg(section)
                                       : tr("Predicted label %1").arg(section);
  return {};
}
