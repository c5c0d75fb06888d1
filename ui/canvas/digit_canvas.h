// The drawing square of the "Draw a digit" panel: black ink on white paper, drawn with the mouse
// or a pen as thick, anti-aliased strokes with round caps (a pen's pressure sets a stroke's
// width). Strokes are kept in unit coordinates, so the drawing survives a resize and renders at
// any size; undo removes the last stroke. A loaded image (a photo of a digit) lies under the
// strokes until cleared.
#pragma once

#include <QColor>
#include <QImage>
#include <QList>
#include <QPainterPath>
#include <QWidget>

class QPushButton;

class DigitCanvas : public QWidget {
  Q_OBJECT

 public:
  struct EditButtons {
    QPushButton* clear;
    QPushButton* undo;
  };
  static constexpr double kStrokeWidth = 0.07;  // of the side, at pressure 0.5 (or a mouse)

  explicit DigitCanvas(QWidget* parent = nullptr);

  // The drawing as a (side, side) grayscale image: white paper, black ink, the loaded image
  // fitted under the strokes.
  QImage render(int side) const;
  bool isEmpty() const { return m_strokes.isEmpty() && m_background.isNull(); }
  int strokeCount() const { return m_strokes.size(); }
  // The square the drawing occupies in widget coordinates.
  QRectF drawingRect() const;
  // Clear and Undo buttons for this canvas, Esc and Ctrl+Z doing the same while `owner` (the
  // panel the canvas is in) or one of its children has the focus.
  EditButtons createEditButtons(QWidget* owner);

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 public Q_SLOTS:
  void clear();
  void undo();
  // Replaces the drawing with `image` (any format; shown in grayscale).
  void setImage(const QImage& image);

 Q_SIGNALS:
  // The drawing changed (also during a stroke).
  void changed();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void tabletEvent(QTabletEvent* event) override;

 private:
  struct Stroke {
    QPainterPath path;  // unit coordinates
    double width = kStrokeWidth;
  };

  QPointF toUnit(QPointF widgetPoint) const;
  void begin(QPointF widgetPoint, double pressure);
  void extend(QPointF widgetPoint);
  void paintDrawing(QPainter& painter, const QRectF& square) const;

  QList<Stroke> m_strokes;
  QImage m_background;  // Format_Grayscale8, or null
  // Around a loaded image that is not square: the median of its border, so that the square keeps
  // the polarity the preprocessing reads from the border (white chalk on a blackboard stays so).
  QColor m_paper = Qt::white;
  bool m_drawing = false;
};
