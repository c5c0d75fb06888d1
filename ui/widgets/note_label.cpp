#include "widgets/note_label.h"

#include <QStyle>

NoteLabel::NoteLabel(QWidget* parent) : QLabel(parent) {
  setObjectName(QStringLiteral("note"));
}

void NoteLabel::setNote(const QString& text, bool problem) {
  setText(text);
  setObjectName(problem ? QStringLiteral("issue") : QStringLiteral("note"));
  // The style sheet selects on the object name: apply it again.
  style()->unpolish(this);
  style()->polish(this);
}
