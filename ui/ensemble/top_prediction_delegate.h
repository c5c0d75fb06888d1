// Paints a top-k cell of the per-network predictions: the label, then its probability as a bar
// (green for the true label, red for a wrong top-1, grey otherwise) with the number on it, as
// many decimals as the cell has room for. A cell too narrow for the bar and its number shows the
// number alone, in the bar's colour; none in a very narrow one (the tool tip has it).
#pragma once

#include <QStyledItemDelegate>

class TopPredictionDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  explicit TopPredictionDelegate(QObject* parent = nullptr);

  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

  // The width of a cell that shows a one-digit label, a bar and its number with 2 decimals.
  static int fullWidth(const QFont& font);
  // p with 3 decimals, else 2, else 2 without the leading zero (".26"), as fits in `room` pixels
  // of text in fm; empty when none does.
  static QString probabilityText(double p, const QFontMetrics& fm, int room);
};
