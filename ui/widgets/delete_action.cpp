#include "widgets/delete_action.h"

#include <QAction>
#include <QCheckBox>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>

#include "convscope/store.h"
#include "widgets/shortcut_place.h"

QAction* addDeleteAction(QTableView* table, const QString& text, const QString& place) {
  auto* action = new QAction(QIcon(QStringLiteral(":/icons/delete.svg")), text, table);
  action->setShortcut(QKeySequence::Delete);
  action->setShortcutContext(Qt::WidgetShortcut);  // the table's
  setShortcutPlace(action, place);
  setShortcutText(action, text);
  table->addAction(action);
  table->setContextMenuPolicy(Qt::ActionsContextMenu);
  return action;
}

void askToDelete(QWidget* parent, const QString& title, const QString& text,
                 const std::function<void(const QCheckBox* option)>& confirmed, QCheckBox* option) {
  auto* box =
      new QMessageBox(QMessageBox::Question, title, text + QObject::tr(" This cannot be undone."),
                      QMessageBox::Cancel, parent);
  if (option) box->setCheckBox(option);
  QPushButton* remove = box->addButton(QObject::tr("Delete"), QMessageBox::DestructiveRole);
  box->setDefaultButton(QMessageBox::Cancel);
  box->setAttribute(Qt::WA_DeleteOnClose);
  QObject::connect(remove, &QPushButton::clicked, box,
                   [box, confirmed] { confirmed(box->checkBox()); });
  box->open();
}

QString keptSpaceNote(cs::Store* store) {
  try {
    if (!store || store->frees_deleted_space()) return {};
  } catch (const std::exception&) {
    return {};
  }
  return QObject::tr(
      "; the store keeps its space for later runs (convscope-cli runs --compact gives it back)");
}
