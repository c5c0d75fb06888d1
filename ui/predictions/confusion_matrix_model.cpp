#include "predictions/confusion_matrix_model.h"

#include <QColor>
#include <QLocale>
#include <QTextStream>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "predictions/prediction_model.h"
#include "widgets/count_text.h"
#include "widgets/palette.h"

ConfusionMatrixModel::ConfusionMatrixModel(QObject* parent) : QAbstractTableModel(parent) {}

void ConfusionMatrixModel::setCounts(int classes, std::vector<long long> counts, int perImage) {
  if (counts.empty()) classes = 0;
  if (classes < 0 || counts.size() != static_cast<size_t>(classes) * classes || perImage < 1)
    throw std::invalid_argument("confusion matrix: " + std::to_string(counts.size()) +
                                " counts do not fill " + std::to_string(classes) + " × " +
                                std::to_string(classes) + " cells");
  beginResetModel();
  m_classes = classes;
  m_perImage = perImage;
  m_counts = std::move(counts);
  m_rowTotals.assign(m_classes, 0);
  m_columnTotals.assign(m_classes, 0);
  m_maxOffDiagonal = 0;
  for (int t = 0; t < m_classes; ++t)
    for (int p = 0; p < m_classes; ++p) {
      m_rowTotals[t] += count(t, p);
      m_columnTotals[p] += count(t, p);
      if (t != p) m_maxOffDiagonal = std::max(m_maxOffDiagonal, count(t, p));
    }
  m_maxOffDiagonalShare = 0;
  for (int t = 0; t < m_classes; ++t)
    for (int p = 0; p < m_classes; ++p)
      if (t != p) m_maxOffDiagonalShare = std::max(m_maxOffDiagonalShare, rowShare(t, p));
  endResetModel();
}

void ConfusionMatrixModel::recount(const PredictionModel& predictions) {
  m_names = predictions.classNames();
  setCounts(predictions.classes(), predictions.confusionCounts());
}

void ConfusionMatrixModel::setClassNames(ClassNames names) {
  m_names = std::move(names);
  if (m_classes > 0) {
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, m_classes - 1);
    Q_EMIT headerDataChanged(Qt::Vertical, 0, m_classes - 1);
    // The cells' tool tips name the classes too ("true dog → predicted cat").
    Q_EMIT dataChanged(index(0, 0), index(m_classes - 1, m_classes - 1), {Qt::ToolTipRole});
  }
}

long long ConfusionMatrixModel::count(int trueLabel, int predicted) const {
  return m_counts[static_cast<size_t>(trueLabel) * m_classes + predicted];
}

double ConfusionMatrixModel::recall(int c) const {
  return rowTotal(c) > 0 ? double(count(c, c)) / rowTotal(c) : std::nan("");
}

double ConfusionMatrixModel::precision(int c) const {
  return columnTotal(c) > 0 ? double(count(c, c)) / columnTotal(c) : std::nan("");
}

void ConfusionMatrixModel::writeCsv(QTextStream& out) const {
  const auto cell = [](double v) { return std::isnan(v) ? QString() : QString::number(v, 'g', 6); };
  out << "class,name,support,predicted,right,precision,recall,f1\n";
  for (int c = 0; c < m_classes; ++c) {
    const double p = precision(c), r = recall(c);
    // 0 where both are defined and 0 (as scikit-learn's), undefined where either is.
    const double f1 = std::isnan(p) || std::isnan(r) ? std::nan("")
                      : p + r > 0                    ? 2 * p * r / (p + r)
                                                     : 0;
    QString name = m_names.name(c);
    name.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    out << c << ",\"" << name << "\"," << rowTotal(c) << ',' << columnTotal(c) << ',' << count(c, c)
        << ',' << cell(p) << ',' << cell(r) << ',' << cell(f1) << '\n';
  }
}

void ConfusionMatrixModel::setCells(Cells cells) {
  if (cells == m_cells) return;
  m_cells = cells;
  if (m_classes > 0)
    Q_EMIT dataChanged(index(0, 0), index(m_classes - 1, m_classes - 1),
                       {Qt::DisplayRole, Qt::BackgroundRole, Qt::ForegroundRole});
}

QString ConfusionMatrixModel::percent(double share) {
  const double p = 100 * share;
  if (p >= 99.95) return QStringLiteral("100");
  if (p < 0.05) return QLatin1Char('<') + numberText(0.1, 1);
  return numberText(p, 1);
}

QString ConfusionMatrixModel::compact(long long n) {
  if (n < 10000) return QString::number(n);
  // Each unit up to where its rounding would reach 1000 (or 10.0): then the next unit's.
  if (n < 999'500) return QStringLiteral("%1k").arg(std::llround(n / 1e3));
  if (n < 9'950'000) return numberText(n / 1e6, 1) + QLatin1Char('M');
  if (n < 999'500'000) return QStringLiteral("%1M").arg(std::llround(n / 1e6));
  return numberText(n / 1e9, 1) + QLatin1Char('G');  // a billion counts: beyond any run
}

double ConfusionMatrixModel::rowShare(int trueLabel, int predicted) const {
  const long long total = rowTotal(trueLabel);
  return total > 0 ? double(count(trueLabel, predicted)) / total : 0;
}

double ConfusionMatrixModel::tint(int trueLabel, int predicted) const {
  if (trueLabel == predicted) return rowShare(trueLabel, predicted);
  if (m_cells == Cells::RowPercent)
    return m_maxOffDiagonalShare > 0
               ? std::sqrt(rowShare(trueLabel, predicted) / m_maxOffDiagonalShare)
               : 0;
  return std::sqrt(double(count(trueLabel, predicted)) / std::max<long long>(1, m_maxOffDiagonal));
}

int ConfusionMatrixModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : m_classes;
}

int ConfusionMatrixModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : m_classes;
}

QString ConfusionMatrixModel::cellToolTip(int t, int p) const {
  const long long n = count(t, p);
  const double share = 100 * rowShare(t, p);
  const QString trueName = m_names.name(t), predictedName = m_names.name(p);
  QString text = m_perImage == 1
                     ? tr("true %1 → predicted %2: %3 images (%4% of the %1s)")
                           .arg(trueName, predictedName)
                           .arg(n)
                           .arg(numberText(share, 1))
                     : tr("true %1 → predicted %2: %3 predictions (%4% of the %1s, %5 per network)")
                           .arg(trueName, predictedName)
                           .arg(n)
                           .arg(numberText(share, 2), numberText(double(n) / m_perImage, 1));
  return text + (t == p ? tr("\nClick to show the %1s").arg(trueName)
                        : tr("\nClick to show the %1s taken for %2").arg(trueName, predictedName));
}

QVariant ConfusionMatrixModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const int t = index.row(), p = index.column();
  const long long n = count(t, p);
  switch (role) {
    case Qt::DisplayRole:
      if (n == 0) return {};
      return m_cells == Cells::Counts ? compact(n) : percent(rowShare(t, p));
    case CountRole:
      return n;
    case RowShareRole:
      return rowShare(t, p);
    case Qt::TextAlignmentRole:
      return int(Qt::AlignCenter);
    case Qt::ToolTipRole:
      return cellToolTip(t, p);
    case Qt::BackgroundRole: {
      if (n == 0) return {};
      QColor c = t == p ? palette::kRight : palette::kWrong;
      c.setAlphaF(0.10 + 0.80 * tint(t, p));
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
  const QString name = m_names.name(section);
  // Columns are narrow: short names there, the full ones in the tooltips.
  if (role == Qt::DisplayRole)
    return orientation == Qt::Horizontal ? m_names.shortName(section) : name;
  if (role == Qt::ToolTipRole) return headerToolTip(section, orientation);
  return {};
}

QString ConfusionMatrixModel::headerToolTip(int c, Qt::Orientation orientation) const {
  const QString name = m_names.name(c);
  const auto share = [](double v) {
    return std::isnan(v) ? QStringLiteral("–") : percentText(v, 1);
  };
  const QLocale locale;
  const auto predictions = [this, &locale](long long n) {
    return m_perImage == 1 ? tr("%1 images").arg(locale.toString(n))
                           : tr("%1 predictions").arg(locale.toString(n));
  };
  if (orientation == Qt::Horizontal)
    return tr("Predicted label %1 (%2): precision %3, %4 of them right\nClick to show the "
              "images taken for %1")
        .arg(name, predictions(columnTotal(c)), share(precision(c)))
        .arg(locale.toString(count(c, c)));
  QString text = tr("True label %1 (%2): recall %3, %4 of them right")
                     .arg(name, predictions(rowTotal(c)), share(recall(c)))
                     .arg(locale.toString(count(c, c)));
  int worst = -1;
  for (int p = 0; p < m_classes; ++p)
    if (p != c && count(c, p) > 0 && (worst < 0 || count(c, p) > count(c, worst))) worst = p;
  if (worst >= 0)
    text += tr("; most often taken for %1 (%2)").arg(m_names.name(worst)).arg(count(c, worst));
  return text + tr("\nClick to show them");
}
