// The "Draw a digit" panel of the Live view: the drawing canvas, the 28×28 network input made
// from it by the engine's MNIST-style preprocessing, and the live network's top-3, updated while
// drawing (off the UI thread, see DigitPredictor). Clear (Esc), Undo (Ctrl+Z), Load image…, and
// Use as probe, which makes the drawing the probe of every layer view.
#pragma once

#include <QWidget>
#include <vector>

#include "canvas/canvas_types.h"
#include "convscope/digit_preprocess.h"
#include "predictions/class_names.h"

class DigitCanvas;
class DigitPredictor;
class PixelImageView;
class QLabel;
class QPushButton;
class TopPredictions;
class TrainingSession;

class CanvasPanel : public QWidget {
  Q_OBJECT

 public:
  explicit CanvasPanel(TrainingSession* session, QWidget* parent = nullptr);

  DigitCanvas* canvas() const { return m_canvas; }
  TopPredictions* predictions() const { return m_top; }
  // The preprocessed drawing (status Blank when nothing is drawn).
  const cs::DigitResult& digit() const { return m_digit; }
  // The network input: (1, 28, 28) in [0, 1]; empty when blank.
  const std::vector<float>& input() const { return m_input; }
  const DigitPrediction& lastPrediction() const { return m_prediction; }
  void setClassNames(const ClassNames& names);
  // Loads an image file into the canvas; false (with *error) when it cannot be read.
  bool loadImage(const QString& path, QString* error);

 public Q_SLOTS:
  void useAsProbe();
  // The drawing predicted again by the weights as they are now, unless out of sight (behind
  // another dock tab) or a prediction is on its way; called on every frame and state change.
  void predictAgain();

 Q_SIGNALS:
  // The network input changed (empty: blank).
  void inputChanged(const std::vector<float>& input);
  void predicted(const DigitPrediction& prediction);
  // The drawing became the probe (for the inspector's caption).
  void probeImageSet();

 private:
  void onDrawingChanged();
  void onPredicted(const DigitPrediction& prediction);
  void chooseImage();

  TrainingSession* m_session;
  DigitCanvas* m_canvas;
  PixelImageView* m_preview;
  TopPredictions* m_top;
  QLabel* m_status;
  QPushButton* m_useAsProbe;
  DigitPredictor* m_predictor;
  cs::DigitResult m_digit;
  std::vector<float> m_input;
  DigitPrediction m_prediction;
};
