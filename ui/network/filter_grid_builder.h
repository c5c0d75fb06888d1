// Turns one layer of a cs::Snapshot into the FilterGrid of one quantity:
//   activations / activation gradients: one tile per channel (a vector tile for dense layers);
//   conv weights / gradients: a table, one column per filter and one row per input channel;
//   dense weights / gradients: one tile per unit, its incoming weights reshaped to the previous
//   layer's map (a mosaic of its channels) or wrapped into rows when the input is a vector.
#pragma once

#include "convscope/snapshot.h"
#include "network/filter_grid.h"

enum class GridQuantity { Activations, ActivationGradients, Weights, WeightGradients };

class FilterGridBuilder {
 public:
  static constexpr int kMaxTiles = 4096;  // beyond this a grid shows its first tiles only

  static FilterGrid build(const cs::Snapshot& snapshot, int layer, GridQuantity quantity);
  static QString displayName(GridQuantity quantity);

 private:
  // Each adds the layer's tiles, at most about kMaxTiles (a convolution's weights in whole rows,
  // one per input channel), and returns how many the layer has (0: nothing captured).
  static int addMapTiles(FilterGrid& grid, const std::vector<float>& data, cs::Shape3 shape);
  static int addVectorTile(FilterGrid& grid, const std::vector<float>& data, const QString& source);
  static int addConvWeightTiles(FilterGrid& grid, const cs::LayerSnapshot& layer, bool gradient,
                                const QString& inputName);
  static int addDenseWeightTiles(FilterGrid& grid, const cs::LayerSnapshot& layer, bool gradient,
                                 cs::Shape3 inputShape, const QString& inputName,
                                 const QString& unitName);
};
