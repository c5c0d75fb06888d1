// Visualization snapshots: everything the live views show, all from one training step, and a
// lock-free triple buffer through which the trainer publishes them and the UI takes the latest.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "convscope/spec.h"

namespace cs {

struct LayerSnapshot {
  std::string name;  // "conv1", "pool1", "fc1", ...
  LayerKind kind = LayerKind::Dense;
  Shape3 out_shape;                    // (C, H, W) of this layer's output; dense: (units, 1, 1)
  int kernel = 0;                      // conv, pooling: the window's side (LayerSpec::kernel)
  std::vector<float> activation;       // (C, H, W) probe image's output after the activation
  std::vector<float> dactivation;      // (C, H, W) d(probe loss)/d(activation)
  std::vector<int> weight_shape;       // PyTorch layout; empty for pooling
  std::vector<float> weight, dweight;  // weight and the training batch's gradient of it
  std::vector<float> bias, dbias;
};

struct Snapshot {
  long long step = -1;  // global optimizer step the snapshot was taken at (before its update)
  int epoch = 0;
  int net = 0;       // which network of the group
  int probe = 0;     // validation image index; < 0: an image that is none (the app's own)
  int label = 0;     // its true label
  float loss = 0.f;  // the probe's cross-entropy
  Shape3 input_shape;
  std::vector<float> input;           // (C, H, W) the probe image in [0, 1]
  std::vector<float> probs;           // (classes) softmax output for the probe
  std::vector<LayerSnapshot> layers;  // one per spec layer, in order
};

// Single-producer single-consumer triple buffer. The writer fills back(), then publish();
// the reader calls take(), which returns the newest published snapshot (or nullptr when nothing
// new arrived) and keeps it valid, and the reader's own to change, until the next take(). Neither
// side ever blocks or waits.
class SnapshotExchange {
 public:
  SnapshotExchange();
  Snapshot& back() { return m_slots[m_back]; }
  void publish();
  Snapshot* take();
  bool has_new() const;

 private:
  static constexpr unsigned kFresh = 4;  // bit set in m_middle when it holds an unread snapshot
  Snapshot m_slots[3];
  int m_back = 0;                  // writer-owned
  int m_front = 1;                 // reader-owned
  std::atomic<unsigned> m_middle;  // index of the shared slot | kFresh
};

}  // namespace cs
