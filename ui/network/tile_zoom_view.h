// One tile's heatmap as large as its widget allows: a whole number of screen pixels per value
// (nearest neighbour, so a 28×28 map stays crisp), centred. Reports the value pixel under the
// mouse.
#pragma once

#include <QImage>
#include <QWidget>

class TileZoomView : public QWidget {
  Q_OBJECT

 public:
  explicit TileZoomView(QWidget* parent = nullptr);

  void setImage(const QImage& image);
  const QImage& image() const { return m_image; }
  // Screen pixels per value pixel at the current size.
  int zoom() const;
  // Where the image is drawn.
  QRect imageRect() const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  // The image pixel under the mouse, or (-1, -1) when it is outside the image.
  void hovered(QPoint pixel);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  QImage m_image;
};
