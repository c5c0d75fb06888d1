// A small image shown large with nearest-neighbour scaling, so each input pixel is a visible
// square (the 28×28 network input, a saliency map). Keeps the image's aspect ratio.
#pragma once

#include <QImage>
#include <QWidget>

class PixelImageView : public QWidget {
  Q_OBJECT

 public:
  explicit PixelImageView(int side, QWidget* parent = nullptr);

  void setImage(const QImage& image);
  // Shown (grey, centred) while there is no image.
  void setPlaceholder(const QString& text);
  const QImage& image() const { return m_image; }
  // Asks a layout for a square: as tall as it is wide (a grid of them keeps their captions close).
  void setSquare(bool square);
  QSize sizeHint() const override;
  bool hasHeightForWidth() const override { return m_square; }
  int heightForWidth(int width) const override { return width; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QImage m_image;
  QString m_placeholder;
  int m_side;
  bool m_square = false;
};
