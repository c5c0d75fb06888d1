// A dialog form's read-only value: a label whose text can be selected and copied, and wraps.
#pragma once

#include <QString>

class QLabel;

QLabel* valueLabel(const QString& text);
