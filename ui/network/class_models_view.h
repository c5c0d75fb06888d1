// The Class models view (a tab beside the charts): for each class, the image the live network
// scores highest as that class (cs::class_models(): gradient ascent on the pixels from faint
// noise, regularised), under it the class's name and the probability the network gives it, so
// that what the network has come to look for can be seen to sharpen as it learns. Another layer
// chosen above the images shows, for each of its channels (a convolution's filters, a dense
// layer's units), the image it responds to most. Computed on the training worker's thread when
// the tab is shown and after every evaluation while it is (ViewRefresh). Clicking an image makes
// it the probe of every layer grid; Save image… writes them side by side as PNG.
#pragma once

#include <QImage>
#include <QWidget>
#include <vector>

#include "network/class_model_types.h"
#include "predictions/class_names.h"

class PixelImageView;
class QComboBox;
class QGridLayout;
class QLabel;
class QPushButton;
class TrainingSession;
class ViewRefresh;

class ClassModelsView : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kSteps = 200;

  explicit ClassModelsView(TrainingSession* session, QWidget* parent = nullptr);

  // What is shown, for tests: the images (classes or channels), the image and caption of each,
  // its tool tip, the note, the layer taken (-1 before any).
  int units() const { return m_shown.units(); }
  int layer() const { return m_shown.units() ? m_shown.layer : -1; }
  QImage image(int u) const;
  QString caption(int u) const;
  QString toolTip(int u) const;
  QString note() const;
  // Asks for the classes (-1) or the channels of layer `layer`.
  void chooseLayer(int layer);
  // The images side by side, the first at the left, each pixel `scale` x `scale`, `scale` pixels
  // of mid grey between them (as convscope-cli class-models writes them); null when none is shown.
  QImage strip(int scale) const;
  // Writes strip(4) to `path` as PNG (atomically); false with `error` set when it cannot.
  bool save(const QString& path, QString* error) const;

 public Q_SLOTS:
  // Asks for the images now (if some are already on their way, once they are back).
  void refresh();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void onComputed(const ClassModelsResult& result);
  void clear();  // a new run or a reset
  void updateLayers();
  void showTiles();
  void askSave();
  QString unitName(int u) const;  // "channel 5 of conv2", "unit 3 of fc1"

  TrainingSession* m_session;
  QComboBox* m_layer;
  QLabel* m_note;
  QPushButton* m_save;
  QGridLayout* m_grid;
  std::vector<PixelImageView*> m_tiles;  // one per image, created as needed
  std::vector<QLabel*> m_captions;
  int m_columns = 0;  // of the tiles laid out
  ClassModelsResult m_shown;
  ClassNames m_names;  // its dataset's
  ViewRefresh* m_refresh;
};
