// Per-layer statistics of the live run: for every layer with weights, from each live frame the
// RMS and the distribution (TensorBoard's quantiles) of its weights and of the training batch's
// gradient of them (as the frame's snapshot holds them: at its step, before that step's update),
// and from the steps the training worker measures for this panel (LayerUpdates, about 10 a second
// while it is shown) the update ratio RMS(w after - w before) / RMS(w before) of one step: about
// 1e-3 is the usual rule of thumb; far below, a layer hardly learns, far above, it is shaken
// about. Frames and measured steps come
// from the training worker alike for every backend; the two seldom fall on the same steps.
#pragma once

#include <QPointF>
#include <QString>
#include <QStringList>
#include <vector>

#include "charts/chart_math.h"

class QTextStream;
struct LayerUpdates;
namespace cs {
struct Snapshot;
}

struct LayerStatPoint {
  double step = 0;
  double weightRms = 0;
  double gradientRms = 0;
  chart_math::Quantiles weights{}, gradients{};  // the distributions of both (chart_math.h)
};

class LayerStats {
 public:
  // Per layer and kind; a longer run keeps every other point (the first and the newest always).
  static constexpr size_t kMaxPoints = 2000;

  // A new run: nothing recorded.
  void clear();
  // A frame's layers. A frame at the step of the last one (the probe changed) adds nothing.
  void add(const cs::Snapshot& snapshot);
  // A measured step's update ratios (a ratio that is not finite is left out).
  void addUpdates(const LayerUpdates& updates);
  // A frame at a step before the last frame's, or an update before the last update's (a divergence
  // took the run back to its last epoch's end, or a frame of the run before arrived late), drops
  // what was recorded from that step on, frames and updates; other layers (another network)
  // start over. (A frame and the update of its step come by different ways, in either order.)

  int layers() const { return static_cast<int>(m_layers.size()); }
  const QString& layerName(int layer) const { return m_layers.at(layer).name; }
  const std::vector<LayerStatPoint>& points(int layer) const { return m_layers.at(layer).points; }
  // (step, update ratio) of the measured steps.
  const std::vector<QPointF>& updates(int layer) const { return m_layers.at(layer).updates; }
  bool isEmpty() const;
  // Increments on every change, so a timer redraws only when something moved.
  long long revision() const { return m_revision; }

  // One row per step and layer with a frame or a measured update there: step, layer, weight_rms,
  // gradient_rms, update_ratio, then the weights' and the gradient's quantiles (weight_min,
  // weight_p7, weight_p16, weight_p31, weight_median, weight_p69, weight_p84, weight_p93,
  // weight_max, the same for gradient_; see chart_math::kQuantileBasisPoints), the cells it has
  // none of empty.
  void writeCsv(QTextStream& out) const;

 private:
  struct Layer {
    QString name;
    size_t size = 0;  // weights
    std::vector<LayerStatPoint> points;
    std::vector<QPointF> updates;
  };
  // Another network (other layer names or sizes) starts over; `step` before `last` drops the
  // points from it on. `last` becomes `step`.
  void prepare(const QStringList& names, const std::vector<size_t>& sizes, long long step,
               long long& last);

  std::vector<Layer> m_layers;
  long long m_lastFrameStep = -1;
  long long m_lastUpdateStep = -1;
  long long m_revision = 0;
};
