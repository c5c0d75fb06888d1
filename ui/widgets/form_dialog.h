// The layout the app's form dialogs share (Train ensemble, Continue run, New sweep): the form,
// a note under it, then the accept button and Cancel.
#pragma once

#include <QString>

class QDialog;
class QFormLayout;
class QPushButton;
class QWidget;

inline constexpr int kFormDialogNoteWidth = 440;  // at least; the dialog is as wide and more

// Lays `form`, `note` and the buttons out in `dialog`; the accept button, labelled `accept`,
// calls QDialog::accept() and Cancel QDialog::reject(). Returns the accept button.
QPushButton* layOutFormDialog(QDialog* dialog, QFormLayout* form, QWidget* note,
                              const QString& accept);
