#include "network/filter_grid_model.h"

#include <algorithm>

FilterGridModel::FilterGridModel(QObject* parent) : QAbstractTableModel(parent) {}

namespace {

// Whether `b` fills the same cells with tiles of the same shapes as `a`.
bool sameLayout(const FilterGrid& a, const FilterGrid& b) {
  if (a.tiles.size() != b.tiles.size() || a.flow != b.flow || a.columns != b.columns ||
      a.zoom != b.zoom)
    return false;
  for (size_t i = 0; i < a.tiles.size(); ++i)
    if (a.tiles[i].imageWidth() != b.tiles[i].imageWidth() ||
        a.tiles[i].imageHeight() != b.tiles[i].imageHeight())
      return false;
  return true;
}

}  // namespace

void FilterGridModel::setGrid(FilterGrid grid) {
  if (!m_grid.tiles.empty() && sameLayout(m_grid, grid)) {
    // A new frame of the same layer: new values in the same cells, no reset and no re-layout.
    m_grid = std::move(grid);
    std::fill(m_images.begin(), m_images.end(), QImage());
    Q_EMIT dataChanged(
        index(0, 0), index(rowCount() - 1, columnCount() - 1),
        {Qt::DisplayRole, Qt::DecorationRole, Qt::ToolTipRole, Qt::AccessibleTextRole});
    return;
  }
  beginResetModel();
  m_grid = std::move(grid);
  m_images.assign(m_grid.tiles.size(), QImage());
  endResetModel();
}

void FilterGridModel::setZoom(int zoom) {
  zoom = std::max(0, zoom);
  if (zoom == m_zoom) return;
  m_zoom = zoom;
  if (rowCount() > 0)
    Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1), {Qt::SizeHintRole});
}

QSize FilterGridModel::tileSize() const {
  if (m_grid.tiles.empty()) return {};
  const Tile& t = m_grid.tiles.front();
  return {t.imageWidth() * zoom(), t.imageHeight() * zoom()};
}

void FilterGridModel::setColorScale(ColorScale scale) {
  if (scale == m_scale) return;
  beginResetModel();
  m_scale = scale;
  m_images.assign(m_grid.tiles.size(), QImage());
  endResetModel();
}

void FilterGridModel::setFlowColumns(int columns) {
  columns = std::max(1, columns);
  if (columns == m_flowColumns) return;
  if (!m_grid.flow) {
    m_flowColumns = columns;
    return;
  }
  beginResetModel();
  m_flowColumns = columns;
  endResetModel();
}

int FilterGridModel::columns() const {
  const int n = static_cast<int>(m_grid.tiles.size());
  if (n == 0) return 0;
  return std::min(n, m_grid.flow ? m_flowColumns : std::max(1, m_grid.columns));
}

int FilterGridModel::rowCount(const QModelIndex& parent) const {
  if (parent.isValid() || m_grid.tiles.empty()) return 0;
  const int cols = columns();
  return (static_cast<int>(m_grid.tiles.size()) + cols - 1) / cols;
}

int FilterGridModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : columns();
}

int FilterGridModel::tileIndex(const QModelIndex& index) const {
  if (!index.isValid() || index.model() != this) return -1;
  const size_t i = static_cast<size_t>(index.row()) * columns() + index.column();
  return i < m_grid.tiles.size() ? static_cast<int>(i) : -1;
}

QModelIndex FilterGridModel::indexOfTile(int tile) const {
  if (tile < 0 || tile >= static_cast<int>(m_grid.tiles.size())) return {};
  return index(tile / columns(), tile % columns());
}

const Tile* FilterGridModel::tileAt(const QModelIndex& index) const {
  const int i = tileIndex(index);
  return i >= 0 ? &m_grid.tiles[static_cast<size_t>(i)] : nullptr;
}

float FilterGridModel::scaleOf(const Tile& tile) const {
  return m_scale == ColorScale::PerLayer ? m_grid.absMax : tile.absMax;
}

QVariant FilterGridModel::data(const QModelIndex& index, int role) const {
  const Tile* tile = tileAt(index);
  if (!tile) return {};
  switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
      return tile->title;
    case Qt::ToolTipRole:
      return tile->note.isEmpty() ? tile->title : tile->title + QLatin1Char('\n') + tile->note;
    case Qt::DecorationRole: {
      QImage& image = m_images[static_cast<size_t>(tile - m_grid.tiles.data())];
      if (image.isNull()) image = tile->render(scaleOf(*tile));
      return image;
    }
    case Qt::SizeHintRole:
      return tileSize();
    default:
      return {};
  }
}

Qt::ItemFlags FilterGridModel::flags(const QModelIndex& index) const {
  return tileAt(index) ? Qt::ItemIsEnabled : Qt::NoItemFlags;
}

QString FilterGridModel::valueToolTip(const QModelIndex& index, QPoint pixel) const {
  const Tile* tile = tileAt(index);
  if (!tile) return {};
  QStringList lines{QStringLiteral("<b>%1 · %2</b>")
                        .arg(m_grid.layer.toHtmlEscaped(), tile->title.toHtmlEscaped())};
  const int i = tile->valueIndexAt(pixel.x(), pixel.y());
  if (i >= 0)
    lines << QStringLiteral("%1 = <b>%2</b>")
                 .arg(tile->describe(i).toHtmlEscaped(), QString::number(tile->values[i], 'g', 4));
  if (!tile->note.isEmpty()) lines << tile->note.toHtmlEscaped();
  lines << tr("colour scale ±%1 (%2)")
               .arg(QString::number(scaleOf(*tile), 'g', 3),
                    m_scale == ColorScale::PerLayer ? tr("per layer") : tr("per channel"));
  lines << tr("<i>Double-click to enlarge</i>");
  return lines.join(QStringLiteral("<br>"));
}
