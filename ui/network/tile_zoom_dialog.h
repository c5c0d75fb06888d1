// The enlarged view of one filter-grid tile (double-click a tile): its heatmap as large as the
// window allows, its layer, title and quantity, its value range and colour scale, the step of the
// frame, and the value under the mouse. The inspector feeds it every frame while it is open, so
// it follows training. Esc or Close hides it.
#pragma once

#include <QDialog>

#include "network/filter_grid.h"

class FilterGridModel;
class QLabel;
class TileZoomView;

class TileZoomDialog : public QDialog {
  Q_OBJECT

 public:
  explicit TileZoomDialog(QWidget* parent = nullptr);

  // Shows tile `tile` of `model`'s grid (layer `layer` of the inspector) as `quantity` at `step`.
  void showTile(int layer, int tile, const FilterGridModel& model, const QString& quantity,
                long long step);
  int layer() const { return m_layer; }
  int tile() const { return m_tileIndex; }
  const Tile& shownTile() const { return m_tile; }
  TileZoomView* view() const { return m_view; }
  QString heading() const;  // the title line shown, as plain text

 private:
  void showValue(QPoint pixel);

  TileZoomView* m_view;
  QLabel* m_title;
  QLabel* m_range;
  QLabel* m_value;
  Tile m_tile;  // the values behind the image, for the value under the mouse
  int m_layer = -1;
  int m_tileIndex = -1;
  QPoint m_pixel{-1, -1};  // the value pixel under the mouse
};
