// Paints a cell's VoteModel::ShareRole (0..1) as a bar behind its text: the vote table's votes
// and mean probabilities.
#pragma once

#include <QStyledItemDelegate>

class ShareBarDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  explicit ShareBarDelegate(QObject* parent = nullptr);
  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override;
};
