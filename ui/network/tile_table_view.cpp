#include "network/tile_table_view.h"

#include <QHeaderView>
#include <QScrollBar>

#include "network/filter_grid_delegate.h"
#include "network/filter_grid_model.h"

TileTableView::TileTableView(FilterGridModel* model, QWidget* parent)
    : QTableView(parent), m_model(model) {
  setModel(model);
  setItemDelegate(new FilterGridDelegate(this));
  horizontalHeader()->hide();
  verticalHeader()->hide();
  horizontalHeader()->setMinimumSectionSize(1);
  verticalHeader()->setMinimumSectionSize(1);
  setShowGrid(false);
  setSelectionMode(NoSelection);
  setFocusPolicy(Qt::NoFocus);
  setEditTriggers(NoEditTriggers);
  setMouseTracking(true);
  setFrameShape(NoFrame);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  setHorizontalScrollMode(ScrollPerPixel);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  viewport()->setAutoFillBackground(false);
  connect(model, &QAbstractItemModel::modelReset, this, &TileTableView::relayout);
  relayout();
}

QSize TileTableView::pitch() const {
  const QSize tile = m_model->grid().tileSize();
  return tile + QSize(2 * FilterGridDelegate::kMargin, 2 * FilterGridDelegate::kMargin);
}

int TileTableView::contentHeight() const {
  int h = m_model->rowCount() * pitch().height();
  if (m_model->columnCount() * pitch().width() > viewport()->width())
    h += horizontalScrollBar()->sizeHint().height();
  return h;
}

QSize TileTableView::sizeHint() const {
  return {m_model->columnCount() * pitch().width(), contentHeight()};
}

QSize TileTableView::minimumSizeHint() const {
  return {pitch().width(), contentHeight()};
}

void TileTableView::relayout() {
  const QSize p = pitch();
  horizontalHeader()->setDefaultSectionSize(std::max(1, p.width()));
  verticalHeader()->setDefaultSectionSize(std::max(1, p.height()));
  // As many columns as fit, then balanced so that the last row is not a stub (16 → 8 + 8).
  const int tiles = static_cast<int>(m_model->grid().tiles.size());
  const int fit = std::max(1, viewport()->width() / std::max(1, p.width()));
  const int rows = std::max(1, (tiles + fit - 1) / fit);
  m_model->setFlowColumns((tiles + rows - 1) / rows);
  setFixedHeight(contentHeight());
  updateGeometry();
}

void TileTableView::resizeEvent(QResizeEvent* event) {
  QTableView::resizeEvent(event);
  relayout();
}
