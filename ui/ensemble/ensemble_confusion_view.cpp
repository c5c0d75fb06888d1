#include "ensemble/ensemble_confusion_view.h"

#include <QHeaderView>

EnsembleConfusionView::EnsembleConfusionView(QWidget* parent) : QTableView(parent) {
  for (QHeaderView* header : {horizontalHeader(), verticalHeader()}) {
    header->setSectionResizeMode(QHeaderView::Stretch);
    header->setDefaultSectionSize(kCell);
    header->setMinimumSectionSize(kMinCell);
    header->setDefaultAlignment(Qt::AlignCenter);
    header->setHighlightSections(true);
  }
  verticalHeader()->setFixedWidth(kCell - 10);
  horizontalHeader()->setFixedHeight(fontMetrics().height() + 10);
  setSelectionMode(SingleSelection);
  setEditTriggers(NoEditTriggers);
  setCornerButtonEnabled(false);
  setWordWrap(false);
  setTextElideMode(Qt::ElideNone);  // a narrow cell clips its margin, never a digit
  setToolTip(tr("Rows: true label; columns: predicted label, counted over all networks"));
  connect(this, &QTableView::clicked, this,
          [this](const QModelIndex& index) { Q_EMIT cellClicked(index.row(), index.column()); });
}

void EnsembleConfusionView::markCell(int trueLabel, int predicted) {
  if (!model()) return;
  if (trueLabel < 0 || predicted < 0) {
    selectionModel()->clear();  // the current cell too, or its frame stays highlighted
    return;
  }
  setCurrentIndex(model()->index(trueLabel, predicted));
}

QSize EnsembleConfusionView::sizeHint() const {
  const int n = std::max(10, model() ? model()->rowCount() : 0);
  return {verticalHeader()->width() + n * kCell + 2 * frameWidth() + 2,
          horizontalHeader()->height() + n * kCell + 2 * frameWidth() + 2};
}

QSize EnsembleConfusionView::minimumSizeHint() const {
  const int n = std::max(10, model() ? model()->rowCount() : 0);
  return {verticalHeader()->width() + n * kMinCell + 2 * frameWidth() + 2,
          horizontalHeader()->height() + n * kMinCell + 2 * frameWidth() + 2};
}
