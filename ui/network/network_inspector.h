// Watching the network: the probe image and, for every layer, the filter grid of the chosen
// quantity (activations, activation gradients, weights, weight gradients). Every grid of one
// frame comes from the same Snapshot; each layer's model swaps its grid in with one reset.
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
class QVBoxLayout;

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

  GridQuantity quantity() const { return m_quantity; }
  void setQuantity(GridQuantity quantity);
  ColorScale colorScale() const { return m_scale; }
  void setColorScale(ColorScale scale);

  int layerCount() const { return static_cast<int>(m_layers.size()); }
  FilterGridModel* layerModel(int layer) const;

 Q_SIGNALS:
  void probeRequested(int index);

 private:
  void rebuildLayers(const cs::Snapshot& snapshot);
  void refresh();

  ProbeView* m_probe;
  QTabBar* m_tabs;
  QComboBox* m_scaleBox;
  QStackedWidget* m_stack;  // placeholder | layers
  QLabel* m_placeholder;
  QVBoxLayout* m_layerLayout;
  std::vector<LayerView*> m_layers;
  SnapshotPtr m_snapshot;
  GridQuantity m_quantity = GridQuantity::Activations;
  ColorScale m_scale = ColorScale::PerChannel;
};
