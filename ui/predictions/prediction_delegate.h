// Paints one validation image of the prediction grid: the thumbnail (framed green when the
// network is right, red when wrong) and the top-3 classes as bars, the true class in green.
#pragma once

#include <QStyledItemDelegate>

class PredictionDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  explicit PredictionDelegate(QObject* parent = nullptr);

  // The source row of the probe image, drawn highlighted.
  void setProbeRow(int row) { m_probeRow = row; }

  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

 private:
  int m_probeRow = -1;
};
