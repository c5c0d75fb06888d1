#include "network/filter_grid_delegate.h"

#include <QAbstractItemView>
#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include "network/filter_grid_model.h"

namespace {

// Where the tile image goes inside a cell: centred, at the model's zoom.
QRect tileRect(const QRect& cell, const FilterGridModel& model) {
  const QSize size = model.tileSize();
  return {cell.x() + (cell.width() - size.width()) / 2,
          cell.y() + (cell.height() - size.height()) / 2, size.width(), size.height()};
}

}  // namespace

FilterGridDelegate::FilterGridDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

void FilterGridDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                               const QModelIndex& index) const {
  const auto* model = qobject_cast<const FilterGridModel*>(index.model());
  if (!model || !model->tileAt(index)) return;
  const QRect r = tileRect(option.rect, *model);
  const QImage image = index.data(Qt::DecorationRole).value<QImage>();
  painter->save();
  painter->setRenderHint(QPainter::SmoothPixmapTransform, false);
  painter->fillRect(r, QColor(0xf7, 0xf7, 0xf7));
  painter->drawImage(r, image);
  const bool hover = option.state & QStyle::State_MouseOver;
  painter->setPen(hover ? QColor(0x20, 0x20, 0x20) : QColor(0xc8, 0xc8, 0xc8));
  painter->drawRect(r.adjusted(-1, -1, 0, 0));
  painter->restore();
}

QSize FilterGridDelegate::sizeHint(const QStyleOptionViewItem&, const QModelIndex& index) const {
  return index.data(Qt::SizeHintRole).toSize() + QSize(2 * kMargin, 2 * kMargin);
}

bool FilterGridDelegate::helpEvent(QHelpEvent* event, QAbstractItemView* view,
                                   const QStyleOptionViewItem& option, const QModelIndex& index) {
  const auto* model = qobject_cast<const FilterGridModel*>(index.model());
  if (event->type() != QEvent::ToolTip || !model || !model->tileAt(index))
    return QStyledItemDelegate::helpEvent(event, view, option, index);
  const QRect r = tileRect(option.rect, *model);
  const int zoom = model->zoom();
  const QPoint pixel((event->pos().x() - r.x()) / zoom, (event->pos().y() - r.y()) / zoom);
  // Limit the tip to the value pixel under the cursor so that moving on shows the next value.
  const QRect valueRect(r.x() + pixel.x() * zoom, r.y() + pixel.y() * zoom, zoom, zoom);
  QToolTip::showText(event->globalPos(), model->valueToolTip(index, pixel), view->viewport(),
                     r.contains(event->pos()) ? valueRect : option.rect);
  return true;
}
