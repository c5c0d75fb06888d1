// Asks before a run's unsaved training is thrown away (Reset, Start, Load checkpoint, Quit), as
// editors do: Save, Discard or Cancel. A run is unsaved when it took steps since it began, was
// loaded or was last saved. Save asks for a file and queues the save ahead of the action, so the
// worker writes the checkpoint before it discards the run.
#pragma once

#include <QObject>
#include <QString>
#include <functional>

class QWidget;
class TrainingSession;

class UnsavedRunGuard : public QObject {
  Q_OBJECT

 public:
  struct Answer {
    enum Choice { Save, Discard, Cancel } choice = Cancel;
    QString path;  // with Save: the checkpoint file
  };
  // Asks the question (e.g. "Reset discards …"); the default shows a message box and a file dialog.
  using Asker = std::function<Answer(const QString& question)>;

  UnsavedRunGuard(TrainingSession* session, QWidget* dialogParent);

  bool isUnsaved() const { return m_savedStep != m_step; }
  // The name save dialogs propose: "convscope-step3581.safetensors", the run's newest step, so
  // that saving again later does not offer to overwrite the earlier checkpoint.
  QString checkpointFileName() const;
  // File > Save checkpoint: asks for a file (proposing checkpointFileName()) and queues the save.
  void saveAs();
  // The checkpoint save dialog, titled `title` and proposing `fileName`; empty when cancelled.
  QString askCheckpointPath(const QString& title, const QString& fileName) const;
  // True when `action` ("Reset", …) may go ahead: nothing unsaved, discarded, or saved first.
  // `discards` names what it discards ("the current run", or what it says).
  bool confirm(const QString& action, const QString& discards = {});
  // A save chosen in confirm() has not reached the disk yet (Quit waits for it).
  bool savePending() const { return m_savePending; }
  void setAsker(Asker asker) { m_asker = std::move(asker); }

 Q_SIGNALS:
  // The save chosen in confirm() finished (ok) or failed.
  void pendingSaveDone(bool ok);

 private:
  Answer ask(const QString& question) const;

  TrainingSession* m_session;
  QWidget* m_dialogParent;
  Asker m_asker;
  long long m_step = 0;       // the run's newest global step
  long long m_savedStep = 0;  // the step it began at, was loaded at, or was saved at
  bool m_savePending = false;
};
