#include "widgets/file_dialogs.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace {

const QString kKey = QStringLiteral("paths/export");

}  // namespace

QString lastFileFolder() {
  const QString saved = QSettings().value(kKey).toString();
  if (!saved.isEmpty() && QDir(saved).exists()) return saved;
  const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  if (!documents.isEmpty() && QDir(documents).exists()) return documents;
  return QDir::homePath();
}

void rememberFileFolder(const QString& path) {
  QSettings().setValue(kKey, QFileInfo(path).absolutePath());
}

QString askSaveFileName(QWidget* parent, const QString& title, const QString& fileName,
                        const QString& filter) {
  const QString path = QFileDialog::getSaveFileName(
      parent, title, QDir(lastFileFolder()).filePath(fileName), filter);
  if (!path.isEmpty()) rememberFileFolder(path);
  return path;
}

QString askOpenFileName(QWidget* parent, const QString& title, const QString& filter) {
  const QString path = QFileDialog::getOpenFileName(parent, title, lastFileFolder(), filter);
  if (!path.isEmpty()) rememberFileFolder(path);
  return path;
}
