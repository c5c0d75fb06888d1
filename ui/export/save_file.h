// Every export of the app goes through here: the file is written under a temporary name and
// renamed over the target only when every byte was written, flushed and closed. A failure (a
// full disk, a missing folder) leaves the old file as it was and gives a message.
#pragma once

#include <QImage>
#include <QString>
#include <functional>

class QIODevice;
class QPainter;
class QTextStream;

// `write` fills the device and returns false on failure. Returns false with *error set when
// anything failed: why, without the path, which the caller's message names ("Could not write
// %1: %2").
bool saveFile(const QString& path, const std::function<bool(QIODevice&)>& write, QString* error);

bool saveText(const QString& path, const std::function<void(QTextStream&)>& body, QString* error);
bool savePng(const QString& path, const QImage& image, QString* error);
// An SVG of `size` drawn by `paint`; `title` and `description` go into the file.
bool saveSvg(const QString& path, QSize size, const QString& title, const QString& description,
             const std::function<void(QPainter&)>& paint, QString* error);
