// The Saliency panel: which pixels made the decision, for the drawn digit or the probe image.
// The map (vanilla gradient, SmoothGrad, Integrated Gradients, Occlusion or Grad-CAM of a chosen
// layer, for the predicted, the true or any class) is computed by the training worker with the
// engine's batched saliency functions and drawn over the input with an adjustable opacity. Export
// writes the input and the map side by side as a PNG. Requests are not queued: while one is
// computed, only the newest waits.
#pragma once

#include <QWidget>

#include "canvas/canvas_types.h"
#include "predictions/class_names.h"

class PixelImageView;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class TrainingSession;

class SaliencyView : public QWidget {
  Q_OBJECT

 public:
  enum class Source { Drawing, Probe };
  static constexpr int kExportScale = 10;  // exported pixels per input pixel

  explicit SaliencyView(TrainingSession* session, QWidget* parent = nullptr);

  void setSource(Source source);
  void setMethod(cs::SaliencyMethod method);
  // Grad-CAM's layer (its index in the network; -1: the last convolution). The list offers the
  // network's, once a map has been computed.
  void setCamLayer(int layer);
  // -1: the predicted class, -2: the true label (the probe's), else the class.
  void setTargetClass(int target);
  void setOpacity(double opacity);
  void setClassNames(const ClassNames& names);
  // The last map computed (empty values before the first or after an error).
  const SaliencyResult& result() const { return m_result; }
  // The exported picture (null without a map).
  QImage exportImage() const;
  bool exportPng(const QString& path, QString* error) const;

 public Q_SLOTS:
  // The drawn digit's network input, (1, 28, 28) in [0, 1]; empty when nothing is drawn.
  void setDrawnDigit(const std::vector<float>& image);
  // Computes the map again (after the network trained on).
  void refresh();

 Q_SIGNALS:
  void computed(const SaliencyResult& result);

 private:
  void onComputed(const SaliencyResult& result);
  void onSnapshot();
  void send();
  void redraw();
  void updateCamLayers(const SaliencyResult& result);
  bool gradCam() const;  // the method chosen
  void showCamLayer();   // only for Grad-CAM
  void exportAs();
  std::vector<float> sourceImage(int* label) const;

  TrainingSession* m_session;
  QComboBox* m_source;
  QComboBox* m_method;
  QComboBox* m_target;
  QLabel* m_camLayerLabel;
  QComboBox* m_camLayer;
  QSlider* m_opacity;
  PixelImageView* m_view;
  QLabel* m_caption;
  QPushButton* m_refresh;
  QPushButton* m_export;
  std::vector<float> m_drawn;
  std::vector<float> m_probeInput;  // the probe image the last map was requested for
  SaliencyResult m_result;
  ClassNames m_names;
  int m_inFlight = -1;
  bool m_dirty = false;
};
