// Watching the network: the probe image and, for every layer, the filter grid of the chosen
// quantity (activations, activation gradients, weights, weight gradients). Every grid of one
// frame comes from the same Snapshot; each layer's model swaps its values in. Tiles scale with
// the room the layers have (the grids' own sizes at the reference size, up to 4× on a large
// screen); a double-click opens a tile enlarged, live, and a click while it is open shows another.
#pragma once

#include <QWidget>
#include <vector>

#include "network/filter_grid_builder.h"
#include "network/filter_grid_model.h"
#include "training/training_types.h"

class ClassNames;

class LayerView;
class ProbeView;
class QComboBox;
class QLabel;
class QStackedWidget;
class QTabBar;
class TileZoomDialog;
class QVBoxLayout;
class WrapRowLayout;

class NetworkInspector : public QWidget {
  Q_OBJECT

 public:
  explicit NetworkInspector(QWidget* parent = nullptr);

  void setSnapshot(SnapshotPtr snapshot);
  const SnapshotPtr& snapshot() const { return m_snapshot; }
  void clear();
  void setProbe(int index);
  void setProbeCount(int count);
  void setClassNames(const ClassNames& names);  // the probe's labels and bars
  // The last evaluation's dead units, each said in its layer's header (cleared by clear()).
  void setDeadUnits(cs::DeadUnits dead);
  const cs::DeadUnits& deadUnits() const { return m_dead; }
  // What the probe view calls the frames of a probe that is no validation image
  // (ProbeView::setImageName).
  void setImageProbeName(int probe, const QString& name, const QString& shortName);

  GridQuantity quantity() const { return m_quantity; }
  void setQuantity(GridQuantity quantity);
  ColorScale colorScale() const { return m_scale; }
  void setColorScale(ColorScale scale);

  int layerCount() const { return static_cast<int>(m_layers.size()); }
  FilterGridModel* layerModel(int layer) const;
  LayerView* layerView(int layer) const;
  // The factor on every grid's tile size, from the room the layers have.
  double tileScale() const { return m_tileScale; }
  // Opens (or points) the enlarged view at tile `tile` of layer `layer`.
  void openTile(int layer, int tile);
  // The enlarged view, or null before the first double-click.
  TileZoomDialog* tileZoom() const { return m_tileZoom; }

  // The layers' area at which tiles have their grids' own size (the inspector at 1600×1000).
  static constexpr int kReferenceWidth = 760;
  static constexpr int kReferenceHeight = 520;

 Q_SIGNALS:
  void probeRequested(int index);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void rebuildLayers(const cs::Snapshot& snapshot);
  void showDeadUnits();  // m_dead into the layers' headers
  void refresh();
  void updateTileScale();
  void updateTileZoom();
  void placeControls();

  ProbeView* m_probe;
  QTabBar* m_tabs;
  QComboBox* m_quantityBox;  // the tabs' choices, shown instead of them where they do not fit
  QComboBox* m_scaleBox;
  WrapRowLayout* m_bar;     // the tabs (or the box), the scale box beside them or below
  QStackedWidget* m_stack;  // placeholder | layers
  QLabel* m_placeholder;
  QVBoxLayout* m_layerLayout;
  std::vector<LayerView*> m_layers;
  SnapshotPtr m_snapshot;
  cs::DeadUnits m_dead;
  GridQuantity m_quantity = GridQuantity::Activations;
  ColorScale m_scale = ColorScale::PerChannel;
  double m_tileScale = 1;
  TileZoomDialog* m_tileZoom = nullptr;
};
