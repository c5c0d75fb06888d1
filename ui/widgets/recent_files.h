// The files of one kind the user saved or opened last (the checkpoints), newest first and
// remembered across sessions, as a menu (File > Recent checkpoints), disabled while empty or while
// none may be opened (setAllowed): choosing one emits fileChosen. A file no longer on disk is not
// listed.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>

class QMenu;

class RecentFiles : public QObject {
  Q_OBJECT

 public:
  static constexpr int kMaxFiles = 8;

  // `settingsKey`: where the list is kept (QSettings); `title`: the menu's.
  RecentFiles(const QString& settingsKey, const QString& title, QObject* parent = nullptr);
  ~RecentFiles() override;

  QMenu* menu() const { return m_menu.get(); }
  // Newest first, those still on disk.
  QStringList files() const;
  // `path` to the top of the list (once), the oldest beyond kMaxFiles dropped.
  void add(const QString& path);
  void clear();
  // Whether a file may be opened now (not while the run trains): the menu is enabled when it may
  // and the list has one.
  void setAllowed(bool allowed);

 Q_SIGNALS:
  void fileChosen(const QString& path);

 private:
  void store(const QStringList& files);
  void rebuildMenu();  // as the menu opens
  void updateEnabled(const QStringList& files);

  QString m_key;
  std::unique_ptr<QMenu> m_menu;
  bool m_allowed = true;
};
