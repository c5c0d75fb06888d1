// Help ▸ Keyboard shortcuts: every action of a window that has a shortcut, as a table of where it
// works (its menu, "File ▸ Export" for a submenu, or the place its creator named with
// setShortcutPlace(), as the drawing canvas and the run lists do), what it does (its
// shortcutText()) and its keys. Built
// from the actions themselves, so it cannot fall behind them; the same action in two places with
// the same keys (two drawing canvases) is one row.
#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QString>

class QAction;

class ShortcutsModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { Place, Action, Keys, ColumnCount };

  explicit ShortcutsModel(QObject* parent = nullptr);

  // The rows of those of `actions` that have a shortcut, in the order given.
  void setActions(const QList<QAction*>& actions);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // Where `action` works: its menu's path, else shortcutPlace() ("" when neither).
  static QString placeOf(const QAction* action);
  // "&Save checkpoint…" -> "Save checkpoint…" ("&&" stays one "&"), as a menu shows it.
  static QString plain(QString text);

 private:
  struct Row {
    QString place, action, keys;
  };
  QList<Row> m_rows;
};
