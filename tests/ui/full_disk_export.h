// The full-disk check shared by the export tests: an export that cannot be written says why and
// leaves the file it would have replaced as it was.
#pragma once

#include <QFile>
#include <QString>
#include <QTest>
#include <functional>

#include "file_size_limit.h"

// Writes a small old file at `path`, runs `write(path, &error)` while no file may grow beyond 32
// bytes, and checks that it fails with an error that does not repeat the path and the old file is
// unchanged. `what` names the case in failure messages; the caller returns when
// QTest::currentTestFailed().
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
  // Why, not where: the message around it names the file once ("Could not write <path>: …").
  QVERIFY2(!error.contains(path), qPrintable(QStringLiteral("%1: %2").arg(what, error)));
  QFile file(path);
  QVERIFY(file.open(QIODevice::ReadOnly));
  QCOMPARE(file.readAll(), old);
}
