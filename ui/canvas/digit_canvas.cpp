#include "canvas/digit_canvas.h"

#include <QAction>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QTabletEvent>
#include <algorithm>

#include "convscope/digit_preprocess.h"
#include "widgets/shortcut_place.h"

DigitCanvas::DigitCanvas(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("digitCanvas"));
  setFocusPolicy(Qt::StrongFocus);
  setCursor(Qt::CrossCursor);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setAccessibleName(tr("Drawing canvas"));
  setToolTip(tr("Draw a digit with the mouse or a pen · Esc clears · Ctrl+Z undoes a stroke"));
}

QSize DigitCanvas::sizeHint() const {
  return {320, 320};
}

QSize DigitCanvas::minimumSizeHint() const {
  return {160, 160};
}

QRectF DigitCanvas::drawingRect() const {
  const double side = std::min(width(), height()) - 2;
  return {(width() - side) / 2, (height() - side) / 2, side, side};
}

QPointF DigitCanvas::toUnit(QPointF p) const {
  const QRectF r = drawingRect();
  return {(p.x() - r.x()) / r.width(), (p.y() - r.y()) / r.height()};
}

void DigitCanvas::clear() {
  if (isEmpty()) return;
  m_strokes.clear();
  m_background = {};
  m_drawing = false;
  update();
  Q_EMIT changed();
}

DigitCanvas::EditButtons DigitCanvas::createEditButtons(QWidget* owner) {
  const EditButtons buttons{new QPushButton(tr("Clear")), new QPushButton(tr("Undo"))};
  buttons.clear->setToolTip(tr("Clear the drawing (Esc)"));
  buttons.undo->setToolTip(tr("Remove the last stroke (Ctrl+Z)"));
  auto* clearAction = new QAction(tr("Clear"), owner);
  clearAction->setShortcut(Qt::Key_Escape);
  auto* undoAction = new QAction(tr("Undo stroke"), owner);
  undoAction->setShortcut(QKeySequence::Undo);
  for (QAction* a : {clearAction, undoAction}) {
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    setShortcutPlace(a, tr("Drawing canvas"));
    owner->addAction(a);
  }
  connect(buttons.clear, &QPushButton::clicked, this, &DigitCanvas::clear);
  connect(clearAction, &QAction::triggered, this, &DigitCanvas::clear);
  connect(buttons.undo, &QPushButton::clicked, this, &DigitCanvas::undo);
  connect(undoAction, &QAction::triggered, this, &DigitCanvas::undo);
  return buttons;
}

void DigitCanvas::undo() {
  if (m_strokes.isEmpty()) return;
  m_strokes.removeLast();
  m_drawing = false;
  update();
  Q_EMIT changed();
}

void DigitCanvas::setImage(const QImage& image) {
  m_strokes.clear();
  m_background = image.convertToFormat(QImage::Format_Grayscale8);
  const int paper = m_background.isNull()
                        ? 255
                        : cs::border_median(m_background.constBits(), m_background.width(),
                                            m_background.height(), m_background.bytesPerLine());
  m_paper = QColor(paper, paper, paper);
  update();
  Q_EMIT changed();
}

void DigitCanvas::begin(QPointF widgetPoint, double pressure) {
  Stroke stroke;
  stroke.width = kStrokeWidth * (0.5 + std::clamp(pressure, 0.0, 1.0));
  const QPointF p = toUnit(widgetPoint);
  stroke.path.moveTo(p);
  stroke.path.lineTo(p + QPointF(1e-4, 0));  // a click leaves a dot
  m_strokes.append(stroke);
  m_drawing = true;
  update();
  Q_EMIT changed();
}

void DigitCanvas::extend(QPointF widgetPoint) {
  if (!m_drawing || m_strokes.isEmpty()) return;
  m_strokes.last().path.lineTo(toUnit(widgetPoint));
  update();
  Q_EMIT changed();
}

void DigitCanvas::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
  setFocus(Qt::MouseFocusReason);
  begin(event->position(), 0.5);
}

void DigitCanvas::mouseMoveEvent(QMouseEvent* event) {
  if (m_drawing) extend(event->position());
}

void DigitCanvas::mouseReleaseEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return QWidget::mouseReleaseEvent(event);
  extend(event->position());
  m_drawing = false;
}

void DigitCanvas::tabletEvent(QTabletEvent* event) {
  switch (event->type()) {
    case QEvent::TabletPress:
      setFocus(Qt::OtherFocusReason);
      begin(event->position(), event->pressure());
      break;
    case QEvent::TabletMove:
      extend(event->position());
      break;
    case QEvent::TabletRelease:
      extend(event->position());
      m_drawing = false;
      break;
    default:
      return QWidget::tabletEvent(event);
  }
  event->accept();  // no synthesized mouse events: the stroke is drawn once
}

void DigitCanvas::paintDrawing(QPainter& painter, const QRectF& square) const {
  painter.fillRect(square, m_background.isNull() ? QColor(Qt::white) : m_paper);
  if (!m_background.isNull()) {
    const QSizeF fitted = QSizeF(m_background.size()).scaled(square.size(), Qt::KeepAspectRatio);
    const QRectF target(square.center() - QPointF(fitted.width() / 2, fitted.height() / 2), fitted);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(target, m_background);
  }
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing);
  painter.translate(square.topLeft());
  painter.scale(square.width(), square.height());
  painter.setBrush(Qt::NoBrush);
  for (const Stroke& stroke : m_strokes) {
    painter.setPen(QPen(Qt::black, stroke.width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.drawPath(stroke.path);
  }
  painter.restore();
}

QImage DigitCanvas::render(int side) const {
  QImage image(side, side, QImage::Format_RGB32);
  QPainter painter(&image);
  paintDrawing(painter, QRectF(0, 0, side, side));
  painter.end();
  return image.convertToFormat(QImage::Format_Grayscale8);
}

void DigitCanvas::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  const QRectF square = drawingRect();
  paintDrawing(painter, square);
  painter.setPen(QPen(palette().color(QPalette::Mid), 1));
  painter.drawRect(square);
  if (isEmpty()) {
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(square, Qt::AlignCenter, tr("Draw a digit here"));
  }
}
