// Paints one validation image of the prediction grid: the thumbnail (framed green when the
// network is right, red when wrong) and the top-3 classes, by name, as bars, the true class in
// green.
#pragma once

#include <QStyledItemDelegate>

#include "predictions/class_names.h"

class PredictionDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  explicit PredictionDelegate(QObject* parent = nullptr);

  // The source row of the probe image, drawn highlighted.
  void setProbeRow(int row) { m_probeRow = row; }
  // The names shown for the classes 0..classes-1 (numbers by default).
  void setClassNames(const ClassNames& names, int classes);

  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

 private:
  int m_probeRow = -1;
  ClassNames m_names;
  int m_classes = 10;
};
