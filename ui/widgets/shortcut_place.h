// Where an action outside the menus works ("Drawing canvas"), named by its creator for
// Help ▸ Keyboard shortcuts (ShortcutsModel), which finds a menu's actions by their menu.
#pragma once

#include <QAction>
#include <QString>

inline void setShortcutPlace(QAction* action, const QString& place) {
  action->setProperty("shortcutPlace", place);
}

inline QString shortcutPlace(const QAction* action) {
  return action->property("shortcutPlace").toString();
}
