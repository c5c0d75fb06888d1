// Paints one tile of a FilterGridModel as a crisp (nearest-neighbour) heatmap with a thin frame,
// and answers tool-tip events with the value under the cursor.
#pragma once

#include <QStyledItemDelegate>

class FilterGridDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  static constexpr int kMargin = 3;  // around each tile

  explicit FilterGridDelegate(QObject* parent = nullptr);

  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  bool helpEvent(QHelpEvent* event, QAbstractItemView* view, const QStyleOptionViewItem& option,
                 const QModelIndex& index) override;
};
