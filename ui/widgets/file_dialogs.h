// The app's save and open dialogs: they start in the folder of the last file the user saved or
// opened (remembered across sessions), else in Documents, else the home folder — never in the
// directory the app happened to be started from.
#pragma once

#include <QString>

class QWidget;

// The folder the dialogs start in.
QString lastFileFolder();
// Remembers the folder of `path` for the next dialog.
void rememberFileFolder(const QString& path);

// A save dialog proposing `fileName` in lastFileFolder(); the chosen path, or empty if cancelled.
QString askSaveFileName(QWidget* parent, const QString& title, const QString& fileName,
                        const QString& filter);
// An open dialog in lastFileFolder(); the chosen path, or empty if cancelled.
QString askOpenFileName(QWidget* parent, const QString& title, const QString& filter);
