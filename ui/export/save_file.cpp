#include "export/save_file.h"

#include <QBuffer>
#include <QImageWriter>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextStream>

bool saveFile(const QString& path, const std::function<bool(QIODevice&)>& write, QString* error) {
  // The contents are made in memory first and written in one call whose byte count is checked:
  // Qt 6.4's QSaveFile::commit() reports neither a short write nor an error of its final flush.
  QBuffer contents;
  contents.open(QIODevice::WriteOnly);
  QSaveFile file(path);
  const auto failed = [&](const QString& why) {
    if (error) *error = why.isEmpty() ? QObject::tr("its contents could not be made") : why;
    file.cancelWriting();
    return false;
  };
  if (!write(contents)) return failed({});
  const QByteArray& bytes = contents.data();
  if (!file.open(QIODevice::WriteOnly)) return failed(file.errorString());
  const qint64 written = file.write(bytes);
  if (written != bytes.size() || !file.flush())
    return failed(QObject::tr("%1 of %2 bytes written (disk full?)")
                      .arg(qMax<qint64>(written, 0))
                      .arg(bytes.size()));
  if (!file.commit()) return failed(file.errorString());
  return true;
}

bool saveText(const QString& path, const std::function<void(QTextStream&)>& body, QString* error) {
  return saveFile(
      path,
      [&](QIODevice& device) {
        QTextStream out(&device);
        body(out);
        out.flush();
        return out.status() == QTextStream::Ok;
      },
      error);
}

bool savePng(const QString& path, const QImage& image, QString* error) {
  QString why;
  const bool ok = saveFile(
      path,
      [&](QIODevice& device) {
        QImageWriter writer(&device, "png");
        if (writer.write(image)) return true;
        why = writer.errorString();
        return false;
      },
      error);
  if (!ok && error && !why.isEmpty()) *error = why;
  return ok;
}

bool saveSvg(const QString& path, QSize size, const QString& title, const QString& description,
             const std::function<void(QPainter&)>& paint, QString* error) {
  return saveFile(
      path,
      [&](QIODevice& device) {
        QSvgGenerator generator;
        generator.setOutputDevice(&device);
        generator.setSize(size);
        generator.setViewBox(QRect(QPoint(0, 0), size));
        generator.setTitle(title);
        generator.setDescription(description);
        QPainter painter;
        if (!painter.begin(&generator)) return false;
        paint(painter);
        return painter.end();
      },
      error);
}
