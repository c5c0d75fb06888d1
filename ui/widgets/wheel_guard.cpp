#include "widgets/wheel_guard.h"

#include <QAbstractScrollArea>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QEvent>

namespace {

// The spin box or combo box `w` is, or is part of (a spin box's line edit), when it lies inside a
// scroll area's viewport; null otherwise.
QWidget* guardedField(QObject* object) {
  auto* w = qobject_cast<QWidget*>(object);
  while (w && !qobject_cast<QAbstractSpinBox*>(w) && !qobject_cast<QComboBox*>(w)) {
    w = w->parentWidget();
    if (w && (qobject_cast<QAbstractScrollArea*>(w) || w->isWindow())) return nullptr;
  }
  if (!w) return nullptr;
  for (QWidget* p = w->parentWidget(); p && !p->isWindow(); p = p->parentWidget())
    if (auto* area = qobject_cast<QAbstractScrollArea*>(p->parentWidget());
        area && area->viewport() == p)
      return w;
  return nullptr;
}

}  // namespace

WheelGuard::WheelGuard(QApplication* app) : QObject(app) {
  app->installEventFilter(this);
}

bool WheelGuard::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::Polish) {
    // Before the field's first wheel event: the default policy (WheelFocus) would let the wheel
    // give it focus, and then turn it. A field that takes less focus keeps its policy.
    if (QWidget* field = guardedField(watched);
        field == watched && field->focusPolicy() == Qt::WheelFocus)
      field->setFocusPolicy(Qt::StrongFocus);
  } else if (event->type() == QEvent::Wheel) {
    if (QWidget* field = guardedField(watched); field && !field->hasFocus()) {
      event->ignore();  // on to the parents: the scroll area scrolls
      return true;
    }
  }
  return QObject::eventFilter(watched, event);
}
