// Answers the next save dialog the code under test opens as a user would: types a file name over
// the one it proposes and presses Save. The dialog's title and proposed path are kept to check.
#pragma once

#include <QApplication>
#include <QDialog>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QTimer>

class SaveDialogAnswer {
 public:
  // Looks for the dialog every 20 ms from now on; `chosen` is the path to answer with (the
  // dialog is in its folder).
  explicit SaveDialogAnswer(const QString& chosen) {
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this, chosen] {
      auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
      if (!dialog) return;
      m_timer.stop();
      m_title = dialog->windowTitle();
      m_proposed = dialog->selectedFiles().value(0);
      // typed over the proposed name (selectFile leaves a focused field alone)
      if (auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit")))
        name->setText(QFileInfo(chosen).fileName());
      static_cast<QDialog*>(dialog)->accept();  // QFileDialog::accept, as its Save button
    });
    m_timer.start(20);
  }
  QString title() const { return m_title; }
  QString proposed() const { return m_proposed; }

 private:
  QTimer m_timer;
  QString m_title, m_proposed;
};
