#include "network/tile_table_view.h"

#include <QHeaderView>
#include <QScrollBar>
#include <algorithm>
#include <cmath>

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
  connect(this, &QAbstractItemView::clicked, this, [this](const QModelIndex& index) {
    if (const int tile = m_model->tileIndex(index); tile >= 0) Q_EMIT tileClicked(tile);
  });
  connect(this, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex& index) {
    if (const int tile = m_model->tileIndex(index); tile >= 0) Q_EMIT tileDoubleClicked(tile);
  });
  relayout();
}

void TileTableView::setTileScale(double scale) {
  scale = std::clamp(scale, kMinScale, kMaxScale);
  if (scale == m_scale) return;
  m_scale = scale;
  relayout();
}

int TileTableView::fittingZoom() const {
  const FilterGrid& grid = m_model->grid();
  if (grid.tiles.empty()) return 1;
  const int base = std::max(1, grid.zoom);
  const int wanted = std::max(1, static_cast<int>(std::lround(base * m_scale)));
  // A flowing grid's tile fits the view's width; a fixed grid's columns do, down to half its own
  // zoom (below that the view scrolls sideways).
  const int across = grid.flow ? 1 : std::max(1, grid.columns);
  const int room = viewport()->width() / across - 2 * FilterGridDelegate::kMargin;
  const int fit = room / std::max(1, grid.tiles.front().imageWidth());
  const int floor = grid.flow ? 1 : (base + 1) / 2;
  return std::max(1, std::min(wanted, std::max(fit, floor)));
}

QSize TileTableView::pitch() const {
  const QSize tile = m_model->tileSize();
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
  m_model->setZoom(fittingZoom());
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
  viewport()->update();
}

void TileTableView::resizeEvent(QResizeEvent* event) {
  QTableView::resizeEvent(event);
  relayout();
}
