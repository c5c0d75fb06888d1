#include "predictions/prediction_delegate.h"

#include <QPainter>

#include "predictions/prediction_model.h"
#include "widgets/palette.h"

namespace {

constexpr int kThumb = 56;
const QSize kCell(150, 68);
const QColor& kCorrect = palette::kRight;
const QColor& kWrong = palette::kWrong;
const QColor& kOther = palette::kOther;
const QColor& kProbe = palette::kAccent;

}  // namespace

PredictionDelegate::PredictionDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

void PredictionDelegate::setClassNames(const ClassNames& names, int classes) {
  m_names = names;
  m_classes = classes;
}

QSize PredictionDelegate::sizeHint(const QStyleOptionViewItem&, const QModelIndex&) const {
  return kCell;
}

void PredictionDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                               const QModelIndex& index) const {
  painter->save();
  const QRect cell = option.rect.adjusted(2, 2, -2, -2);
  const int row = index.data(Qt::DisplayRole).toInt();
  const bool isProbe = row == m_probeRow;
  if (isProbe)
    painter->fillRect(cell, QColor(0xe3, 0xed, 0xf8));
  else if (option.state & QStyle::State_MouseOver)
    painter->fillRect(cell, QColor(0xf0, 0xf0, 0xf0));
  if (isProbe) {
    painter->setPen(QPen(kProbe, 1.5));
    painter->drawRect(QRectF(cell).adjusted(0.75, 0.75, -0.75, -0.75));
  }

  const bool evaluated = index.data(PredictionModel::HasPredictionRole).toBool();
  const bool correct = index.data(PredictionModel::CorrectRole).toBool();
  const int label = index.data(PredictionModel::TrueLabelRole).toInt();
  const QRect thumb(cell.left() + 4, cell.top() + (cell.height() - kThumb) / 2, kThumb, kThumb);
  painter->drawImage(thumb, index.data(PredictionModel::ImageRole).value<QImage>());
  if (evaluated) {
    painter->setPen(QPen(correct ? kCorrect : kWrong, 2));
    painter->drawRect(thumb.adjusted(-1, -1, 0, 0));
  }

  QFont small = option.font;
  small.setPointSizeF(small.pointSizeF() * 0.85);
  painter->setFont(small);
  const QFontMetrics fm(small);
  const int x = thumb.right() + 8, width = cell.right() - x - 2, lineH = fm.height();
  painter->setPen(option.palette.color(QPalette::PlaceholderText));
  painter->drawText(QRect(x, cell.top() + 2, width, lineH), Qt::AlignLeft | Qt::AlignVCenter,
                    fm.elidedText(QStringLiteral("#%1 · %2").arg(row).arg(m_names.name(label)),
                                  Qt::ElideRight, width));
  const QVariantList labels = index.data(PredictionModel::TopLabelsRole).toList();
  const QVariantList probs = index.data(PredictionModel::TopProbabilitiesRole).toList();
  if (!evaluated || labels.isEmpty()) {  // evaluated without labels: no answer
    painter->drawText(QRect(x, cell.top() + 2 + lineH, width, lineH), Qt::AlignLeft,
                      evaluated ? tr("no answer") : tr("not evaluated"));
    painter->restore();
    return;
  }
  // The short names as wide as the widest needs, up to half the text column (elided beyond).
  const int digitW = std::min(m_names.widestShortName(m_classes, fm) + 4, width / 2);
  for (int k = 0; k < labels.size() && k < probs.size(); ++k) {
    const int y = cell.top() + 4 + lineH * (k + 1);
    const int c = labels[k].toInt();
    const double p = probs[k].toDouble();
    const QColor color = c == label ? kCorrect : k == 0 ? kWrong : kOther;
    painter->setPen(c == label ? kCorrect : option.palette.color(QPalette::Text));
    painter->drawText(QRect(x, y, digitW, lineH), Qt::AlignLeft | Qt::AlignVCenter,
                      fm.elidedText(m_names.shortName(c), Qt::ElideRight, digitW - 2));
    const QRect track(x + digitW, y + 3, width - digitW, lineH - 6);
    painter->fillRect(track, QColor(0xec, 0xec, 0xec));
    painter->fillRect(QRect(track.topLeft(), QSize(int(track.width() * p + 0.5), track.height())),
                      color);
  }
  painter->restore();
}
