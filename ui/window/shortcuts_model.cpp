#include "window/shortcuts_model.h"

#include <QAction>
#include <QMenu>
#include <algorithm>

#include "widgets/shortcut_place.h"

namespace {

// The titled menu `action` is in: not the untitled pop-ups of a tool bar's or the menu bar's
// overflow, which hold it too.
const QMenu* menuOf(const QAction* action) {
  for (const QObject* o : action->associatedObjects())
    if (const auto* menu = qobject_cast<const QMenu*>(o); menu && !menu->title().isEmpty())
      return menu;
  return nullptr;
}

}  // namespace

ShortcutsModel::ShortcutsModel(QObject* parent) : QAbstractTableModel(parent) {}

QString ShortcutsModel::plain(QString text) {
  text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
  text.remove(QLatin1Char('&'));
  text.replace(QLatin1Char('\x01'), QLatin1Char('&'));
  return text;
}

QString ShortcutsModel::placeOf(const QAction* action) {
  QStringList path;
  for (const QMenu* menu = menuOf(action); menu; menu = menuOf(menu->menuAction()))
    path.prepend(plain(menu->title()));
  if (!path.isEmpty()) return path.join(QStringLiteral(" ▸ "));
  return shortcutPlace(action);
}

void ShortcutsModel::setActions(const QList<QAction*>& actions) {
  beginResetModel();
  m_rows.clear();
  for (const QAction* a : actions) {
    if (a->shortcut().isEmpty()) continue;
    const Row row{placeOf(a), plain(shortcutText(a)),
                  a->shortcut().toString(QKeySequence::NativeText)};
    const bool seen = std::any_of(m_rows.begin(), m_rows.end(), [&row](const Row& r) {
      return r.place == row.place && r.action == row.action && r.keys == row.keys;
    });
    if (!seen) m_rows << row;
  }
  endResetModel();
}

int ShortcutsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ShortcutsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant ShortcutsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
      role != Qt::DisplayRole)
    return {};
  const Row& row = m_rows[index.row()];
  switch (index.column()) {
    case Place:
      return row.place;
    case Action:
      return row.action;
    case Keys:
      return row.keys;
    default:
      return {};
  }
}

QVariant ShortcutsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Place:
      return tr("Where");
    case Action:
      return tr("Action");
    case Keys:
      return tr("Keys");
    default:
      return {};
  }
}
