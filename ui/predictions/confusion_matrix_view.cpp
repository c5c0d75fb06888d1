#include "predictions/confusion_matrix_view.h"

#include <QHeaderView>

#include "predictions/confusion_matrix_model.h"

ConfusionMatrixView::ConfusionMatrixView(ConfusionMatrixModel* model, QWidget* parent)
    : QTableView(parent) {
  setModel(model);
  horizontalHeader()->setDefaultSectionSize(kCellWidth);
  verticalHeader()->setDefaultSectionSize(kCellHeight);
  horizontalHeader()->setMinimumSectionSize(kMinCellWidth);
  verticalHeader()->setMinimumSectionSize(kMinCellHeight);
  for (QHeaderView* header : {horizontalHeader(), verticalHeader()}) {
    header->setSectionResizeMode(QHeaderView::Stretch);
    header->setDefaultAlignment(Qt::AlignCenter);
    header->setSectionsClickable(true);
    header->setHighlightSections(false);
  }
  verticalHeader()->setFixedWidth(kCellHeight);
  setTextElideMode(Qt::ElideNone);  // a narrow cell clips its margin, never a digit
  setSelectionMode(SingleSelection);
  setEditTriggers(NoEditTriggers);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  setCornerButtonEnabled(false);
  setMouseTracking(true);
  connect(this, &QTableView::clicked, this,
          [this](const QModelIndex& index) { Q_EMIT cellActivated(index.row(), index.column()); });
  connect(verticalHeader(), &QHeaderView::sectionClicked, this,
          &ConfusionMatrixView::trueLabelActivated);
  connect(horizontalHeader(), &QHeaderView::sectionClicked, this,
          &ConfusionMatrixView::predictedLabelActivated);
}

QSize ConfusionMatrixView::sizeHint() const {
  const int n = std::max(10, model()->rowCount());
  return {verticalHeader()->width() + n * kCellWidth + 2 * frameWidth() + 2,
          horizontalHeader()->height() + n * kCellHeight + 2 * frameWidth() + 2};
}

QSize ConfusionMatrixView::minimumSizeHint() const {
  const int n = std::max(10, model()->rowCount());
  return {verticalHeader()->width() + n * kMinCellWidth + 2 * frameWidth() + 2,
          horizontalHeader()->height() + n * kMinCellHeight + 2 * frameWidth() + 2};
}
