// One layer in the network inspector: its name and shape, its dead units when it has any (a ReLU
// layer's units silent on a validation sample, cs::dead_units()), a colour legend, and its filter
// grid, whose tiles scale with the inspector and open enlarged on a double-click.
#pragma once

#include <QWidget>

#include "network/filter_grid_model.h"

class ColorLegend;
class ElidedLabel;
class QLabel;
class TileTableView;

class LayerView : public QWidget {
  Q_OBJECT

 public:
  explicit LayerView(QWidget* parent = nullptr);

  void setGrid(FilterGrid grid);
  void setColorScale(ColorScale scale);
  // The factor on the grid's own tile size (TileTableView::setTileScale).
  void setTileScale(double scale);
  // `dead` of the layer's `units` gave 0 on every one of `images` validation images; said in the
  // header while dead > 0 (a negative count: not measured).
  void setDeadUnits(int dead, int units, int images);
  QString deadText() const;  // "" while none is said
  FilterGridModel* model() const { return m_model; }
  TileTableView* table() const { return m_table; }

 Q_SIGNALS:
  // A tile, by its position in the grid's tiles.
  void tileClicked(int tile);
  void tileDoubleClicked(int tile);

 private:
  void updateLegend();

  FilterGridModel* m_model;
  QLabel* m_title;
  ElidedLabel* m_caption;  // elided where the inspector is narrow, whole in its tool tip
  QLabel* m_dead;
  ColorLegend* m_legend;
  TileTableView* m_table;
  QLabel* m_empty;
};
