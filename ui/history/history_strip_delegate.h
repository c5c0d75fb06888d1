// Paints one cell of a learning-history strip: a square filled green when the network was right
// at that evaluation and red when wrong, with the predicted class's name on it.
#pragma once

#include <QStyledItemDelegate>

class HistoryStripDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  static constexpr int kCell = 22;  // pixels, square

  explicit HistoryStripDelegate(QObject* parent = nullptr);

  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};
