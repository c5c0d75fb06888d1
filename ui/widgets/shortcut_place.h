// For Help ▸ Keyboard shortcuts (ShortcutsModel): where an action outside the menus works
// ("Drawing canvas"), named by its creator (a menu's actions are found by their menu), and the
// name of an action whose text changes with the app's state ("Continue for 5 more epochs").
#pragma once

#include <QAction>
#include <QString>

inline void setShortcutPlace(QAction* action, const QString& place) {
  action->setProperty("shortcutPlace", place);
}

inline QString shortcutPlace(const QAction* action) {
  return action->property("shortcutPlace").toString();
}

inline void setShortcutText(QAction* action, const QString& text) {
  action->setProperty("shortcutText", text);
}

// The name set, or else the action's text.
inline QString shortcutText(const QAction* action) {
  const QString text = action->property("shortcutText").toString();
  return text.isEmpty() ? action->text() : text;
}
