#include "canvas/share_bar_delegate.h"

#include <QPainter>
#include <algorithm>

#include "canvas/vote_model.h"
#include "widgets/palette.h"

ShareBarDelegate::ShareBarDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

void ShareBarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                             const QModelIndex& index) const {
  const QVariant share = index.data(VoteModel::ShareRole);
  if (share.isValid() && !(option.state & QStyle::State_Selected)) {
    QColor fill = palette::kAccent;
    fill.setAlpha(70);
    const QRectF r = QRectF(option.rect).adjusted(2, 3, -2, -3);
    painter->fillRect(
        QRectF(r.topLeft(), QSizeF(r.width() * std::clamp(share.toDouble(), 0.0, 1.0), r.height())),
        fill);
  }
  QStyledItemDelegate::paint(painter, option, index);
}
