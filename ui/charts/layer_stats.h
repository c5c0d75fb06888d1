// Per-layer statistics of the live run, frame by frame: for every layer with weights, the RMS of
// its weights, the RMS of the training batch's gradient of them (both as the frame's snapshot
// holds them: at its step, before that step's update), and how far the weights moved per step
// since the previous frame, relative to their RMS:
//   update ratio = RMS(w_now - w_before) / (step_now - step_before) / RMS(w_now),
// the mean over the steps between two frames (a per-step change of about 1e-3 is the usual rule
// of thumb; far below, the layer hardly learns; far above, it is shaken about). Read from the
// snapshots the live views get (about 10 a second), so it costs training nothing and reads alike
// from every backend.
#pragma once

#include <QString>
#include <vector>

class QTextStream;

namespace cs {
struct Snapshot;
}

struct LayerStatPoint {
  double step = 0;
  double weightRms = 0;
  double gradientRms = 0;
  double updateRatio = -1;  // -1: no earlier frame of the run to compare with
};

class LayerStats {
 public:
  // Per layer; a longer run keeps every other point (the first and the newest always).
  static constexpr size_t kMaxPoints = 2000;

  // A new run: no frames.
  void clear();
  // The frame's layers. Another network (its layers' names or sizes) starts over; a frame at the
  // step of the last one (the probe changed) adds nothing, and one at an earlier step starts over.
  void add(const cs::Snapshot& snapshot);

  int layers() const { return static_cast<int>(m_layers.size()); }
  const QString& layerName(int layer) const { return m_layers.at(layer).name; }
  const std::vector<LayerStatPoint>& points(int layer) const { return m_layers.at(layer).points; }
  // Increments on every change, so a timer redraws only when something moved.
  long long revision() const { return m_revision; }
  bool isEmpty() const { return m_layers.empty() || m_layers.front().points.empty(); }

  // One row per frame and layer: step, layer, weight_rms, gradient_rms, update_ratio (empty for
  // a layer's first frame).
  void writeCsv(QTextStream& out) const;

 private:
  struct Layer {
    QString name;
    size_t size = 0;  // weights
    std::vector<LayerStatPoint> points;
    std::vector<float> previous;  // the weights of the last frame
  };
  std::vector<Layer> m_layers;
  long long m_lastStep = -1;
  long long m_revision = 0;
};
