// The mouse wheel scrolls a page of fields; it changes a field only once the field has focus.
// Without it, scrolling the Hyperparameters panel turns whichever spin box or combo box passes
// under the pointer (a filter count of 16 becomes 1 in one flick). Installed once on the
// application, it covers every spin box and combo box inside a scroll area, those made later
// (a new convolution's row) included: they take focus by click or Tab only, and a wheel event
// they do not have focus for goes on to the scroll area.
#pragma once

#include <QObject>

class QApplication;

class WheelGuard : public QObject {
  Q_OBJECT

 public:
  explicit WheelGuard(QApplication* app);

  bool eventFilter(QObject* watched, QEvent* event) override;
};
