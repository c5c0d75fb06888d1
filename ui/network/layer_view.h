// One layer in the network inspector: its name and shape, a colour legend, and its filter grid.
#pragma once

#include <QWidget>

#include "network/filter_grid_model.h"

class ColorLegend;
class QLabel;
class TileTableView;

class LayerView : public QWidget {
  Q_OBJECT

 public:
  explicit LayerView(QWidget* parent = nullptr);

  void setGrid(FilterGrid grid);
  void setColorScale(ColorScale scale);
  FilterGridModel* model() const { return m_model; }

 private:
  void updateLegend();

  FilterGridModel* m_model;
  QLabel* m_title;
  QLabel* m_caption;
  ColorLegend* m_legend;
  TileTableView* m_table;
  QLabel* m_empty;
};
