#include "predictions/confusion_matrix_view.h"

#include <QAction>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

#include "predictions/confusion_matrix_model.h"

ConfusionMatrixView::ConfusionMatrixView(ConfusionMatrixModel* model, QWidget* parent)
    : QTableView(parent),
      m_model(model),
      m_percent(new QAction(tr("Show the share of each true label (%)"), this)) {
  setModel(model);
  m_percent->setObjectName(QStringLiteral("confusionPercent"));
  m_percent->setCheckable(true);
  m_percent->setChecked(model->cells() == ConfusionMatrixModel::Cells::RowPercent);
  connect(m_percent, &QAction::toggled, this, [this](bool on) {
    m_model->setCells(on ? ConfusionMatrixModel::Cells::RowPercent
                         : ConfusionMatrixModel::Cells::Counts);
  });
  for (QWidget* w : {static_cast<QWidget*>(this), static_cast<QWidget*>(horizontalHeader()),
                     static_cast<QWidget*>(verticalHeader())}) {
    w->addAction(m_percent);
    w->setContextMenuPolicy(Qt::ActionsContextMenu);
  }
  horizontalHeader()->setDefaultSectionSize(kCellWidth);
  verticalHeader()->setDefaultSectionSize(kCellHeight);
  horizontalHeader()->setMinimumSectionSize(kMinCellWidth);
  verticalHeader()->setMinimumSectionSize(kMinCellHeight);
  for (QHeaderView* header : {horizontalHeader(), verticalHeader()}) {
    header->setSectionResizeMode(QHeaderView::Stretch);
    header->setDefaultAlignment(Qt::AlignCenter);
    header->setSectionsClickable(true);
    header->setHighlightSections(false);
    header->setTextElideMode(Qt::ElideRight);
  }
  setTextElideMode(Qt::ElideNone);  // a narrow cell clips its margin, never a digit
  setWordWrap(false);
  setSelectionMode(SingleSelection);
  setEditTriggers(NoEditTriggers);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  setCornerButtonEnabled(false);
  setMouseTracking(true);
  fitRowHeader();
  showHeaders();
  connect(model, &QAbstractItemModel::modelReset, this, [this] {
    fitRowHeader();
    showHeaders();
    markCell(m_markTrue, m_markPredicted);  // new counts: the same cell stays marked
  });
  connect(model, &QAbstractItemModel::headerDataChanged, this, &ConfusionMatrixView::fitRowHeader);
  connect(this, &QTableView::clicked, this,
          [this](const QModelIndex& index) { Q_EMIT cellActivated(index.row(), index.column()); });
  connect(verticalHeader(), &QHeaderView::sectionClicked, this,
          &ConfusionMatrixView::trueLabelActivated);
  connect(horizontalHeader(), &QHeaderView::sectionClicked, this,
          &ConfusionMatrixView::predictedLabelActivated);
}

void ConfusionMatrixView::fitRowHeader() {
  const int names = m_model->classNames().widestName(m_model->classes(), fontMetrics());
  verticalHeader()->setFixedWidth(std::max(kCellHeight, names + 12));
}

// Labels only for cells: an empty matrix is its placeholder alone, without a blank header strip.
void ConfusionMatrixView::showHeaders() {
  const bool cells = m_model->rowCount() > 0;
  horizontalHeader()->setVisible(cells);
  verticalHeader()->setVisible(cells);
}

// Only the left button chooses a cell: the right one opens the menu, the others do nothing.
void ConfusionMatrixView::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return event->accept();
  QTableView::mousePressEvent(event);
}

void ConfusionMatrixView::mouseReleaseEvent(QMouseEvent* event) {
  QTableView::mouseReleaseEvent(event);   // a click asks for its cell, which marks it
  markCell(m_markTrue, m_markPredicted);  // a press dragged to another cell does not
}

void ConfusionMatrixView::keyPressEvent(QKeyEvent* event) {
  const QModelIndex current = currentIndex();
  const int key = event->key();
  if (current.isValid() &&
      (key == Qt::Key_Return || key == Qt::Key_Enter || key == Qt::Key_Space)) {
    Q_EMIT cellActivated(current.row(), current.column());
    return event->accept();
  }
  QTableView::keyPressEvent(event);
}

void ConfusionMatrixView::markCell(int trueLabel, int predicted) {
  m_markTrue = trueLabel;
  m_markPredicted = predicted;
  if (trueLabel < 0 || predicted < 0 || trueLabel >= m_model->classes() ||
      predicted >= m_model->classes()) {
    selectionModel()->clear();  // the current cell too, or its frame stays highlighted
    return;
  }
  setCurrentIndex(m_model->index(trueLabel, predicted));
}

QSize ConfusionMatrixView::sizeHint() const {
  const int n = std::max(10, m_model->rowCount());
  return {verticalHeader()->width() + n * kCellWidth + 2 * frameWidth() + 2,
          horizontalHeader()->height() + n * kCellHeight + 2 * frameWidth() + 2};
}

QSize ConfusionMatrixView::minimumSizeHint() const {
  const int n = std::max(10, m_model->rowCount());
  return {verticalHeader()->width() + n * kMinCellWidth + 2 * frameWidth() + 2,
          horizontalHeader()->height() + n * kMinCellHeight + 2 * frameWidth() + 2};
}

void ConfusionMatrixView::setPlaceholderText(const QString& text) {
  m_placeholder = text;
  viewport()->update();
}

void ConfusionMatrixView::paintEvent(QPaintEvent* event) {
  QTableView::paintEvent(event);
  if (m_model->rowCount() > 0 || m_placeholder.isEmpty()) return;
  QPainter painter(viewport());
  painter.setPen(palette().color(QPalette::PlaceholderText));
  painter.drawText(viewport()->rect().adjusted(12, 12, -12, -12),
                   Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
}
