#include "predictions/calibration_model.h"

#include <QLocale>

#include "predictions/prediction_model.h"
#include "widgets/count_text.h"

CalibrationModel::CalibrationModel(QObject* parent) : QAbstractTableModel(parent) {}

void CalibrationModel::setCalibration(cs::Calibration calibration) {
  beginResetModel();
  m_calibration = std::move(calibration);
  m_rows.clear();
  for (size_t b = 0; b < m_calibration.bins.size(); ++b)
    if (m_calibration.bins[b].count > 0) m_rows.push_back(static_cast<int>(b));
  endResetModel();
}

void CalibrationModel::clear() {
  setCalibration({});
}

void CalibrationModel::recount(const PredictionModel& predictions) {
  if (!predictions.hasEvaluation()) return clear();
  setCalibration(cs::calibrate(*predictions.evaluation(), 0, predictions.dataset()->test.labels));
}

const cs::CalibrationBin& CalibrationModel::bin(int row) const {
  return m_calibration.bins[static_cast<size_t>(m_rows[static_cast<size_t>(row)])];
}

int CalibrationModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int CalibrationModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : Columns;
}

QString CalibrationModel::rangeText(const cs::CalibrationBin& bin) {
  const QLocale locale;
  return tr("%1–%2%").arg(locale.toString(100 * bin.low, 'g', 3),
                          locale.toString(100 * bin.high, 'g', 3));
}

QString CalibrationModel::gapText(double confidence, double accuracy, int decimals) {
  const cs::ConfidenceGap gap = cs::confidence_gap(confidence, accuracy, decimals);
  if (gap.sign == 0) return tr("as confident as it is right");
  const QString points = QLocale().toString(gap.points, 'f', decimals);
  return gap.sign > 0 ? tr("overconfident by %1 points").arg(points)
                      : tr("underconfident by %1 points").arg(points);
}

QVariant CalibrationModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const cs::CalibrationBin& b = bin(index.row());
  const QLocale locale;
  switch (role) {
    case Qt::DisplayRole:
      switch (index.column()) {
        case RangeColumn:
          return rangeText(b);
        case ImagesColumn:
          return locale.toString(b.count);
        case AccuracyColumn:
          return percentText(b.accuracy(), 1);
        case ConfidenceColumn:
          return percentText(b.confidence, 1);
        case GapColumn:
          return locale.toString(100 * b.gap(), 'f', 1);
      }
      return {};
    case Qt::ToolTipRole:
      return tr("%1 of %2 images right (%3) where the network gave its top class %4, %5 on "
                "average: %6")
          .arg(locale.toString(b.right), locale.toString(b.count), percentText(b.accuracy(), 1),
               rangeText(b), percentText(b.confidence, 1), gapText(b.confidence, b.accuracy(), 1));
    case Qt::TextAlignmentRole:
      return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  }
  return {};
}

QVariant CalibrationModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= Columns) return {};
  if (role == Qt::DisplayRole) {
    static const char* const names[] = {QT_TR_NOOP("Top-1 probability"), QT_TR_NOOP("Images"),
                                        QT_TR_NOOP("Accuracy"), QT_TR_NOOP("Confidence"),
                                        QT_TR_NOOP("Gap")};
    return tr(names[section]);
  }
  if (role == Qt::ToolTipRole) {
    static const char* const tips[] = {
        QT_TR_NOOP("The bin: images whose top class got a probability in this range"),
        QT_TR_NOOP("Validation images in the bin"),
        QT_TR_NOOP("The share of them whose top class is their label"),
        QT_TR_NOOP("Their mean top-1 probability"),
        QT_TR_NOOP("Accuracy − confidence, in points: below 0 the network is overconfident")};
    return tr(tips[section]);
  }
  return {};
}
