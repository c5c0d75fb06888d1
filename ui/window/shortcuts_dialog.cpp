#include "window/shortcuts_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QTableView>
#include <QVBoxLayout>
#include <functional>

#include "window/shortcuts_model.h"

ShortcutsDialog::ShortcutsDialog(QWidget* window)
    : QDialog(window), m_model(new ShortcutsModel(this)) {
  setWindowTitle(tr("Keyboard shortcuts"));
  // The menus' actions in the menu bar's order, then those elsewhere (the canvas, the lists).
  QList<QAction*> actions;
  std::function<void(const QList<QAction*>&)> walk = [&](const QList<QAction*>& items) {
    for (QAction* a : items) {
      if (a->menu())
        walk(a->menu()->actions());
      else
        actions << a;
    }
  };
  if (auto* main = qobject_cast<QMainWindow*>(window)) walk(main->menuBar()->actions());
  for (QAction* a : window->findChildren<QAction*>())
    if (!actions.contains(a)) actions << a;
  m_model->setActions(actions);
  auto* table = new QTableView;
  table->setObjectName(QStringLiteral("shortcuts"));
  table->setModel(m_model);
  table->verticalHeader()->hide();
  table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table->setSelectionBehavior(QAbstractItemView::SelectRows);
  table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table->horizontalHeader()->setSectionResizeMode(ShortcutsModel::Action, QHeaderView::Stretch);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(table, 1);
  layout->addWidget(buttons);
  resize(520, 560);
}
