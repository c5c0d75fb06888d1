#include "settings/invalid_field.h"

#include <QPalette>
#include <QWidget>

void markFieldInvalid(QWidget* w, bool invalid, const QString& reason) {
  if (!w->property("defaultToolTip").isValid()) w->setProperty("defaultToolTip", w->toolTip());
  w->setToolTip(invalid ? reason : w->property("defaultToolTip").toString());
  if (w->property("invalid").toBool() == invalid) return;
  w->setProperty("invalid", invalid);
  if (!invalid) {
    w->setPalette(QPalette());
    return;
  }
  QPalette palette = w->palette();
  palette.setColor(QPalette::Base, QColor(0xfd, 0xe8, 0xe8));
  palette.setColor(QPalette::Text, QColor(0x8f, 0x1d, 0x1d));
  palette.setColor(QPalette::Button, QColor(0xfd, 0xe8, 0xe8));
  w->setPalette(palette);
}
