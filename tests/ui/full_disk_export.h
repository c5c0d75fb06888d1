// The full-disk check shared by the export tests: an export that cannot be written says why and
// leaves the file it would have replaced as it was.
#pragma once

#include <QFile>
#include <QString>
#include <QTest>
#include <functional>

#include "file_size_limit.h"

// Writes a small old file at `path`, runs `write(path, &error)` while no file may grow beyond 32
// bytes, and checks that it fails with an error and the old file is unchanged. `what` names the
// case in failure messages; the caller returns when QTest::currentTestFailed().
inline void checkExportKeepsTheOldFileOnAFullDisk(
    const QString& path, const std::function<bool(const QString&, QString*)>& write,
    const char* what) {
  const QByteArray old = "the old file";
  {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(old);
  }
  QString error;
  bool written = true;
  {
    const FileSizeLimit full(32);
    written = write(path, &error);
  }
  QVERIFY2(!written, what);
  QVERIFY2(!error.isEmpty(), what);
  QFile file(path);
  QVERIFY(file.open(QIODevice::ReadOnly));
  QCOMPARE(file.readAll(), old);
}
