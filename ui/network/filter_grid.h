// What one layer view shows for one quantity: a grid of tiles, each a heatmap of a (channels, h, w)
// block laid out as a mosaic of channels (or a flat vector wrapped into rows). Built from one
// cs::Snapshot by FilterGridBuilder; shown by FilterGridModel + FilterGridDelegate.
#pragma once

#include <QImage>
#include <QString>
#include <vector>

struct Tile {
  QString title;   // "channel 3", "filter 5 ← input channel 2", "unit 12"
  QString note;    // an extra tool-tip line ("bias 0.0123"), may be empty
  QString source;  // what a value position is: "pool2 channel", "fc1 unit", "class"; empty: map
  int channels = 1, height = 1, width = 1;  // values are (channels, height, width)
  int mosaicColumns = 1;                    // channels are laid out in this many columns
  int count = 0;                            // vector tiles: values beyond count are padding
  bool vector = false;                      // a flat vector wrapped row-major into height × width
  std::vector<float> values;
  float absMax = 0;  // of this tile

  int mosaicRows() const { return (channels + mosaicColumns - 1) / mosaicColumns; }
  // Image size in value pixels, with one-pixel gaps between mosaic channels.
  int imageWidth() const { return mosaicColumns * (width + 1) - 1; }
  int imageHeight() const { return mosaicRows() * (height + 1) - 1; }
  // Index into values of the image pixel (px, py), or -1 for a gap or padding.
  int valueIndexAt(int px, int py) const;
  // "channel 2 · y 3, x 1", "fc1 unit 57", "y 4, x 0"
  QString describe(int index) const;
  // The heatmap: value / scale on the diverging map (scale <= 0 draws everything neutral).
  QImage render(float scale) const;
  void updateAbsMax();
};

struct FilterGrid {
  QString layer;      // "conv1"
  QString caption;    // "conv 5×5×8 relu · output 8×24×24"
  QString emptyText;  // shown instead of tiles ("pooling has no weights")
  std::vector<Tile> tiles;
  int columns = 1;   // for fixed grids (conv weights: one column per filter)
  bool flow = true;  // tiles flow into as many columns as the view has room for
  int zoom = 1;      // screen pixels per value pixel at the reference size (the view scales it)
  float absMax = 0;  // over all tiles

  void updateAbsMax();
};
