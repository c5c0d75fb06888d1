#include "widgets/form_dialog.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QPushButton>
#include <QVBoxLayout>

QPushButton* layOutFormDialog(QDialog* dialog, QFormLayout* form, QWidget* note,
                              const QString& accept) {
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  QPushButton* ok = buttons->button(QDialogButtonBox::Ok);
  ok->setText(accept);
  QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
  QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
  auto* layout = new QVBoxLayout(dialog);
  layout->addLayout(form);
  layout->addWidget(note);
  layout->addWidget(buttons);
  // The dialog's width from the start: it is then sized for its wrapped labels at that width,
  // not at their own narrower guess and widened afterwards (leaving a band of empty space).
  note->setMinimumWidth(kFormDialogNoteWidth);
  return ok;
}
