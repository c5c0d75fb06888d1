// The reliability table of an evaluation (cs::calibrate(), Guo et al. 2017): one row per bin of
// the top-1 probability that holds images, from the least confident up: its range, its images,
// how often the network was right there, how sure it was on average, and the gap between the
// two in points (below 0: overconfident). The live view recounts it from the validation
// predictions after every evaluation, as it does the confusion matrix.
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "convscope/calibration.h"

class PredictionModel;

class CalibrationModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { RangeColumn, ImagesColumn, AccuracyColumn, ConfidenceColumn, GapColumn, Columns };
  explicit CalibrationModel(QObject* parent = nullptr);

  // One reset; a calibration without images empties the table.
  void setCalibration(cs::Calibration calibration);
  void clear();
  // Network 0's calibration in the predictions' latest evaluation; empty without one.
  void recount(const PredictionModel& predictions);

  bool hasCalibration() const { return m_calibration.count > 0; }
  const cs::Calibration& calibration() const { return m_calibration; }
  // The bin of a row.
  const cs::CalibrationBin& bin(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

  // "93.3–100%": a bin's range as the table and the chart's tool tips write it.
  static QString rangeText(const cs::CalibrationBin& bin);
  // "overconfident by 0.10 points" (cs::confidence_gap()), in the locale's digits.
  static QString gapText(double confidence, double accuracy, int decimals);

 private:
  cs::Calibration m_calibration;
  std::vector<int> m_rows;  // the bins with images, in order
};
