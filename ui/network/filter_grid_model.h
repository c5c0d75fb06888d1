// A filter grid as a table model (the pixelator pattern with a whole heatmap per cell): each cell
// is one tile, painted by FilterGridDelegate from the image in Qt::DecorationRole. A new frame of
// the same layout (tile count, shapes, columns) swaps the values in with one dataChanged; any
// other grid with one reset. Flowing grids take their column count, and every grid its on-screen
// zoom, from the view.
#pragma once

#include <QAbstractTableModel>
#include <QImage>
#include <algorithm>
#include <vector>

#include "network/filter_grid.h"

enum class ColorScale { PerChannel, PerLayer };

class FilterGridModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  explicit FilterGridModel(QObject* parent = nullptr);

  void setGrid(FilterGrid grid);
  const FilterGrid& grid() const { return m_grid; }
  void setColorScale(ColorScale scale);
  ColorScale colorScale() const { return m_scale; }
  // Columns of a flowing grid (the view sets it from its width); ignored by fixed grids.
  void setFlowColumns(int columns);
  int columns() const;
  // On-screen pixels per value pixel (the view sets it from its size); 0: the grid's own zoom.
  void setZoom(int zoom);
  int zoom() const { return m_zoom > 0 ? m_zoom : std::max(1, m_grid.zoom); }
  // On-screen size of every tile at zoom(), without the frame.
  QSize tileSize() const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;

  const Tile* tileAt(const QModelIndex& index) const;
  // The position of a tile in grid().tiles, or -1; and back.
  int tileIndex(const QModelIndex& index) const;
  QModelIndex indexOfTile(int tile) const;
  // The scale a tile is coloured with: its own max |v| or the layer's.
  float scaleOf(const Tile& tile) const;
  // Tool tip for the value under `pixel` (in tile image pixels) of the tile at `index`.
  QString valueToolTip(const QModelIndex& index, QPoint pixel) const;

 private:
  FilterGrid m_grid;
  ColorScale m_scale = ColorScale::PerChannel;
  int m_flowColumns = 8;
  int m_zoom = 0;
  mutable std::vector<QImage> m_images;  // rendered on first paint, dropped on reset
};
