// Under Advanced ▸ Random shift: the first training images of a run's first epoch as the network
// sees them, each moved by its random shift (cs::augment_shift() at its place in the epoch's
// order, as both backends move it), the pixels moved in black, each inside a frame that marks the
// image's edges. Hidden while there is no shift or no dataset.
#pragma once

#include <QImage>
#include <QWidget>
#include <vector>

#include "training/training_types.h"

class ShiftPreview : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kImages = 8;

  explicit ShiftPreview(QWidget* parent = nullptr);

  void setDataset(DatasetPtr data);
  // The run's random shift and seed (its shuffle seed: TrainingSettings::trainConfig()).
  void setShift(int maxShift, uint64_t seed);
  // Image i of the preview (channel 0, grayscale), as drawn; null when hidden.
  QImage image(int i) const { return i < int(m_images.size()) ? m_images[i] : QImage(); }

  QSize sizeHint() const override;         // four images; as many as fit are drawn
  QSize minimumSizeHint() const override;  // one

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  void rebuild();
  QSize imageSize() const;  // one framed image

  DatasetPtr m_data;
  int m_maxShift = 0;
  uint64_t m_seed = 0;
  std::vector<int32_t> m_order;  // epoch 0's first positions, for m_data and m_seed
  std::vector<QImage> m_images;
};
