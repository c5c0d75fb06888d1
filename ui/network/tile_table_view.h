// The table view of one filter grid: no headers, no grid lines, no selection; sized to its content
// height so that the inspector's scroll area scrolls instead; flowing grids re-flow on resize.
// Tiles are drawn at the grid's zoom times the tile scale the inspector sets from its size,
// in whole screen pixels per value (crisp), at least one and no wider than the view allows.
#pragma once

#include <QTableView>

class FilterGridModel;

class TileTableView : public QTableView {
  Q_OBJECT

 public:
  static constexpr double kMinScale = 0.75;
  static constexpr double kMaxScale = 4.0;

  explicit TileTableView(FilterGridModel* model, QWidget* parent = nullptr);

  // The factor on the grid's own zoom, within [kMinScale, kMaxScale].
  void setTileScale(double scale);
  double tileScale() const { return m_scale; }

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  // A tile, by its position in the grid's tiles.
  void tileClicked(int tile);
  void tileDoubleClicked(int tile);

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  QSize pitch() const;  // one cell, tile plus margins
  int fittingZoom() const;
  void relayout();
  int contentHeight() const;

  FilterGridModel* m_model;
  double m_scale = 1;
};
