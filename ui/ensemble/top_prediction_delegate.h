// Paints a top-k cell of the per-network predictions: the label, then its probability as a bar
// (green for the true label, red for a wrong top-1, grey otherwise) with the number on it.
#pragma once

#include <QStyledItemDelegate>

class TopPredictionDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  explicit TopPredictionDelegate(QObject* parent = nullptr);

  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};
