#include "settings/invalid_field.h"

#include <QPalette>
#include <QStyle>
#include <QWidget>

void markFieldInvalid(QWidget* w, bool invalid, const QString& reason) {
  if (!w->property("defaultToolTip").isValid()) w->setProperty("defaultToolTip", w->toolTip());
  w->setToolTip(invalid ? reason : w->property("defaultToolTip").toString());
  if (w->property("invalid").toBool() == invalid) return;
  w->setProperty("invalid", invalid);
  // Under an application style sheet the style keeps the palette a widget had when it was
  // polished and sets it back whenever it polishes the widget again (a cleared mark came back):
  // the palette changes between an unpolish and a polish, so the style keeps the new one.
  QStyle* style = w->style();
  style->unpolish(w);
  if (invalid) {
    QPalette palette = w->palette();
    palette.setColor(QPalette::Base, QColor(0xfd, 0xe8, 0xe8));
    palette.setColor(QPalette::Text, QColor(0x8f, 0x1d, 0x1d));
    palette.setColor(QPalette::Button, QColor(0xfd, 0xe8, 0xe8));
    w->setPalette(palette);
  } else {
    w->setPalette(QPalette());
  }
  style->polish(w);
}
