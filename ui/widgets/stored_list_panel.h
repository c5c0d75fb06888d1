// The left side of the Ensemble and Sweep views: what the run store holds, as a table over a model
// (a row chosen whole) under a title with Refresh; under it a row of two buttons (the first the
// view's primary action), the progress of the task the view's worker runs, with Cancel, and a note
// on the store. Delete… is the table's context menu and the Delete key. A subclass says what a row
// is, what the buttons do and when they and Delete are on.
#pragma once

#include <QWidget>

class NoteLabel;
class QAbstractItemModel;
class QAction;
class QProgressBar;
class QPushButton;
class QTableView;
class QToolButton;
class TaskProgressBox;

class StoredListPanel : public QWidget {
  Q_OBJECT

 public:
  QTableView* table() const { return m_table; }
  QAction* deleteAction() const { return m_delete; }
  QPushButton* cancelButton() const;
  QProgressBar* progressBar() const;
  const TaskProgressBox* taskBox() const { return m_task; }
  void setStoreNote(const QString& text, bool problem);
  // The note for a store that opened: "3 runs in ~/…/convscope.db · 27.2 MB", what it holds
  // (`contents`), where, and what it takes on disk (the file and its write-ahead log).
  void showStore(const QString& contents, const QString& path);
  QString storeNote() const;

  // The layout's minimum at the panel's width, wrapped store note included: the splitter the
  // panel sits in knows nothing of heights that depend on the width, and gave the task's box
  // less than its lines.
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  void refreshRequested();
  void cancelRequested();

 protected:
  struct Texts {
    QString title;         // "Stored ensembles"
    QString refreshTip;    // what Refresh reads again
    QString deleteAction;  // "Delete run…"
  };
  // `primary` takes the button row's spare width, `secondary` follows it.
  StoredListPanel(QAbstractItemModel* model, const Texts& texts, QPushButton* primary,
                  QPushButton* secondary, QWidget* parent);

  QPushButton* primaryButton() const { return m_primary; }
  QPushButton* secondaryButton() const { return m_secondary; }
  TaskProgressBox* task() const { return m_task; }
  int currentRow() const;  // -1 when none
  // Makes `row` current (none for -1) without rowActivated().
  void selectRow(int row);

  // The current row changed, or the rows did: the buttons and Delete follow. Called from the
  // subclass's constructor too.
  virtual void updateActions() = 0;
  // The user made `row` current.
  virtual void rowActivated(int row) = 0;
  // Delete… on the current row, while the action is on: ask, then delete.
  virtual void confirmDelete() = 0;

  void resizeEvent(QResizeEvent* event) override;

 private:
  QTableView* m_table;
  QToolButton* m_refresh;
  QPushButton* m_primary;
  QPushButton* m_secondary;
  QAction* m_delete;
  TaskProgressBox* m_task;
  NoteLabel* m_storeNote;
  bool m_selecting = false;
};
