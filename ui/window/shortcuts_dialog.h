// Help ▸ Keyboard shortcuts: the window's shortcuts (ShortcutsModel) in a table, read when the
// dialog opens.
#pragma once

#include <QDialog>

class ShortcutsModel;

class ShortcutsDialog : public QDialog {
  Q_OBJECT

 public:
  // Lists the actions with shortcuts among `window`'s children: a main window's menus first, in
  // their order.
  explicit ShortcutsDialog(QWidget* window);

  ShortcutsModel* model() const { return m_model; }

 private:
  ShortcutsModel* m_model;
};
