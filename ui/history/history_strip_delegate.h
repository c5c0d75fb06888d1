// Paints one cell of a learning-history strip: a square filled green when the network was right
// at that evaluation and red when wrong, with the predicted class's short name on it, cut to the
// cell.
#pragma once

#include <QFontMetrics>
#include <QStyledItemDelegate>

class HistoryStripDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  static constexpr int kCell = 22;  // pixels, square

  explicit HistoryStripDelegate(QObject* parent = nullptr);

  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  // `name` cut to `width` without an ellipsis, and to no fewer than two characters: an ellipsis
  // takes a narrow cell's room, and Fashion-MNIST's "Sand", "Shirt" and "Snkr" all elide to "S…"
  // but are told apart by their first two letters.
  static QString cellText(QString name, const QFontMetrics& metrics, int width);
};
