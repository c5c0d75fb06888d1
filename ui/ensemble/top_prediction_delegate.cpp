#include "ensemble/top_prediction_delegate.h"

#include <QApplication>
#include <QPainter>

#include "ensemble/net_predictions_model.h"
#include "widgets/palette.h"

namespace {

const QColor& kCorrect = palette::kRight;
const QColor& kWrong = palette::kWrong;
const QColor& kOther = palette::kOther;
const QColor kTrack(0xec, 0xef, 0xf2);

}  // namespace

TopPredictionDelegate::TopPredictionDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

QSize TopPredictionDelegate::sizeHint(const QStyleOptionViewItem& option,
                                      const QModelIndex& index) const {
  const QSize base = QStyledItemDelegate::sizeHint(option, index);
  return {std::max(base.width(), 96), base.height()};
}

void TopPredictionDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                                  const QModelIndex& index) const {
  const QVariant labelValue = index.data(NetPredictionsModel::LabelRole);
  if (!labelValue.isValid()) {
    QStyledItemDelegate::paint(painter, option, index);
    return;
  }
  // The background (row tint, selection) as any cell, without the text.
  QStyleOptionViewItem opt = option;
  initStyleOption(&opt, index);
  opt.text.clear();
  const QWidget* widget = option.widget;
  QStyle* style = widget ? widget->style() : QApplication::style();
  style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

  const int label = labelValue.toInt();
  const double p = index.data(NetPredictionsModel::ProbabilityRole).toDouble();
  const bool isTrue = label == index.data(NetPredictionsModel::TrueLabelRole).toInt();
  const bool top1 = index.column() == NetPredictionsModel::Top1Column;
  const QColor color = isTrue ? kCorrect : top1 ? kWrong : kOther;

  painter->save();
  const QRect cell = option.rect.adjusted(6, 3, -6, -3);
  const QFontMetrics fm(option.font);
  // The name as wide as it needs, up to half the cell (elided beyond).
  const QString name = index.data(NetPredictionsModel::ShortNameRole).toString();
  const int labelW =
      std::min(std::max(fm.horizontalAdvance(QStringLiteral("00")), fm.horizontalAdvance(name) + 2),
               cell.width() / 2);
  QFont bold = option.font;
  bold.setBold(isTrue || top1);
  painter->setFont(bold);
  painter->setPen(isTrue ? kCorrect : top1 ? kWrong : option.palette.color(QPalette::Text));
  painter->drawText(QRect(cell.left(), cell.top(), labelW, cell.height()), Qt::AlignCenter,
                    QFontMetrics(bold).elidedText(name, Qt::ElideRight, labelW));
  const QRect track(cell.left() + labelW + 4, cell.top() + 2, cell.width() - labelW - 4,
                    cell.height() - 4);
  painter->fillRect(track, kTrack);
  painter->fillRect(QRect(track.topLeft(), QSize(int(track.width() * p + 0.5), track.height())),
                    color);
  QFont small = option.font;
  small.setPointSizeF(small.pointSizeF() * 0.85);
  painter->setFont(small);
  // On the bar when it is long enough, else on the empty track to its right.
  const bool onBar = p > 0.55;
  painter->setPen(onBar ? QColor(Qt::white) : option.palette.color(QPalette::Text));
  const QRect textRect = track.adjusted(4, 0, -4, 0);
  painter->drawText(textRect, (onBar ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter,
                    probabilityText(p, QFontMetrics(small), textRect.width()));
  painter->restore();
}

QString TopPredictionDelegate::probabilityText(double p, const QFontMetrics& fm, int room) {
  for (const int decimals : {3, 2}) {
    const QString text = QString::number(p, 'f', decimals);
    if (fm.horizontalAdvance(text) <= room) return text;
  }
  return {};
}
