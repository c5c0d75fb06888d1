// A line of information under a panel, styled by the app's style sheet as a note or, when
// something is wrong, as an issue (object names "note" and "issue").
#pragma once

#include <QLabel>

class NoteLabel : public QLabel {
  Q_OBJECT

 public:
  explicit NoteLabel(QWidget* parent = nullptr);

  void setNote(const QString& text, bool problem);
};
