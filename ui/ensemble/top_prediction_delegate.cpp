#include "ensemble/top_prediction_delegate.h"
#include "widgets/count_text.h"

#include <QApplication>
#include <QPainter>

#include "ensemble/net_predictions_model.h"
#include "widgets/palette.h"

namespace {

const QColor& kCorrect = palette::kRight;
const QColor& kWrong = palette::kWrong;
const QColor& kOther = palette::kOther;
const QColor kTrack(0xec, 0xef, 0xf2);
constexpr int kMargin = 6;  // each side of a cell

QFont numberFont(const QFont& font) {
  QFont small = font;
  small.setPointSizeF(small.pointSizeF() * 0.85);
  return small;
}

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
  const QRect cell = option.rect.adjusted(kMargin, 3, -kMargin, -3);
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
  const QFont small = numberFont(option.font);
  const QFontMetrics smallFm(small);
  const QRect track(cell.left() + labelW + 4, cell.top() + 2, cell.width() - labelW - 4,
                    cell.height() - 4);
  const QRect textRect = track.adjusted(4, 0, -4, 0);
  QString number = probabilityText(p, smallFm, textRect.width());
  painter->setFont(small);
  if (number.isEmpty()) {
    // Too narrow for a bar with its number on it: the number alone, in the bar's colour.
    const int left = cell.left() + labelW + 2, right = option.rect.right() - 2;
    const QRect rest(left, cell.top(), right - left + 1, cell.height());
    number = probabilityText(p, smallFm, rest.width());
    painter->setPen(isTrue || top1 ? color : option.palette.color(QPalette::Text));
    painter->drawText(rest, Qt::AlignRight | Qt::AlignVCenter, number);
    painter->restore();
    return;
  }
  painter->fillRect(track, kTrack);
  painter->fillRect(QRect(track.topLeft(), QSize(int(track.width() * p + 0.5), track.height())),
                    color);
  // On the bar when it is long enough, else on the empty track to its right.
  const bool onBar = p > 0.55;
  painter->setPen(onBar ? QColor(Qt::white) : option.palette.color(QPalette::Text));
  painter->drawText(textRect, (onBar ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter, number);
  painter->restore();
}

int TopPredictionDelegate::fullWidth(const QFont& font) {
  // The margins, the label ("00" wide at least), a gap, then the track with the number inset.
  return 2 * kMargin + QFontMetrics(font).horizontalAdvance(QStringLiteral("00")) + 4 +
         QFontMetrics(numberFont(font)).horizontalAdvance(QStringLiteral("0.00")) + 8;
}

QString TopPredictionDelegate::probabilityText(double p, const QFontMetrics& fm, int room) {
  const QString two = numberText(p, 2);
  // The last resort drops the leading zero: ".26", as tables of probabilities often do.
  for (const QString& text :
       {numberText(p, 3), two, two.startsWith(QLatin1Char('0')) ? two.mid(1) : two})
    if (fm.horizontalAdvance(text) <= room) return text;
  return {};
}
