#include "network/filter_grid_model.h"

#include <algorithm>

FilterGridModel::FilterGridModel(QObject* parent) : QAbstractTableModel(parent) {}

void FilterGridModel::setGrid(FilterGrid grid) {
  beginResetModel();
  m_grid = std::move(grid);
  m_images.assign(m_grid.tiles.size(), QImage());
  endResetModel();
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

const Tile* FilterGridModel::tileAt(const QModelIndex& index) const {
  if (!index.isValid() || index.model() != this) return nullptr;
  const size_t i = static_cast<size_t>(index.row()) * columns() + index.column();
  return i < m_grid.tiles.size() ? &m_grid.tiles[i] : nullptr;
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
      return m_grid.tileSize();
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
  return lines.join(QStringLiteral("<br>"));
}
