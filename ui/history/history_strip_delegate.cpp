#include "history/history_strip_delegate.h"

#include <QPainter>

#include "history/history_strip_model.h"
#include "widgets/palette.h"

HistoryStripDelegate::HistoryStripDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

void HistoryStripDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                                 const QModelIndex& index) const {
  const bool right = index.data(HistoryStripModel::CorrectRole).toBool();
  const QRect cell = option.rect.adjusted(1, 1, -1, -1);
  painter->save();
  painter->fillRect(cell, right ? palette::kRight : palette::kWrong);
  if (option.state & QStyle::State_MouseOver) {
    painter->setPen(QPen(palette::kAccent, 2));
    painter->drawRect(cell.adjusted(1, 1, -1, -1));
  }
  painter->setPen(Qt::white);
  QFont font = option.font;
  font.setBold(true);
  painter->setFont(font);
  painter->drawText(
      cell, Qt::AlignCenter,
      cellText(index.data(Qt::DisplayRole).toString(), painter->fontMetrics(), cell.width() - 2));
  painter->restore();
}

QString HistoryStripDelegate::cellText(QString name, const QFontMetrics& metrics, int width) {
  while (name.size() > 2 && metrics.horizontalAdvance(name) > width) name.chop(1);
  return name;
}

QSize HistoryStripDelegate::sizeHint(const QStyleOptionViewItem&, const QModelIndex&) const {
  return {kCell, kCell};
}
