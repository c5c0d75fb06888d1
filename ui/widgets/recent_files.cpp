#include "widgets/recent_files.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

#include "widgets/app_resources.h"

RecentFiles::RecentFiles(const QString& settingsKey, const QString& title, QObject* parent)
    : QObject(parent), m_key(settingsKey), m_menu(std::make_unique<QMenu>(title)) {
  m_menu->setToolTipsVisible(true);
  // Its entries are made as it opens (never while one of them is being triggered).
  connect(m_menu.get(), &QMenu::aboutToShow, this, &RecentFiles::rebuildMenu);
  updateEnabled(files());
}

RecentFiles::~RecentFiles() = default;

QStringList RecentFiles::files() const {
  QStringList out;
  for (const QString& path : QSettings().value(m_key).toStringList())
    if (QFileInfo(path).isFile()) out << path;
  return out;
}

void RecentFiles::add(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  QStringList list = files();
  list.removeAll(absolute);
  list.prepend(absolute);
  store(list.mid(0, kMaxFiles));
}

void RecentFiles::clear() {
  store({});
}

void RecentFiles::store(const QStringList& files) {
  QSettings().setValue(m_key, files);
  updateEnabled(files);
}

void RecentFiles::rebuildMenu() {
  m_menu->clear();
  const QStringList list = files();
  if (list.isEmpty()) {  // every file gone since
    m_menu->addAction(tr("None left on disk"))->setEnabled(false);
    return;
  }
  for (int i = 0; i < list.size(); ++i) {
    const QFileInfo info(list[i]);
    // "&1 run.safetensors — ~/Documents/mnist": the name first, the folder to tell two apart.
    const QString folder = displayPath(info.absolutePath());
    const auto escaped = [](QString text) { return text.replace(QLatin1Char('&'), "&&"); };
    QAction* action = m_menu->addAction(
        QStringLiteral("&%1 %2 — %3").arg(i + 1).arg(escaped(info.fileName()), escaped(folder)));
    action->setToolTip(QDir::toNativeSeparators(list[i]));
    const QString path = list[i];
    connect(action, &QAction::triggered, this, [this, path] { Q_EMIT fileChosen(path); });
  }
  m_menu->addSeparator();
  connect(m_menu->addAction(tr("Clear list")), &QAction::triggered, this, &RecentFiles::clear);
}

void RecentFiles::setAllowed(bool allowed) {
  m_allowed = allowed;
  updateEnabled(files());
}

void RecentFiles::updateEnabled(const QStringList& files) {
  m_menu->setEnabled(m_allowed && !files.isEmpty());
}
